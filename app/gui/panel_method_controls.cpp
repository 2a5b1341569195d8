// The method controls: which fine-tuning method trains (or several side by side) and LoRA+'s
// ratio. Every change restarts training from each method's peft initialization.
#include "app.h"
#include "panels.h"

#include <algorithm>
#include <string>
#include <vector>

namespace loralab::gui {
namespace {

struct MethodChoice {
    MethodKind kind;
    const char* help;
};

const MethodChoice kMethods[] = {
    {MethodKind::Lora, "LoRA: ΔW = s·B·A, r·(d + k) trainable. Stops at the Eckart–Young floor."},
    {MethodKind::Full, "Full fine-tuning: ΔW itself, d·k trainable. No floor (the rank is ignored)."},
    {MethodKind::Dora, "DoRA: W' = m ⊙ V/‖V‖_row, V = W0 + s·B·A; r·(d + k) + d trainable. Needs a base weight."},
    {MethodKind::Pissa, "PiSSA: B, A from W0's top-r SVD, the residual frozen; r·(d + k) trainable. Needs a base weight."},
    {MethodKind::Vera, "VeRA: frozen random B, A shared as in peft; trains the scales λb (d) and λd (r)."},
};

void hoverTip(const char* text) {
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", text);
}

}  // namespace

void drawMethodControls(App& app) {
    const Scenario& s = app.ui().scenario;
    ImGui::TextColored(ImVec4(1.0f, 0.82f, 0.35f, 1.0f), "Method");
    ImGui::Separator();
    const bool comparing = !s.compare.empty();
    if (!comparing) {
        if (ImGui::BeginCombo("method", methodName(s.method))) {
            for (const MethodChoice& c : kMethods) {
                if (ImGui::Selectable(methodName(c.kind), c.kind == s.method) && c.kind != s.method)
                    app.setMethods(c.kind, {}, methodHasB(c.kind) ? s.lrRatio : 1.0);
                hoverTip(c.help);
            }
            ImGui::EndCombo();
        }
        helpTooltip("The fine-tuning method (--method). Changing it restarts training.");
    }

    bool compare = comparing;
    if (ImGui::Checkbox("compare side by side", &compare)) {
        std::vector<MethodKind> list;
        if (compare) {
            // LoRA and full fine-tuning bracket the others; the current method joins them.
            for (const MethodChoice& c : kMethods)
                if (c.kind == MethodKind::Lora || c.kind == MethodKind::Full || c.kind == s.method)
                    list.push_back(c.kind);
        }
        app.setMethods(comparing ? s.compare.front() : s.method, list, s.lrRatio);
    }
    helpTooltip("--compare: several methods on the same base and target, same seed, trained in lockstep, "
                "a curve each and a table of their trainable counts.");
    if (comparing) {
        bool first = true;
        for (const MethodChoice& c : kMethods) {
            if (!first) ImGui::SameLine();
            first = false;
            bool on = std::find(s.compare.begin(), s.compare.end(), c.kind) != s.compare.end();
            ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(methodColour(c.kind)));
            const bool clicked = ImGui::Checkbox(methodName(c.kind), &on);
            ImGui::PopStyleColor();
            hoverTip(c.help);
            if (clicked) {
                std::vector<MethodKind> list;  // in the order above
                for (const MethodChoice& o : kMethods) {
                    const bool keep = o.kind == c.kind ? on
                                                       : std::find(s.compare.begin(), s.compare.end(), o.kind) != s.compare.end();
                    if (keep) list.push_back(o.kind);
                }
                if (list.empty())
                    app.setMessage("compare: keep at least one method", true);
                else
                    app.setMethods(list.front(), list, s.lrRatio);
            }
        }
    }

    const bool ratioApplies = comparing || methodHasB(s.method);
    ImGui::BeginDisabled(!ratioApplies);
    float ratio = static_cast<float>(s.lrRatio);
    ImGui::SliderFloat("LoRA+ ratio", &ratio, 1.0f, 64.0f, "%.3g×", ImGuiSliderFlags_Logarithmic);
    if (ImGui::IsItemDeactivatedAfterEdit())
        app.setMethods(s.method, s.compare, std::max(1.0, static_cast<double>(ratio)));
    ImGui::EndDisabled();
    helpTooltip("LoRA+ (--lr-ratio): B, and DoRA's magnitudes, learn at this many times A's rate "
                "(lora, dora, pissa). 1 = plain LoRA. Applied on release; restarts training.");
}

}  // namespace loralab::gui
