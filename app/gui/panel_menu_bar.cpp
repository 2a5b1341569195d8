// The menu bar: File > Open, the teaching presets (each note as a tooltip), view options and
// exports.
#include "app.h"
#include "panels.h"

#include <algorithm>

namespace loralab::gui {

void drawMenuBar(App& app) {
    if (!ImGui::BeginMenuBar()) return;
    UiState& ui = app.ui();
    const std::vector<Preset>& presets = app.presets();
    if (ImGui::BeginMenu("File")) {
        if (ImGui::MenuItem("Open…")) app.files().openBox = true;
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("A picture or CSV (the new target), a .safetensors file (its tensors) or a "
                              "peft adapter folder (its modules). Dropping it on the window does the same.");
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Presets")) {
        for (int i = 0; i < static_cast<int>(presets.size()); ++i) {
            const Preset& p = presets[static_cast<std::size_t>(i)];
            if (ImGui::MenuItem(p.name.c_str(), nullptr, ui.presetIndex == i)) app.applyPreset(i);
            if (ImGui::IsItemHovered() && !p.note.empty()) {
                ImGui::BeginTooltip();
                ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28);
                ImGui::TextUnformatted(p.note.c_str());
                ImGui::PopTextWrapPos();
                ImGui::EndTooltip();
            }
        }
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("View")) {
        ImGui::MenuItem("One colour scale for all heatmaps", nullptr, &ui.sharedScale);
        ImGui::MenuItem("Weight view: W0 + s·B·A = W'", "W", &ui.weightView, app.base() != nullptr);
        if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
            ImGui::SetTooltip("With a frozen base (--base): the base, the adapter and W' beside W*, instead of B, A and ΔW.");
        if (ImGui::MenuItem("Larger text")) ui.fontSize = std::min(40.0f, ui.fontSize + 2);
        if (ImGui::MenuItem("Smaller text")) ui.fontSize = std::max(12.0f, ui.fontSize - 2);
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Export")) {
        if (ImGui::MenuItem("Screenshot of the window", "F12")) app.requestScreenshot();
        if (ImGui::MenuItem("Loss curve only")) app.requestCurveExport();
        if (ImGui::MenuItem("Loss curve as CSV")) app.exportCurveCsv();
        ImGui::EndMenu();
    }
    if (ui.presetIndex >= 0 && ui.presetIndex < static_cast<int>(presets.size()))
        ImGui::TextDisabled("  %s", presets[static_cast<std::size_t>(ui.presetIndex)].name.c_str());
    ImGui::EndMenuBar();
}

}  // namespace loralab::gui
