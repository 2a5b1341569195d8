// Singular values of T (bars, the first r highlighted) and of ΔW (narrow bars on top), and the
// subspace similarity between their top directions.
#include "app.h"
#include "panels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace loralab::gui {

namespace {
constexpr ImU32 kSigmaTopColour = IM_COL32(90, 160, 255, 255);
constexpr ImU32 kSigmaRestColour = IM_COL32(120, 120, 130, 255);
constexpr ImU32 kSigmaDeltaColour = IM_COL32(255, 170, 50, 255);
}  // namespace

void drawSpectrumPanel(App& app) {
    Trainer* trainer = app.trainer();
    if (!trainer) return;
    const FitView& dv = app.derived();
    const VectorD& sigmaT = trainer->spectrum().sigma;
    const Index r = trainer->rank();
    ImGui::TextUnformatted("Singular values");
    helpTooltip("Grey: σᵢ(T), with the first r (what a rank-r adapter can capture) in blue. Orange: σᵢ(ΔW). When training reaches the floor the orange bars cover the blue ones.");
    ImGui::SameLine(0, 24);
    if (dv.similarity >= 0)
        ImGui::Text("φ = %.3f", dv.similarity);
    else if (dv.spectrumSkipped)
        ImGui::TextDisabled("σ(ΔW), φ: r > %lld, not computed live", static_cast<long long>(kMaxSpectrumRank));
    else
        ImGui::TextDisabled("φ —");
    helpTooltip("Subspace similarity φ(i, i) = ‖UᵢᵀVᵢ‖²/i between the top-i left singular vectors of ΔW and of T (LoRA paper §7): 1 = ΔW points where T's top directions point, 0 = unrelated.");

    // Legend: one swatch per colour, on a line of its own under the title.
    ImDrawList* dl = ImGui::GetWindowDrawList();
    bool firstSwatch = true;
    auto swatch = [&](ImU32 colour, const char* label, const char* tip) {
        if (!firstSwatch) ImGui::SameLine(0, 16);
        firstSwatch = false;
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const float h = ImGui::GetTextLineHeight();
        dl->AddRectFilled(ImVec2(at.x, at.y + h * 0.2f), ImVec2(at.x + h * 0.8f, at.y + h), colour);
        ImGui::Dummy(ImVec2(h * 0.8f, h));
        ImGui::SameLine(0, 5);
        ImGui::TextUnformatted(label);
        helpTooltip(tip);
    };
    swatch(kSigmaTopColour, "σ(T) top r", "The r largest singular values of the target: what a rank-r adapter can capture.");
    swatch(kSigmaRestColour, "σ(T) rest", "The rest of the target's spectrum: the floor is the sum of their squares over d·k.");
    swatch(kSigmaDeltaColour, "σ(ΔW)", "Singular values of the learned ΔW = s·B·A (at most r of them).");

    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    ImGui::InvisibleButton("##spectrum", ImVec2(std::max(1.0f, avail.x), std::max(1.0f, avail.y)));
    const bool hovered = ImGui::IsItemHovered();
    const float line = ImGui::GetTextLineHeight();
    const float left = ImGui::CalcTextSize("00.0").x + 12, bottom = line + 8;
    const ImVec2 p0(origin.x + left, origin.y + 6), p1(origin.x + avail.x - 8, origin.y + avail.y - bottom);
    if (p1.x - p0.x < 20 || p1.y - p0.y < 20 || sigmaT.size() == 0) return;

    // Show at most one bar per 3 pixels (the tail of a 512-long spectrum is summarised).
    // A partial spectrum ends in one "rest" bar: the values not computed, together. Its height
    // is their root-sum-square ‖T − T_n‖_F (the same units as the bars), cut at the top of the
    // plot when it is taller, with its share of ‖T‖² written on it.
    const Spectrum& spec = trainer->spectrum();
    const bool rest = !spec.complete && spec.restSq > 0;
    const Index m = sigmaT.size();
    const Index room = static_cast<Index>((p1.x - p0.x) / 2) - (rest ? 2 : 0);
    const Index shown = std::max<Index>(1, std::min<Index>(m, room));
    // Whole-pixel bars (fractional widths shimmer).
    const float bwPx = std::clamp(std::floor((p1.x - p0.x) / static_cast<float>(shown + (rest ? 2 : 0))), 1.0f, 40.0f);
    double top = sigmaT(0);
    for (Index i = 0; i < dv.deltaSigma.size(); ++i) top = std::max(top, dv.deltaSigma(i));
    if (!(top > 0)) top = 1;
    const float bw = bwPx;
    auto y = [&](double v) { return p1.y - static_cast<float>(v / top) * (p1.y - p0.y); };
    for (Index i = 0; i < shown; ++i) {
        const float x = p0.x + static_cast<float>(i) * bw;
        const ImU32 c = i < r ? kSigmaTopColour : kSigmaRestColour;
        dl->AddRectFilled(ImVec2(x + bw * 0.08f, y(sigmaT(i))), ImVec2(x + bw * 0.92f, p1.y), c);
        if (i < dv.deltaSigma.size()) {
            if (bw >= 5) {
                const float inset = bw * 0.3f;
                dl->AddRectFilled(ImVec2(x + inset, y(dv.deltaSigma(i))), ImVec2(x + bw - inset, p1.y),
                                  kSigmaDeltaColour);
            } else {  // thin bars: ΔW's value as an orange cap
                const float yy = y(dv.deltaSigma(i));
                dl->AddRectFilled(ImVec2(x, yy - 1.5f), ImVec2(x + bw, yy + 1.5f), kSigmaDeltaColour);
            }
        }
    }
    char buf[64];
    float restX0 = 0, restX1 = 0;
    if (rest) {
        restX0 = p0.x + static_cast<float>(shown + 1) * bw;
        restX1 = std::min(p1.x, restX0 + std::max(bw, ImGui::CalcTextSize("rest").x + 6));
        const float yr = std::max(p0.y, y(std::sqrt(spec.restSq)));
        dl->AddRectFilled(ImVec2(restX0, yr), ImVec2(restX1, p1.y), kSigmaRestColour);
        if (yr <= p0.y)  // taller than the plot: a break mark at the top
            dl->AddLine(ImVec2(restX0 - 2, p0.y + 6), ImVec2(restX1 + 2, p0.y + 2), IM_COL32(30, 30, 35, 255), 3.0f);
        std::snprintf(buf, sizeof buf, "%.3g%%", 100.0 * spec.restSq / std::max(spec.normSq, 1e-300));
        dl->AddText(ImVec2(restX0 + 2, std::max(p0.y + line, yr - line - 2)), IM_COL32(235, 235, 235, 255), buf);
        dl->AddText(ImVec2(restX0 + 2, p1.y + 4), IM_COL32(200, 200, 200, 255), "rest");
    }
    dl->AddLine(ImVec2(p0.x, p1.y), ImVec2(p1.x, p1.y), IM_COL32(220, 220, 220, 255));
    std::snprintf(buf, sizeof buf, "%.3g", top);
    dl->AddText(ImVec2(origin.x + 4, p0.y), IM_COL32(220, 220, 220, 255), buf);
    dl->AddText(ImVec2(origin.x + 4, p1.y - line), IM_COL32(220, 220, 220, 255), "0");
    if (shown < m)
        std::snprintf(buf, sizeof buf, "index 1..%lld of %lld", static_cast<long long>(shown), static_cast<long long>(m));
    else if (rest)
        std::snprintf(buf, sizeof buf, "index 1..%lld computed of %lld", static_cast<long long>(m),
                      static_cast<long long>(std::min(spec.d, spec.k)));
    else
        std::snprintf(buf, sizeof buf, "index 1..%lld", static_cast<long long>(m));
    dl->AddText(ImVec2(p0.x, p1.y + 4), IM_COL32(200, 200, 200, 255), buf);
    // Mark the rank boundary.
    if (r < shown) {
        const float xr = p0.x + static_cast<float>(r) * bw;
        dl->AddLine(ImVec2(xr, p0.y), ImVec2(xr, p1.y), IM_COL32(90, 160, 255, 160), 1.5f);
        const std::string rl = "r = " + std::to_string(static_cast<long long>(r));
        dl->AddText(ImVec2(std::min(xr + 4, p1.x - ImGui::CalcTextSize(rl.c_str()).x), p0.y), IM_COL32(90, 160, 255, 255), rl.c_str());
    }
    if (hovered && rest && ImGui::GetIO().MousePos.x >= restX0 && ImGui::GetIO().MousePos.x < restX1) {
        ImGui::SetTooltip("rest: σ%lld..σ%lld of T, not computed one by one\n"
                          "together √Σσᵢ² = %.5g, %.4g%% of ‖T‖² (the floor at rank %lld)",
                          static_cast<long long>(m + 1), static_cast<long long>(std::min(spec.d, spec.k)),
                          std::sqrt(spec.restSq), 100.0 * spec.restSq / std::max(spec.normSq, 1e-300),
                          static_cast<long long>(m));
    } else if (hovered) {
        const float mx = ImGui::GetIO().MousePos.x;
        const Index i = std::clamp<Index>(static_cast<Index>((mx - p0.x) / bw), 0, shown - 1);
        if (i < dv.deltaSigma.size())
            ImGui::SetTooltip("i = %lld\nσᵢ(T)  = %.5g\nσᵢ(ΔW) = %.5g", static_cast<long long>(i + 1), sigmaT(i), dv.deltaSigma(i));
        else
            ImGui::SetTooltip("i = %lld\nσᵢ(T) = %.5g\n(beyond rank r: ΔW has no component here)", static_cast<long long>(i + 1), sigmaT(i));
    }
}

}  // namespace loralab::gui
