// The live parameter-savings counter: full fine-tuning d·k against LoRA r·(d+k), on this layer,
// on a 4096×4096 layer and on a chosen model preset. Numbers from the core (savings.h).
#include "app.h"
#include "panels.h"
#include "savings.h"

#include "loralab/params.h"

#include <algorithm>
#include <string>

namespace loralab::gui {
namespace {

const char* kModuleChoices[] = {"q,v", "q,k,v,o", "all-linear"};

void row(const char* label, const std::string& full, const std::string& lora, const char* help) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::TextUnformatted(label);
    if (help) helpTooltip(help);
    ImGui::TableSetColumnIndex(1);
    ImGui::TextUnformatted(full.c_str());
    ImGui::TableSetColumnIndex(2);
    ImGui::TextColored(ImVec4(0.55f, 0.9f, 0.55f, 1.0f), "%s", lora.c_str());
}

}  // namespace

void drawSavingsPanel(App& app) {
    if (!app.hasModel()) return;
    UiState& ui = app.ui();
    SavingsFigures f;
    try {
        const Matrix& T = app.fitTarget();
        f = computeSavings(T.rows(), T.cols(), app.currentRank(), ui.modelName, ui.modules);
    } catch (const std::exception& e) {
        ImGui::TextWrapped("savings: %s", e.what());
        return;
    }
    // Headline: "N× fewer", big.
    if (app.bigFont()) ImGui::PushFont(app.bigFont());
    ImGui::TextColored(ImVec4(0.55f, 0.9f, 0.55f, 1.0f), "%s", formatSavings(f.layer.ratio).c_str());
    if (app.bigFont()) ImGui::PopFont();
    helpTooltip("Full fine-tuning trains d·k numbers; LoRA trains r·(d + k). The ratio is d·k / (r·(d + k)).");
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("trainable, r = %lld", static_cast<long long>(f.rank));

    const ImGuiTableFlags flags = ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp;
    if (ImGui::BeginTable("layer", 3, flags)) {
        ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableSetupColumn("full FT", ImGuiTableColumnFlags_WidthStretch, 1.15f);
        ImGui::TableSetupColumn("LoRA", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableHeadersRow();
        const std::string dk = std::to_string(f.d) + "·" + std::to_string(f.k);
        row("parameters", formatCount(f.layer.full), formatCount(f.layer.lora),
            "full: d·k;  LoRA: r·(d + k).");
        row("trainable %", "100%", formatPercent(f.layer.trainablePercent),
            "LoRA's trainable share as peft prints it: r(d+k) / (d·k + r(d+k)).");
        row("Adam state", formatBytes(f.layerFull.adamState), formatBytes(f.layerLora.adamState),
            "Adam keeps two fp32 values per trainable parameter.");
        row("train memory", formatBytes(f.layerFull.total()), formatBytes(f.layerLora.total()),
            "fp32 weights + gradients of the trainable parameters + Adam state.");
        ImGui::EndTable();
    }
    ImGui::Spacing();
    ImGui::Text("Same rank on 4096×4096:");
    helpTooltip("A projection matrix of a 7B-class model. Same r, far bigger savings: the ratio grows with d and k.");
    ImGui::Text("  %s → %s  (%s)", formatCount(f.big.full).c_str(), formatCount(f.big.lora).c_str(),
                formatSavings(f.big.ratio).c_str());

    ImGui::Spacing();
    const auto& models = modelPresets();
    const float half = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
    ImGui::SetNextItemWidth(half);
    if (ImGui::BeginCombo("##model", f.modelDisplayName.c_str())) {
        for (const ModelPreset& m : models)
            if (ImGui::Selectable(m.displayName.c_str(), m.name == ui.modelName)) ui.modelName = m.name;
        ImGui::EndCombo();
    }
    helpTooltip("A model preset from the core (params.h): the same rank on every layer's chosen modules.");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(half);
    if (ImGui::BeginCombo("##modules", ui.modules.c_str())) {
        for (const char* m : kModuleChoices)
            if (ImGui::Selectable(m, ui.modules == m)) ui.modules = m;
        ImGui::EndCombo();
    }
    helpTooltip("Which linear modules get an adapter (peft's target_modules).");
    if (ImGui::BeginTable("model", 3, flags)) {
        ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableSetupColumn("full FT", ImGuiTableColumnFlags_WidthStretch, 1.15f);
        ImGui::TableSetupColumn("LoRA", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        row("targeted", formatCount(f.model.fullTargeted), formatCount(f.model.trainable),
            "Parameters of the adapted matrices (full FT of them) against LoRA's, over all layers.");
        row("vs full FT", "baseline", formatSavings(f.model.ratio),
            "How many times fewer numbers LoRA trains than full fine-tuning of the same modules.");
        row("trainable %", "100%", formatPercent(f.model.trainablePercent),
            "LoRA parameters / (all base parameters + LoRA), as peft prints it.");
        row("train memory", formatBytes(f.modelFull.total()), formatBytes(f.modelLora.total()),
            "fp32, Adam: full FT trains every parameter; LoRA freezes the base.");
        ImGui::EndTable();
    }
}

}  // namespace loralab::gui
