// Where the panels go: the heatmaps over the loss curve and the spectrum on the left, the
// controls over the savings counter on the right, the status bar below. Pure arithmetic on
// sizes (no ImGui context), so a test can check that the panels tile the window at any size.
#pragma once

#include <imgui.h>

namespace loralab::gui {

struct PanelLayout {
    ImVec2 heatmaps, lossCurve, spectrum;  // left column: heatmaps on top, then side by side
    ImVec2 controls, savings;              // right column, top to bottom
};

// Sizes in pixels for a content region `avail` with `statusHeight` kept for the status bar
// and `spacing` between panels. The right column takes 29 % of the width, clamped to
// [min(300, half the width), 520]; the heatmaps 62 % of the height. Every size is at least 1.
PanelLayout layoutPanels(ImVec2 avail, float statusHeight, ImVec2 spacing);

}  // namespace loralab::gui
