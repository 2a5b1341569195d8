#include "loss_curve.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace loralab::gui {
namespace {

// m·10^e as "0.02", "500" or "2e-5".
std::string tickLabel(double m, int e) {
    char buf[32];
    if (e >= -3 && e <= 3)
        std::snprintf(buf, sizeof buf, "%g", m * std::pow(10.0, e));
    else
        std::snprintf(buf, sizeof buf, "%ge%d", m, e);
    return buf;
}

double niceStep(double span, int targetTicks) {
    if (span <= 0 || targetTicks < 1) return 1;
    const double raw = span / targetTicks;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / mag;
    const double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return std::max(1.0, nice * mag);
}

std::string stepLabel(double v) {
    char buf[32];
    if (v >= 1e6)
        std::snprintf(buf, sizeof buf, "%gM", v / 1e6);
    else if (v >= 1e4)
        std::snprintf(buf, sizeof buf, "%gk", v / 1e3);
    else
        std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
}

void dashedLine(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 color, float thickness, float dash,
                float gap) {
    const float len = std::hypot(b.x - a.x, b.y - a.y);
    if (len <= 0) return;
    const ImVec2 dir((b.x - a.x) / len, (b.y - a.y) / len);
    for (float t = 0; t < len; t += dash + gap) {
        const float e = std::min(len, t + dash);
        dl->AddLine(ImVec2(a.x + dir.x * t, a.y + dir.y * t), ImVec2(a.x + dir.x * e, a.y + dir.y * e),
                    color, thickness);
    }
}

// One curve: all points when few, else min/max per pixel column (a vertical bar) and their
// geometric mean (the line).
template <typename MapX, typename MapY>
void drawSeries(ImDrawList* dl, const std::vector<HistoryPoint>& h, ImVec2 p0, ImVec2 p1, double x0,
                double x1, MapX mapX, MapY mapY, ImU32 color, float width) {
    const int columns = std::max(1, static_cast<int>(p1.x - p0.x));
    std::vector<ImVec2> line;
    if (static_cast<int>(h.size()) <= 2 * columns) {
        line.reserve(h.size());
        for (const HistoryPoint& p : h)
            if (std::isfinite(p.loss)) line.emplace_back(mapX(static_cast<double>(p.step)), mapY(p.loss));
    } else {
        std::vector<double> cmin(static_cast<std::size_t>(columns), std::numeric_limits<double>::infinity());
        std::vector<double> cmax(static_cast<std::size_t>(columns), -1.0);
        for (const HistoryPoint& p : h) {
            if (!std::isfinite(p.loss)) continue;
            int c = static_cast<int>((static_cast<double>(p.step) - x0) / (x1 - x0) * (columns - 1));
            c = std::clamp(c, 0, columns - 1);
            cmin[static_cast<std::size_t>(c)] = std::min(cmin[static_cast<std::size_t>(c)], p.loss);
            cmax[static_cast<std::size_t>(c)] = std::max(cmax[static_cast<std::size_t>(c)], p.loss);
        }
        for (int c = 0; c < columns; ++c) {
            const std::size_t i = static_cast<std::size_t>(c);
            if (cmax[i] < 0) continue;
            const float x = p0.x + static_cast<float>(c);
            if (cmax[i] > cmin[i]) dl->AddLine(ImVec2(x, mapY(cmax[i])), ImVec2(x, mapY(cmin[i])), color, 1.0f);
            line.emplace_back(x, mapY(std::sqrt(std::max(cmin[i], 1e-300) * std::max(cmax[i], 1e-300))));
        }
    }
    if (line.size() >= 2)
        dl->AddPolyline(line.data(), static_cast<int>(line.size()), color, 0, width);
    else if (line.size() == 1)
        dl->AddCircleFilled(line[0], 3.0f, color);
}

// The history point nearest to `step` (h not empty).
const HistoryPoint& nearest(const std::vector<HistoryPoint>& h, double step) {
    auto it = std::lower_bound(h.begin(), h.end(), step,
                               [](const HistoryPoint& p, double s) { return static_cast<double>(p.step) < s; });
    if (it == h.end()) --it;
    if (it != h.begin() && std::fabs(static_cast<double>((it - 1)->step) - step) <
                               std::fabs(static_cast<double>(it->step) - step))
        --it;
    return *it;
}

}  // namespace

ScreenRect drawLossCurve(const char* id, ImVec2 size, const LossCurveInput& in,
                         const LossCurveStyle& style) {
    ScreenRect out;
    size.x = std::max(size.x, 1.0f);
    size.y = std::max(size.y, 1.0f);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton(id, size);
    const bool hovered = ImGui::IsItemHovered();
    out.min = origin;
    out.max = ImVec2(origin.x + size.x, origin.y + size.y);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    // No background fill: the window's is used (every filled pixel costs on a software renderer).

    const float lineH = ImGui::GetTextLineHeight();
    const float left = ImGui::CalcTextSize("1e-10").x + 14.0f;
    const float bottom = lineH + 10.0f;
    const float top = lineH + 8.0f;  // legend row
    const float right = 14.0f;
    const ImVec2 p0(out.min.x + left, out.min.y + top);
    const ImVec2 p1(out.max.x - right, out.max.y - bottom);
    if (p1.x - p0.x < 20 || p1.y - p0.y < 20) return out;  // too small to draw anything useful

    std::vector<LossSeries> series = in.series;
    if (series.empty()) series.push_back({in.history, "loss (log scale)", style.line});
    const std::vector<HistoryPoint> empty;
    for (LossSeries& c : series)
        if (!c.history) c.history = &empty;

    // Ranges.
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0;
    for (const LossSeries& c : series) {
        for (const HistoryPoint& p : *c.history)
            if (std::isfinite(p.loss) && p.loss > 0) {
                lo = std::min(lo, p.loss);
                hi = std::max(hi, p.loss);
            }
        if (!c.history->empty()) {
            x0 = std::min(x0, static_cast<double>(c.history->front().step));
            x1 = std::max(x1, static_cast<double>(c.history->back().step));
        }
    }
    const bool noPoints = !(x1 >= x0);
    const bool haveFloor = in.floor && std::isfinite(*in.floor) && *in.floor > 0;
    if (haveFloor) {
        lo = std::min(lo, *in.floor);
        hi = std::max(hi, *in.floor);
    }
    if (!(hi > 0)) {
        lo = 1e-3;
        hi = 1;
    }
    lo = std::max(lo, hi * 1e-14);
    // y range in log10 units, padded; at least 0.3 decades tall.
    double yLo = std::log10(lo), yHi = std::log10(hi);
    if (yHi - yLo < 0.3) {
        const double mid = 0.5 * (yLo + yHi);
        yLo = mid - 0.15;
        yHi = mid + 0.15;
    }
    const double pad = 0.06 * (yHi - yLo);
    yLo -= pad;
    yHi += pad;
    if (noPoints) {
        x0 = 0.0;
        x1 = 1.0;
    }
    if (x1 <= x0) x1 = x0 + 1;

    auto mapX = [&](double step) {
        return static_cast<float>(p0.x + (step - x0) / (x1 - x0) * (p1.x - p0.x));
    };
    auto mapY = [&](double loss) {
        const double l = std::log10(std::max(loss, std::pow(10.0, yLo)));
        return static_cast<float>(p1.y - (l - yLo) / (yHi - yLo) * (p1.y - p0.y));
    };

    // Grid, ticks and labels: 1-2-5 steps when the range is short, decades otherwise.
    const double span = yHi - yLo;
    const int maxLabels = std::max(2, static_cast<int>((p1.y - p0.y) / (lineH * 1.5f)));
    std::vector<double> mantissas = {1.0};
    if (span < 1.2) mantissas = {1.0, 2.0, 5.0};
    if (span < 0.8) mantissas = {1.0, 1.2, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0};
    int every = 1;
    if (mantissas.size() == 1) every = std::max(1, static_cast<int>(std::ceil(span / maxLabels)));
    for (int e = static_cast<int>(std::floor(yLo)); e <= static_cast<int>(std::ceil(yHi)); ++e) {
        if (mantissas.size() == 1 && e % every != 0) continue;
        for (double m : mantissas) {
            const double v = m * std::pow(10.0, e);
            const double lv = std::log10(v);
            if (lv < yLo || lv > yHi) continue;
            const float y = mapY(v);
            dl->AddLine(ImVec2(p0.x, y), ImVec2(p1.x, y), style.grid);
            const std::string label = tickLabel(m, e);
            const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
            dl->AddText(ImVec2(p0.x - ts.x - 6, y - ts.y * 0.5f), style.axis, label.c_str());
        }
    }
    const double xStep = niceStep(x1 - x0, std::max(1, static_cast<int>((p1.x - p0.x) / 110)));
    for (double t = std::ceil(x0 / xStep) * xStep; t <= x1 + 1e-9; t += xStep) {
        const float x = mapX(t);
        dl->AddLine(ImVec2(x, p0.y), ImVec2(x, p1.y), style.grid);
        const std::string label = stepLabel(t);
        const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
        dl->AddText(ImVec2(std::min(x - ts.x * 0.5f, p1.x - ts.x), p1.y + 4), style.axis, label.c_str());
    }
    dl->AddRect(p0, p1, IM_COL32(255, 255, 255, 90));

    dl->PushClipRect(p0, p1, true);
    // Rank changes.
    for (long long m : in.marks)
        if (m >= x0 && m <= x1) dashedLine(dl, ImVec2(mapX(m), p0.y), ImVec2(mapX(m), p1.y), style.mark, 2.0f, 6, 5);
    // Floor.
    if (haveFloor) {
        const float y = mapY(*in.floor);
        dashedLine(dl, ImVec2(p0.x, y), ImVec2(p1.x, y), style.floor, 2.5f, 12, 8);
    }
    for (const LossSeries& c : series)
        drawSeries(dl, *c.history, p0, p1, x0, x1, mapX, mapY, c.color, style.lineWidth);
    if (noPoints && !in.emptyHint.empty()) {
        // Centred in the plot, or, when the floor's line runs through the middle (it does
        // while there is no history), centred in the larger part beside it.
        const ImVec2 ts = ImGui::CalcTextSize(in.emptyHint.c_str());
        float hintTop = p0.y, hintBottom = p1.y;
        if (haveFloor) {
            const float y = mapY(*in.floor);
            if (y - p0.y > p1.y - y) hintBottom = y;
            else hintTop = y;
        }
        dl->AddText(ImVec2((p0.x + p1.x - ts.x) * 0.5f, (hintTop + hintBottom - ts.y) * 0.5f),
                    style.axis, in.emptyHint.c_str());
    }
    dl->PopClipRect();

    // Legend.
    float lx = p0.x;
    const float ly = out.min.y + 3;
    auto legend = [&](ImU32 color, bool dashed, const std::string& label) {
        if (dashed)
            dashedLine(dl, ImVec2(lx, ly + lineH * 0.5f), ImVec2(lx + 28, ly + lineH * 0.5f), color, 2.5f, 7, 5);
        else
            dl->AddLine(ImVec2(lx, ly + lineH * 0.5f), ImVec2(lx + 28, ly + lineH * 0.5f), color, 3.0f);
        lx += 34;
        dl->AddText(ImVec2(lx, ly), style.axis, label.c_str());
        lx += ImGui::CalcTextSize(label.c_str()).x + 22;
    };
    for (const LossSeries& c : series) legend(c.color, false, c.label);
    if (haveFloor) legend(style.floor, true, in.floorLabel);
    if (!in.marks.empty()) legend(style.mark, true, in.markLabel);

    // Hover: the nearest recorded point of each curve.
    if (hovered && !noPoints) {
        const ImVec2 mouse = ImGui::GetIO().MousePos;
        const double step = x0 + (mouse.x - p0.x) / (p1.x - p0.x) * (x1 - x0);
        ImGui::BeginTooltip();
        bool first = true;
        for (const LossSeries& c : series) {
            if (c.history->empty()) continue;
            const HistoryPoint& p = nearest(*c.history, step);
            dl->AddCircle(ImVec2(mapX(static_cast<double>(p.step)), mapY(p.loss)), 5.0f, IM_COL32_WHITE, 0, 2.0f);
            if (first) ImGui::Text("step %lld", p.step);
            if (in.series.empty())
                ImGui::Text("loss  %.6g", p.loss);
            else
                ImGui::TextColored(ImColor(c.color), "%-6s %.6g", c.label.c_str(), p.loss);
            if (first && in.series.empty())
                ImGui::Text("floor %.6g (rank %lld)", p.floor, static_cast<long long>(p.rank));
            first = false;
        }
        if (!in.series.empty() && haveFloor) ImGui::Text("%s %.6g", in.floorLabel.c_str(), *in.floor);
        ImGui::EndTooltip();
    }
    return out;
}

}  // namespace loralab::gui
