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
    const Index m = sigmaT.size();
    const Index shown = std::max<Index>(1, std::min<Index>(m, static_cast<Index>((p1.x - p0.x) / 2)));
    // Whole-pixel bars (fractional widths shimmer).
    const float bwPx = std::clamp(std::floor((p1.x - p0.x) / static_cast<float>(shown)), 1.0f, 40.0f);
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
    dl->AddLine(ImVec2(p0.x, p1.y), ImVec2(p1.x, p1.y), IM_COL32(220, 220, 220, 255));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g", top);
    dl->AddText(ImVec2(origin.x + 4, p0.y), IM_COL32(220, 220, 220, 255), buf);
    dl->AddText(ImVec2(origin.x + 4, p1.y - line), IM_COL32(220, 220, 220, 255), "0");
    if (shown < m)
        std::snprintf(buf, sizeof buf, "index 1..%lld of %lld", static_cast<long long>(shown), static_cast<long long>(m));
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
    if (hovered) {
        const float mx = ImGui::GetIO().MousePos.x;
        const Index i = std::clamp<Index>(static_cast<Index>((mx - p0.x) / bw), 0, shown - 1);
        if (i < dv.deltaSigma.size())
            ImGui::SetTooltip("i = %lld\nσᵢ(T)  = %.5g\nσᵢ(ΔW) = %.5g", static_cast<long long>(i + 1), sigmaT(i), dv.deltaSigma(i));
        else
            ImGui::SetTooltip("i = %lld\nσᵢ(T) = %.5g\n(beyond rank r: ΔW has no component here)", static_cast<long long>(i + 1), sigmaT(i));
    }
}

}  // namespace loralab::gui
