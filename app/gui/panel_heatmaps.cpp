// The heatmaps laid out as the product reads: B (d×r) on the left, A (r×k) on top, ΔW = s·B·A
// where they cross, the target T and the residual T − ΔW beside it, and a colorbar.
#include "app.h"
#include "panels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace loralab::gui {
namespace {

struct Box {
    ImVec2 p0, p1;
    float w() const { return p1.x - p0.x; }
    float h() const { return p1.y - p0.y; }
    bool contains(ImVec2 p) const { return p.x >= p0.x && p.x < p1.x && p.y >= p0.y && p.y < p1.y; }
};

const ImU32 kText = IM_COL32(235, 235, 235, 255);
const ImU32 kDim = IM_COL32(170, 175, 185, 255);
const ImU32 kAccent = IM_COL32(255, 210, 90, 255);

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

void textCentered(ImDrawList* dl, ImVec2 center, ImU32 color, const std::string& s) {
    const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
    dl->AddText(ImVec2(center.x - ts.x * 0.5f, center.y - ts.y * 0.5f), color, s.c_str());
}

// A dimension line with end ticks along an edge, horizontal or vertical.
void dimensionLine(ImDrawList* dl, ImVec2 a, ImVec2 b, bool horizontal) {
    dl->AddLine(a, b, kDim, 1.5f);
    const float t = 5;
    if (horizontal) {
        dl->AddLine(ImVec2(a.x, a.y - t), ImVec2(a.x, a.y + t), kDim, 1.5f);
        dl->AddLine(ImVec2(b.x, b.y - t), ImVec2(b.x, b.y + t), kDim, 1.5f);
    } else {
        dl->AddLine(ImVec2(a.x - t, a.y), ImVec2(a.x + t, a.y), kDim, 1.5f);
        dl->AddLine(ImVec2(b.x - t, b.y), ImVec2(b.x + t, b.y), kDim, 1.5f);
    }
}

// Cell values printed inside cells that are big enough (the 4×4 preset reads like a worksheet).
void cellValues(ImDrawList* dl, const Box& box, const Matrix& m, float scale) {
    if (m.size() == 0) return;
    const float cw = box.w() / static_cast<float>(m.cols());
    const float ch = box.h() / static_cast<float>(m.rows());
    const ImVec2 need = ImGui::CalcTextSize("-0.00");
    if (cw < need.x + 8 || ch < need.y + 4) return;
    for (Index i = 0; i < m.rows(); ++i)
        for (Index j = 0; j < m.cols(); ++j) {
            const float v = m(i, j);
            const bool dark = std::fabs(v) > 0.55f * scale;
            const ImVec2 c(box.p0.x + (static_cast<float>(j) + 0.5f) * cw, box.p0.y + (static_cast<float>(i) + 0.5f) * ch);
            textCentered(dl, c, dark ? IM_COL32_WHITE : IM_COL32(20, 20, 20, 255),
                         fmt(std::fabs(v) < 0.005f ? "0" : "%.2f", static_cast<double>(v)));
        }
}

// Row/column of the cell under `mouse` in `box` for a rows×cols matrix.
bool cellAt(const Box& box, Index rows, Index cols, ImVec2 mouse, Index& i, Index& j) {
    if (!box.contains(mouse)) return false;
    i = std::clamp<Index>(static_cast<Index>((mouse.y - box.p0.y) / box.h() * static_cast<float>(rows)), 0, rows - 1);
    j = std::clamp<Index>(static_cast<Index>((mouse.x - box.p0.x) / box.w() * static_cast<float>(cols)), 0, cols - 1);
    return true;
}

Box cellBox(const Box& box, Index rows, Index cols, Index i, Index j) {
    const float cw = box.w() / static_cast<float>(cols), ch = box.h() / static_cast<float>(rows);
    return {ImVec2(box.p0.x + static_cast<float>(j) * cw, box.p0.y + static_cast<float>(i) * ch),
            ImVec2(box.p0.x + static_cast<float>(j + 1) * cw, box.p0.y + static_cast<float>(i + 1) * ch)};
}

}  // namespace

void drawHeatmapsPanel(App& app) {
    const FitView& dv = app.derived();
    if (!app.hasModel() || dv.deltaW.size() == 0) {
        ImGui::TextUnformatted("No scenario (see the status bar).");
        return;
    }
    if (app.ui().weightView && app.base()) {
        drawWeightView(app);
        return;
    }
    HeatmapRenderer& hm = app.heatmaps();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const Index d = dv.d, k = dv.k, r = dv.B.cols();
    const float line = ImGui::GetTextLineHeight();

    const std::string dLabel = "d = " + std::to_string(d);
    const std::string kLabel = "k = " + std::to_string(k);
    const std::string rLabel = "r = " + std::to_string(r);
    const float leftW = std::max(ImGui::CalcTextSize(dLabel.c_str()).x, ImGui::CalcTextSize("A").x) + 22;
    const float topH = line + 12;
    const float captionH = line + 14;
    const float gap = 8, sideGap = 30;
    const float barW = 22, barLabelW = ImGui::CalcTextSize("-0.000").x + 12;
    const float Wa = avail.x - leftW - gap - sideGap - 24 - barW - barLabelW;
    const float Ha = avail.y - topH - gap - captionH;
    if (Wa < 40 || Ha < 40) {
        ImGui::TextWrapped("Window too small for the heatmaps.");
        return;
    }
    const bool factors = r > 0;  // full fine-tuning has none: ΔW alone
    const float rf = static_cast<float>(r), kf = static_cast<float>(k), df = static_cast<float>(d);
    const float maxCell = 96;
    // The rank edge stays visible: up to 14 px per rank cell while r of them fit in 15% of the room.
    const float c0 = std::min({Wa / (rf + 2 * kf), Ha / (rf + df), maxCell});
    const float cr = factors ? std::min(maxCell, std::max(c0, std::min(14.0f, 0.15f * std::min(Wa, Ha) / rf))) : 0.0f;
    const float Wk = Wa - rf * cr, Hd = Ha - rf * cr;  // room for the k and d edges
    // T and T − ΔW either side by side at a fraction f ≥ 0.5 of ΔW's size (room to spare in
    // width), or stacked at 0.45 (width is short).
    const float cH = std::min(Hd / df, maxCell);
    const float cRow = std::min(cH, (Wk - sideGap) / (2 * kf));
    const float cStack = std::min(cH, Wk / (1.45f * kf));
    const bool row = cRow >= cStack;
    float c = row ? cRow : cStack;
    const float cxMax = row ? (Wk - sideGap) / (2 * kf) : Wk / (1.45f * kf);
    // Very elongated matrices (2×512): the short side stays at least min(160 px, 45% of the room).
    const float cx = std::min(cxMax, std::max(c, std::min(maxCell, std::min(160.0f, 0.45f * cxMax * kf) / kf)));
    const float cy = std::min(Hd / df, std::max(c, std::min(maxCell, std::min(160.0f, 0.45f * Hd) / df)));
    if (c <= 0 || cx <= 0 || cy <= 0) {
        ImGui::TextWrapped("Window too small for the heatmaps.");
        return;
    }

    const float x0 = std::floor(origin.x + leftW), y0 = std::floor(origin.y + topH);
    Box boxA{ImVec2(x0 + rf * cr + gap, y0), ImVec2(x0 + rf * cr + gap + kf * cx, y0 + rf * cr)};
    Box boxB{ImVec2(x0, y0 + rf * cr + gap), ImVec2(x0 + rf * cr, y0 + rf * cr + gap + df * cy)};
    Box boxW{ImVec2(boxA.p0.x, boxB.p0.y), ImVec2(boxA.p1.x, boxB.p1.y)};
    const float sx = boxW.p1.x + sideGap;
    const float titleH = line + 4;
    Box boxT, boxR;
    if (row) {
        const float rightLimit = origin.x + avail.x - 24 - barW - barLabelW;
        const float roomW = (rightLimit - sx - sideGap) * 0.5f;  // width per side matrix
        float f = std::min({1.0f, roomW / boxW.w(), (boxW.h() - titleH) / boxW.h()});
        f = std::max(f, 0.1f);
        const float w = boxW.w() * f, h = boxW.h() * f;
        boxT = {ImVec2(sx, boxW.p0.y + titleH), ImVec2(sx + w, boxW.p0.y + titleH + h)};
        boxR = {ImVec2(boxT.p1.x + sideGap, boxT.p0.y), ImVec2(boxT.p1.x + sideGap + w, boxT.p1.y)};
    } else {
        const float h = std::max(8.0f, (boxW.h() - 2 * titleH - 4) * 0.5f);
        const float w = std::max(8.0f, boxW.w() * h / boxW.h());
        boxT = {ImVec2(sx, boxW.p0.y + titleH), ImVec2(sx + w, boxW.p0.y + titleH + h)};
        boxR = {ImVec2(sx, boxT.p1.y + titleH + 4), ImVec2(sx + w, boxT.p1.y + titleH + 4 + h)};
    }
    const float barX = std::max(boxT.p1.x, boxR.p1.x) + 24;
    // The colorbar spans ΔW's rows, but never less than 5 text lines (its labels must not touch).
    const float barTop = boxW.p0.y + titleH;
    const float barH = std::min(std::max(boxW.h() - titleH, 5.5f * line), origin.y + avail.y - barTop - 4);
    Box boxBar{ImVec2(barX, barTop), ImVec2(barX + barW, barTop + std::max(barH, 8.0f))};
    // Centre the group in the panel.
    const float dx = std::floor(std::max(0.0f, (origin.x + avail.x - (boxBar.p1.x + barLabelW)) * 0.5f));
    const float dy = std::floor(std::max(0.0f, (origin.y + avail.y - (std::max(boxW.p1.y, boxBar.p1.y) + captionH)) * 0.5f));
    for (Box* b : {&boxA, &boxB, &boxW, &boxT, &boxR, &boxBar}) {
        b->p0.x += dx;
        b->p1.x += dx;
        b->p0.y += dy;
        b->p1.y += dy;
    }

    const bool shared = app.ui().sharedScale;
    auto scaleOf = [&](int slot) {
        const float m = shared ? dv.sharedMax : dv.maxAbs[slot];
        return m > 0 ? m : 1.0f;
    };
    if (factors) {
        hm.draw(dl, SlotA, boxA.p0, boxA.p1, scaleOf(SlotA));
        hm.draw(dl, SlotB, boxB.p0, boxB.p1, scaleOf(SlotB));
    }
    hm.draw(dl, SlotDeltaW, boxW.p0, boxW.p1, scaleOf(SlotDeltaW));
    hm.draw(dl, SlotTarget, boxT.p0, boxT.p1, scaleOf(SlotTarget));
    hm.draw(dl, SlotResidual, boxR.p0, boxR.p1, scaleOf(SlotResidual));
    hm.draw(dl, SlotColorbar, boxBar.p0, boxBar.p1, 1.0f, 1e9f);
    app.ui().deltaWRect = ScreenRect{boxW.p0, boxW.p1};

    for (const Box* b : {&boxA, &boxB, &boxW, &boxT, &boxR, &boxBar})
        if (b->w() > 0 && b->h() > 0) dl->AddRect(ImVec2(b->p0.x - 1, b->p0.y - 1), ImVec2(b->p1.x + 1, b->p1.y + 1), IM_COL32(255, 255, 255, 70));
    cellValues(dl, boxA, dv.A, scaleOf(SlotA));
    cellValues(dl, boxB, dv.B, scaleOf(SlotB));
    cellValues(dl, boxW, dv.deltaW, scaleOf(SlotDeltaW));

    // Edge labels: k over A, d left of B, r under B; names A and B beside their blocks.
    if (factors) {
        dimensionLine(dl, ImVec2(boxA.p0.x, boxA.p0.y - 5), ImVec2(boxA.p1.x, boxA.p0.y - 5), true);
        textCentered(dl, ImVec2((boxA.p0.x + boxA.p1.x) * 0.5f, boxA.p0.y - 6 - line * 0.5f - 2), kAccent, kLabel);
        dimensionLine(dl, ImVec2(boxB.p0.x - 6, boxB.p0.y), ImVec2(boxB.p0.x - 6, boxB.p1.y), false);
        {
            const ImVec2 ts = ImGui::CalcTextSize(dLabel.c_str());
            dl->AddText(ImVec2(boxB.p0.x - 12 - ts.x, (boxB.p0.y + boxB.p1.y) * 0.5f - ts.y * 0.5f), kAccent, dLabel.c_str());
            const ImVec2 ta = ImGui::CalcTextSize("A");
            dl->AddText(ImVec2(boxA.p0.x - 8 - ta.x, (boxA.p0.y + boxA.p1.y) * 0.5f - ta.y * 0.5f), kText, "A");
            const ImVec2 tb = ImGui::CalcTextSize("B");
            dl->AddText(ImVec2(boxB.p0.x - 12 - tb.x, boxB.p0.y), kText, "B");
        }
        dimensionLine(dl, ImVec2(boxB.p0.x, boxB.p1.y + 6), ImVec2(boxB.p1.x, boxB.p1.y + 6), true);
        textCentered(dl, ImVec2((boxB.p0.x + boxB.p1.x) * 0.5f, boxB.p1.y + 10 + line * 0.5f), kAccent, rLabel);
    }
    {
        // With methods the caption names the one shown: the table selects it.
        MethodSession* session = app.session();
        const std::string who = session ? std::string(methodName(session->kind(session->selected()))) + ":  " : "";
        char cap[224];
        if (dv.formula != "s·B·A")
            std::snprintf(cap, sizeof cap, "%sΔW = %s   (%lld×%lld)", who.c_str(), dv.formula.c_str(),
                          static_cast<long long>(d), static_cast<long long>(k));
        else if (dv.pooled())
            std::snprintf(cap, sizeof cap, "ΔW = s·B·A   (%lld×%lld, s = %.3g; a cell: largest of %lld×%lld)",
                          static_cast<long long>(d), static_cast<long long>(k), dv.scale,
                          static_cast<long long>(dv.poolRows), static_cast<long long>(dv.poolCols));
        else
            std::snprintf(cap, sizeof cap, "%sΔW = s·B·A   (%lld×%lld, s = %.3g)", who.c_str(),
                          static_cast<long long>(d), static_cast<long long>(k), dv.scale);
        const float capW = ImGui::CalcTextSize(cap).x;
        const float rEnd = (boxB.p0.x + boxB.p1.x) * 0.5f + ImGui::CalcTextSize(rLabel.c_str()).x * 0.5f + 16;
        const float cx0 = std::max(rEnd, (boxW.p0.x + boxW.p1.x) * 0.5f - capW * 0.5f);
        dl->AddText(ImVec2(cx0, boxW.p1.y + 10), kText, cap);
    }
    {
        // Long titles when they fit over their matrix (and before the next one), short ones if not.
        auto title = [&](const Box& b, float limit, const std::string& longText, const std::string& shortText) {
            const std::string& t = ImGui::CalcTextSize(longText.c_str()).x <= limit ? longText : shortText;
            dl->AddText(ImVec2(b.p0.x, b.p0.y - line - 2), kText, t.c_str());
        };
        const float roomT = (row ? boxR.p0.x : boxBar.p0.x) - boxT.p0.x - 6;
        const float roomR = boxBar.p0.x - boxR.p0.x - 6;
        title(boxT, roomT, shared ? "T  (target)" : "T  max " + fmt("%.3g", dv.maxAbs[SlotTarget]), "T");
        title(boxR, roomR, shared ? "T − ΔW  (residual)" : "T − ΔW  max " + fmt("%.3g", dv.maxAbs[SlotResidual]), "T − ΔW");
    }
    // Colorbar ticks.
    {
        const char* title = shared ? "value" : "× max";
        dl->AddText(ImVec2(boxBar.p0.x, boxBar.p0.y - line * 1.5f - 6), kDim, title);
        const float m = shared ? dv.sharedMax : 1.0f;
        const int steps = boxBar.h() >= 5.5f * line ? 4 : (boxBar.h() >= 3 * line ? 2 : 1);
        for (int t = 0; t <= steps; ++t) {
            const float v = m * (1.0f - 2.0f * static_cast<float>(t) / static_cast<float>(steps));
            const float y = boxBar.p0.y + boxBar.h() * static_cast<float>(t) / static_cast<float>(steps);
            dl->AddLine(ImVec2(boxBar.p1.x, y), ImVec2(boxBar.p1.x + 4, y), kText, 1.5f);
            const std::string label = 2 * t == steps ? "0" : fmt(std::fabs(v) >= 100 ? "%+.0f" : "%+.2f", static_cast<double>(v));
            dl->AddText(ImVec2(boxBar.p1.x + 10, y - line * 0.5f), kText, label.c_str());
        }
    }

    // Hover: row, column, value; ΔW with r ≤ 8 adds the sum term by term.
    ImGui::SetCursorScreenPos(origin);
    ImGui::InvisibleButton("##heatmaps", ImVec2(std::max(1.0f, avail.x), std::max(1.0f, avail.y)));
    if (!ImGui::IsItemHovered()) return;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    Index i = 0, j = 0;
    auto highlight = [&](const Box& b, Index rows, Index cols, Index ci, Index cj) {
        const Box cell = cellBox(b, rows, cols, ci, cj);
        dl->AddRect(cell.p0, cell.p1, IM_COL32(255, 230, 0, 255), 0, 0, 2.0f);
    };
    struct Named {
        const Box* box;
        const Matrix* m;
        const char* name;
        Index pr, pc;  // entries per shown cell
    };
    const Index pr = dv.poolRows, pc = dv.poolCols;
    const Named plain[] = {{&boxB, &dv.B, "B", pr, 1}, {&boxA, &dv.A, "A", 1, pc},
                           {&boxT, &dv.target, "T", pr, pc}, {&boxR, &dv.residual, "T − ΔW", pr, pc},
                           {&boxW, &dv.deltaW, "ΔW", pr, pc}};
    for (const Named& n : plain) {
        if (n.box == &boxW && !dv.pooled()) continue;  // the term-by-term tooltip below
        if (cellAt(*n.box, n.m->rows(), n.m->cols(), mouse, i, j)) {
            highlight(*n.box, n.m->rows(), n.m->cols(), i, j);
            const double v = static_cast<double>((*n.m)(i, j));
            if (n.pr == 1 && n.pc == 1)
                ImGui::SetTooltip("%s  row %lld, column %lld\nvalue %.5g", n.name, static_cast<long long>(i + 1),
                                  static_cast<long long>(j + 1), v);
            else  // a pooled cell: the block it stands for and its largest entry
                ImGui::SetTooltip("%s  rows %lld-%lld, columns %lld-%lld\nlargest |value| there: %.5g", n.name,
                                  static_cast<long long>(i * n.pr + 1),
                                  static_cast<long long>(std::min((i + 1) * n.pr, n.box == &boxA ? r : d)),
                                  static_cast<long long>(j * n.pc + 1),
                                  static_cast<long long>(std::min((j + 1) * n.pc, n.box == &boxB ? r : k)), v);
            return;
        }
    }
    if (cellAt(boxW, d, k, mouse, i, j)) {
        highlight(boxW, d, k, i, j);
        // The row of B and the column of A that make this entry.
        if (factors) {
            const Box rowB = cellBox(boxB, d, 1, i, 0), colA = cellBox(boxA, 1, k, 0, j);
            dl->AddRect(rowB.p0, rowB.p1, IM_COL32(255, 230, 0, 255), 0, 0, 2.0f);
            dl->AddRect(colA.p0, colA.p1, IM_COL32(255, 230, 0, 255), 0, 0, 2.0f);
        }
        ImGui::BeginTooltip();
        ImGui::Text("ΔW  row %lld, column %lld\nvalue %.5g", static_cast<long long>(i + 1), static_cast<long long>(j + 1),
                    static_cast<double>(dv.deltaW(i, j)));
        if (!dv.product) {
            ImGui::TextDisabled("(ΔW = %s: not a plain product of B and A)", dv.formula.c_str());
        } else if (r <= 8) {
            ImGui::Separator();
            ImGui::Text("= s · Σ B[%lld, j] · A[j, %lld]   (j = 1..%lld, s = %.4g)", static_cast<long long>(i + 1),
                        static_cast<long long>(j + 1), static_cast<long long>(r), dv.scale);
            double sum = 0;
            for (Index t = 0; t < r; ++t) {
                const double term = static_cast<double>(dv.B(i, t)) * static_cast<double>(dv.A(t, j));
                sum += term;
                ImGui::Text("  j = %lld:  %+.4f × %+.4f = %+.5f", static_cast<long long>(t + 1),
                            static_cast<double>(dv.B(i, t)), static_cast<double>(dv.A(t, j)), term);
            }
            ImGui::Text("  sum %+.5f,  × s = %+.5f", sum, sum * dv.scale);
        } else {
            ImGui::TextDisabled("(term-by-term sum shown for r ≤ 8)");
        }
        ImGui::EndTooltip();
        return;
    }
    if (boxBar.contains(mouse)) {
        const float v = (1.0f - 2.0f * (mouse.y - boxBar.p0.y) / boxBar.h()) * (shared ? dv.sharedMax : 1.0f);
        ImGui::SetTooltip(shared ? "colour of value %.4g\n(one scale for all matrices)" : "%.3g × each matrix's max |value|",
                          static_cast<double>(v));
    }
}

}  // namespace loralab::gui
