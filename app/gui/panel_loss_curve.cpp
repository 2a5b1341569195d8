// The loss curve with the Eckart–Young floor for the current rank and the rank changes; with
// methods, a curve each and LoRA's floor as the reference line.
#include "app.h"
#include "loss_curve.h"
#include "panels.h"

#include <cstdio>

namespace loralab::gui {

namespace {

void drawMethodCurves(App& app) {
    MethodSession& session = *app.session();
    const double floor = session.loraFloor();
    const bool zeroFloor = floor <= app.derived().zeroLevel;
    const int rank = static_cast<int>(app.currentRank());
    if (zeroFloor)
        ImGui::TextColored(ImVec4(0.47f, 0.78f, 1.0f, 1.0f), "LoRA's floor at r = %d: 0", rank);
    else
        ImGui::TextColored(ImVec4(0.47f, 0.78f, 1.0f, 1.0f), "LoRA's floor at r = %d: %.4g", rank, floor);
    helpTooltip("Eckart–Young floor at rank r: Σ_{i>r} σᵢ(T)² / (d·k), the best any rank-r ΔW can do. "
                "Full fine-tuning has no floor; DoRA's d magnitudes can take it under.");
    // The methods under LoRA's floor, said where the teacher looks.
    std::string under;
    for (const CompareResult& r : app.methodResults())
        if (r.belowFloor) under += (under.empty() ? "" : ", ") + std::string(methodName(r.method));
    ImGui::SameLine(0, 28);
    if (!under.empty())
        ImGui::TextColored(ImVec4(0.55f, 0.9f, 0.55f, 1.0f), "under LoRA's floor: %s", under.c_str());
    else
        ImGui::TextDisabled(session.comparing() ? "step %lld, every method in lockstep" : "step %lld",
                            session.stepCount());

    LossCurveInput in;
    for (std::size_t m = 0; m < session.size(); ++m)
        in.series.push_back({&session.trainer(m).history(), methodName(session.kind(m)),
                             methodColour(session.kind(m))});
    if (!zeroFloor) in.floor = floor;
    in.floorLabel = "floor";  // the line above names it: LoRA's, at this rank
    in.emptyHint = "no steps yet: Play (Space) or Step (S)";
    drawLossCurve("##loss", ImGui::GetContentRegionAvail(), in);
}

}  // namespace

void drawLossCurvePanel(App& app) {
    UiState& ui = app.ui();
    ui.curveRect = ScreenRect{ImGui::GetWindowPos(),
                              ImVec2(ImGui::GetWindowPos().x + ImGui::GetWindowSize().x,
                                     ImGui::GetWindowPos().y + ImGui::GetWindowSize().y)};
    if (app.session()) return drawMethodCurves(app);
    Trainer* trainer = app.trainer();
    if (!trainer) return;
    const FitView& dv = app.derived();
    if (dv.loss <= dv.zeroLevel)
        ImGui::TextUnformatted("loss ≈ 0");
    else
        ImGui::Text("loss %.4g", dv.loss);
    helpTooltip("‖s·B·A − T‖² / (d·k) at the current factors.");
    ImGui::SameLine(0, 28);
    if (dv.floorIsZero())
        ImGui::TextColored(ImVec4(0.47f, 0.78f, 1.0f, 1.0f), "floor 0");
    else
        ImGui::TextColored(ImVec4(0.47f, 0.78f, 1.0f, 1.0f), "floor %.4g", dv.floor);
    helpTooltip("Eckart–Young floor for this rank: Σ_{i>r} σᵢ(T)² / (d·k). No rank-r product does better.");
    ImGui::SameLine(0, 28);
    if (!dv.floorIsZero())
        ImGui::Text("loss/floor %.3f", dv.loss / dv.floor);
    else
        ImGui::TextDisabled("loss/floor —  (r ≥ rank of T: exact fit possible)");
    helpTooltip("1.000 means training reached the best any rank-r adapter can do.");

    LossCurveInput in;
    in.history = &trainer->history();
    if (!dv.floorIsZero()) in.floor = dv.floor;
    in.floorLabel = "floor at r = " + std::to_string(static_cast<long long>(trainer->rank()));
    in.marks = trainer->rankChanges();
    in.emptyHint = "no steps yet: Play (Space) or Step (S)";
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    drawLossCurve("##loss", avail, in);
}

}  // namespace loralab::gui
