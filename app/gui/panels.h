// One function per panel (panel_*.cpp, status_bar.cpp). Each draws into the current ImGui
// child window and acts on the App through its actions.
#pragma once

#include "loralab/methods.h"

#include <imgui.h>

namespace loralab::gui {

class App;

void drawMenuBar(App& app);
void drawHeatmapsPanel(App& app);
void drawControlsPanel(App& app);
void drawMethodControls(App& app);  // the method section of the controls
void drawSavingsPanel(App& app);
void drawLossCurvePanel(App& app);
void drawSpectrumPanel(App& app);
void drawMethodsPanel(App& app);  // in the spectrum's place while methods train

// One colour per method, the same in the chart, its legend and the table.
ImU32 methodColour(MethodKind kind);
void drawStatusBar(App& app);
void drawBaseControls(App& app);  // inside the controls panel
void drawWeightView(App& app);    // the heatmaps panel when the weight view is on
// The floating windows of opened files (tensor list, adapter modules) and File > Open's box.
void drawFileWindows(App& app);
void drawAdapterWindow(App& app);

// A "(?)" marker after the last item whose hover shows `text` (and the item's own tooltip).
void helpTooltip(const char* text);

}  // namespace loralab::gui
