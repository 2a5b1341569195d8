// The weight view: the frozen base as held (W0ₛ) plus the adapter s·B·A gives the effective
// weight W', set beside the fine-tuned W* = W0 + T and the residual W* − W'. Below: what the
// base's dtype lost (W0 − W0ₛ), what merging rounds away, and the forward pass for one x as
// columns (the bottleneck A·x is r cells tall against d). The errors are far smaller than the
// weights, so each of them has a colour scale of its own (printed under it).
#include "app.h"
#include "panels.h"
#include "savings.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace loralab::gui {
namespace {

const ImU32 kText = IM_COL32(235, 235, 235, 255);
const ImU32 kDim = IM_COL32(170, 175, 185, 255);
const ImU32 kFrozen = IM_COL32(120, 190, 255, 255);
const ImU32 kWarn = IM_COL32(255, 155, 100, 255);
const ImU32 kFrame = IM_COL32(255, 255, 255, 70);

struct Tile {
    int slot;
    const Matrix* m;
    std::string name;
    const char* help;
    float scale;
};

struct Placed {
    ImVec2 p0, p1;
    const Tile* tile;
};

float maxAbs(const Matrix& m) {
    const float v = m.size() ? m.cwiseAbs().maxCoeff() : 0.0f;
    return v > 0 ? v : 1.0f;
}

void frameAndTitle(ImDrawList* dl, const ImVec2& p0, const ImVec2& p1, ImU32 frame, float thick,
                   const std::string& title, ImU32 colour) {
    dl->AddRect(ImVec2(p0.x - 1, p0.y - 1), ImVec2(p1.x + 1, p1.y + 1), frame, 0, 0, thick);
    dl->AddText(ImVec2(p0.x, p0.y - ImGui::GetTextLineHeight() - 3), colour, title.c_str());
}

// A one-line figure under a tile, or "all exactly 0".
std::string scaleCaption(const Tile& t) {
    char buf[64];
    const bool zero = t.m->size() == 0 || t.m->cwiseAbs().maxCoeff() == 0.0f;
    std::snprintf(buf, sizeof buf, zero ? "all exactly 0" : "colour scale ±%.2g", static_cast<double>(t.scale));
    return buf;
}

// The base's size and quantization error, in one line.
std::string baseFiguresLine(const BaseWeight& base) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "W0ₛ in %s: %s, %.3g bits a value (fp32: %s);  quantization error ‖W0 − W0ₛ‖²/(dk) = %.3g",
                  baseDtypeName(base.dtype), formatBytes(static_cast<std::int64_t>(base.bytes())).c_str(),
                  bitsPerValue(base.d(), base.k(), base.dtype, base.doubleQuant),
                  formatBytes(4 * static_cast<std::int64_t>(base.W0.size())).c_str(), base.quantizationError);
    return buf;
}

}  // namespace

void drawWeightView(App& app) {
    const BaseView& v = app.baseView();
    if (v.stored.size() == 0) {
        ImGui::TextUnformatted("No base loaded (see the controls).");
        return;
    }
    HeatmapRenderer& hm = app.heatmaps();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float line = ImGui::GetTextLineHeight();
    const float shared = std::max({maxAbs(v.stored), maxAbs(v.effective), maxAbs(v.wanted)});
    const bool nf4 = app.base()->dtype == BaseDtype::Nf4;
    const ForwardPass& f = v.forward;
    const Matrix fwdSum = f.sum, fwdMerged = f.merged, fwdDiff = f.sum - f.merged;
    const Matrix fwdBase = f.base, fwdBottleneck = f.bottleneck, fwdAdapter = f.adapter;
    const float ys = std::max({maxAbs(fwdBase), maxAbs(fwdSum), maxAbs(fwdMerged)});
    const Tile top[] = {
        {SlotStored, &v.stored, std::string("W0ₛ  frozen, ") + baseDtypeName(app.base()->dtype),
         "The base as held in memory. Frozen: no gradient reaches it.", shared},
        {SlotAdapter, &v.adapter, "s·B·A  trained", "The adapter's update, the only part that trains.", shared},
        {SlotEffective, &v.effective, "W'  effective", "W' = W0ₛ + s·B·A: what the layer computes with.", shared},
        {SlotWanted, &v.wanted, "W* = W0 + T", "The fully fine-tuned weight the adapter aims for.", shared},
        {SlotWeightResidual, &v.residual, "W* − W'", "What is left: its mean square is the loss.", maxAbs(v.residual)},
    };
    const Tile errors[] = {
        {SlotQuantError, &v.quantError, "W0 − W0ₛ  quantization",
         "What storing W0 in this dtype lost; the adapter has to fit it as well as T.", maxAbs(v.quantError)},
        {SlotMergeError, &v.mergeError, std::string("merge rounding, ") + mergePrecisionName(v.precision),
         "round(W0ₛ + s·B·A) − (W0ₛ + s·B·A): zero in fp32; in bf16 every entry is rounded.", maxAbs(v.mergeError)},
    };
    const Tile forward[] = {
        {SlotFwdBase, &fwdBase, "W0ₛx", "The base's output for x: d numbers.", ys},
        {SlotFwdBottleneck, &fwdBottleneck, "Ax", "A·x: the whole input squeezed through r numbers.", maxAbs(fwdBottleneck)},
        {SlotFwdAdapter, &fwdAdapter, "sBAx", "s·B·(A·x): the adapter's output, d numbers.", ys},
        {SlotFwdSum, &fwdSum, "y", "y = W0ₛx + s·B·(A·x): the adapter kept apart.", ys},
        {SlotFwdMerged, &fwdMerged, "W'x", "y' = W'x with the adapter merged: one product.", ys},
        {SlotFwdDiff, &fwdDiff, "y−y'", "What merging changed in the output (its own scale).", maxAbs(fwdDiff)},
    };

    // Top row: five tiles with "+" and "=" between the first three.
    const float symbolW = ImGui::CalcTextSize(" = ").x + 8;
    const float gap = 14;
    const float aspect = static_cast<float>(v.stored.rows()) / static_cast<float>(v.stored.cols());
    const float topH = (avail.y - 10 * line) * 0.5f;
    const float w = std::min((avail.x - 8 - 2 * symbolW - 2 * gap) / 5.0f, topH / aspect);
    if (w < 8) {
        ImGui::TextWrapped("Window too small for the weight view.");
        return;
    }
    const float h = w * aspect;
    std::vector<Placed> placed;
    float x = origin.x + 4;
    const float y = origin.y + line + 6;
    const char* between[] = {"+", "=", "", "", ""};
    for (int i = 0; i < 5; ++i) {
        const ImVec2 p0(x, y), p1(x + w, y + h);
        hm.draw(dl, top[i].slot, p0, p1, top[i].scale);
        frameAndTitle(dl, p0, p1, i == 0 ? kFrozen : kFrame, i == 0 ? 2.5f : 1.0f, top[i].name, i == 0 ? kFrozen : kText);
        placed.push_back({p0, p1, &top[i]});
        x = p1.x + (between[i][0] ? symbolW : gap);
        if (between[i][0])
            dl->AddText(ImVec2(p1.x + symbolW * 0.5f - ImGui::CalcTextSize(between[i]).x * 0.5f, y + h * 0.5f - line * 0.5f),
                        kText, between[i]);
    }
    app.ui().deltaWRect = ScreenRect{placed[1].p0, placed[1].p1};  // s·B·A is this view's ΔW
    char caption[240];
    const Trainer* fit = app.trainer();
    std::snprintf(caption, sizeof caption, "%lld×%lld, colour scale ±%.3g for the first four;  loss ‖W* − W'‖²/(dk) = %.4g;  "
                  "floor %.4g (T alone: %.4g)", static_cast<long long>(v.stored.rows()), static_cast<long long>(v.stored.cols()),
                  static_cast<double>(shared), v.loss, fit ? fit->currentFloor() : 0.0, app.plainFloor());
    dl->AddText(ImVec2(origin.x + 4, y + h + 6), kText, caption);
    dl->AddText(ImVec2(origin.x + 4, y + h + 6 + line), kText, baseFiguresLine(*app.base()).c_str());

    // Bottom row: the two error maps, then the forward pass as columns.
    const float y2 = y + h + 4 * line + 4;
    const float bottomH = origin.y + avail.y - y2 - 3.3f * line - (nf4 ? 2 * line : 0.0f);
    const float h2 = std::min(h, bottomH);
    if (h2 < 8) return;
    const float w2 = h2 / aspect;
    x = origin.x + 4;
    for (const Tile& t : errors) {
        const ImVec2 p0(x, y2), p1(x + w2, y2 + h2);
        hm.draw(dl, t.slot, p0, p1, t.scale);
        frameAndTitle(dl, p0, p1, kFrame, 1.0f, t.name, kText);
        dl->AddText(ImVec2(p0.x, p1.y + 4), kDim, scaleCaption(t).c_str());
        placed.push_back({p0, p1, &t});
        x = p1.x + std::max(gap * 2, ImGui::CalcTextSize(t.name.c_str()).x - w2 + gap * 2);
    }
    const float colW = std::max(10.0f, std::min(28.0f, h2 / 6));
    const float rowH = h2 / static_cast<float>(v.stored.rows());
    for (const Tile& t : forward) {
        const float th = t.slot == SlotFwdBottleneck ? rowH * static_cast<float>(t.m->rows()) : h2;
        const float top0 = y2 + (h2 - th) * 0.5f;
        const ImVec2 p0(x, top0), p1(x + colW, top0 + th);
        hm.draw(dl, t.slot, p0, p1, t.scale);
        dl->AddRect(ImVec2(p0.x - 1, p0.y - 1), ImVec2(p1.x + 1, p1.y + 1), t.slot == SlotFwdBottleneck ? kWarn : kFrame);
        const float tw = ImGui::CalcTextSize(t.name.c_str()).x;
        dl->AddText(ImVec2(x + colW * 0.5f - tw * 0.5f, y2 - line - 3), t.slot == SlotFwdBottleneck ? kWarn : kText, t.name.c_str());
        placed.push_back({p0, p1, &t});
        x += std::max(colW, tw) + gap;
    }
    // Below the row: the merge's figures, the forward pass's, and for NF4 the QLoRA warning.
    char text[240];
    const float yText = y2 + h2 + 4 + line;
    std::snprintf(text, sizeof text, "merge in %s: rounding up to %.2g;  unmerged again, the base is off by up to %.2g",
                  mergePrecisionName(v.precision), v.mergeErrorMax, v.unmergeErrorMax);
    dl->AddText(ImVec2(origin.x + 4, yText), kDim, text);
    std::snprintf(text, sizeof text, "forward pass for one x: apart %.0f + %.0f FLOPs, merged %.0f FLOPs;  max |y − y'| = %.2g",
                  f.flopsBase, f.flopsAdapter, f.flopsMerged, f.maxAbsDiff);
    dl->AddText(ImVec2(origin.x + 4, yText + line), kDim, text);
    if (nf4) {
        std::snprintf(text, sizeof text, "QLoRA: merged into the full-precision W0, the weight moves by W0 − W0ₛ "
                      "(mean square %.3g):", v.quantizationError);
        dl->AddText(ImVec2(origin.x + 4, yText + 2 * line), kWarn, text);
        std::snprintf(text, sizeof text, "the quantization error comes back: not the model trained (loss to W* %.4g, "
                      "as trained %.4g).", v.qloraMergeLoss, v.loss);
        dl->AddText(ImVec2(origin.x + 4, yText + 3 * line), kWarn, text);
    }

    ImGui::SetCursorScreenPos(origin);
    ImGui::InvisibleButton("##weights", ImVec2(std::max(1.0f, avail.x), std::max(1.0f, avail.y)));
    if (!ImGui::IsItemHovered()) return;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    for (const Placed& b : placed) {
        if (mouse.x < b.p0.x || mouse.x >= b.p1.x || mouse.y < b.p0.y || mouse.y >= b.p1.y) continue;
        const Matrix& m = *b.tile->m;
        const Index i = std::clamp<Index>(static_cast<Index>((mouse.y - b.p0.y) / (b.p1.y - b.p0.y) * static_cast<float>(m.rows())), 0, m.rows() - 1);
        const Index j = std::clamp<Index>(static_cast<Index>((mouse.x - b.p0.x) / (b.p1.x - b.p0.x) * static_cast<float>(m.cols())), 0, m.cols() - 1);
        ImGui::SetTooltip("%s  row %lld, column %lld\nvalue %.6g\n%s", b.tile->name.c_str(), static_cast<long long>(i + 1),
                          static_cast<long long>(j + 1), static_cast<double>(m(i, j)), b.tile->help);
        return;
    }
}

}  // namespace loralab::gui
