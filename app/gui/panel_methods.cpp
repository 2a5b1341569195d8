// The methods side by side: one row each with its trainable count (peft's), its share of full
// fine-tuning, its loss against LoRA's floor and the steps it took to 1.1 × that floor. A click
// on a row shows that method's heatmaps.
#include "app.h"
#include "panels.h"

#include "savings.h"

#include <string>

namespace loralab::gui {

ImU32 methodColour(MethodKind kind) {
    switch (kind) {
        case MethodKind::Lora: return IM_COL32(255, 190, 60, 255);
        case MethodKind::Full: return IM_COL32(110, 220, 110, 255);
        case MethodKind::Dora: return IM_COL32(235, 110, 235, 255);
        case MethodKind::Pissa: return IM_COL32(90, 220, 235, 255);
        case MethodKind::Vera: return IM_COL32(255, 110, 100, 255);
    }
    return IM_COL32_WHITE;
}

void drawMethodsPanel(App& app) {
    MethodSession& session = *app.session();
    ImGui::TextUnformatted("Methods");
    helpTooltip("Every method trains on the same base and target, with the same seed, in lockstep. "
                "Trainable counts as peft counts them; % of full fine-tuning's d·k; loss ÷ LoRA's "
                "floor (green: under it); the first step at or under 1.1 × that floor. Click a row "
                "to show its heatmaps.");
    ImGui::SameLine(0, 16);
    ImGui::TextDisabled("click a row: its heatmaps");
    const std::vector<CompareResult>& results = app.methodResults();
    const double full = static_cast<double>(session.fitTarget().size());
    const ImGuiTableFlags flags = ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_RowBg |
                                  ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollY;
    if (!ImGui::BeginTable("methods", 5, flags)) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("method");
    ImGui::TableSetupColumn("trainable");
    ImGui::TableSetupColumn("% full");
    ImGui::TableSetupColumn("÷ floor");
    ImGui::TableSetupColumn("1.1×floor");
    ImGui::TableHeadersRow();
    for (std::size_t m = 0; m < results.size(); ++m) {
        const CompareResult& r = results[m];
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(methodColour(r.method)));
        const std::string label = std::string(methodName(r.method)) + "##row";
        if (ImGui::Selectable(label.c_str(), session.selected() == m, ImGuiSelectableFlags_SpanAllColumns))
            app.selectMethod(m);
        ImGui::PopStyleColor();
        ImGui::TableSetColumnIndex(1);
        ImGui::TextUnformatted(formatCount(r.trainableParams).c_str());
        ImGui::TableSetColumnIndex(2);
        ImGui::TextUnformatted(formatPercent(100.0 * static_cast<double>(r.trainableParams) / full).c_str());
        ImGui::TableSetColumnIndex(3);
        if (r.loraFloor <= app.derived().zeroLevel)
            ImGui::TextDisabled("—");
        else if (r.belowFloor)
            ImGui::TextColored(ImVec4(0.55f, 0.9f, 0.55f, 1.0f), "%.3f", r.finalLoss / r.loraFloor);
        else
            ImGui::Text("%.3f", r.finalLoss / r.loraFloor);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("loss %.6g, LoRA's floor %.6g%s", r.finalLoss, r.loraFloor,
                              r.belowFloor ? ": under it, more than any rank-r ΔW can do" : "");
        ImGui::TableSetColumnIndex(4);
        if (r.diverged)
            ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "diverged");
        else if (r.stepsToThreshold >= 0)
            ImGui::Text("%lld", r.stepsToThreshold);
        else
            ImGui::TextDisabled("not yet");
    }
    ImGui::EndTable();
}

}  // namespace loralab::gui
