// A small reusable loss-curve plot drawn with ImDrawList (ImPlot is not packaged in Debian).
//
// Log-scale y (decade ticks and labels), linear x (steps) with round ticks, an optional dashed
// horizontal line (the floor) and vertical marks (rank changes); one curve, or several in their
// own colours with a legend. Long histories are bucketed to
// the plot's pixel width (min/max per column), so drawing costs O(points + width).
#pragma once

#include "loralab/trainer.h"

#include <imgui.h>

#include <optional>
#include <string>
#include <vector>

namespace loralab::gui {

// One curve of several (methods side by side), with its legend entry.
struct LossSeries {
    const std::vector<HistoryPoint>* history = nullptr;  // ordered by step
    std::string label;
    ImU32 color = IM_COL32_WHITE;
};

struct LossCurveInput {
    const std::vector<HistoryPoint>* history = nullptr;  // ordered by step
    std::vector<LossSeries> series;       // when given: drawn instead of history, with a legend
    std::optional<double> floor;          // dashed line; ignored unless > 0 (log scale)
    std::vector<long long> marks;         // steps to mark with a vertical line
    std::string floorLabel = "floor";
    std::string markLabel = "rank change";
    std::string emptyHint;                // shown in the plot while the history is empty
};

struct LossCurveStyle {
    ImU32 line = IM_COL32(255, 190, 60, 255);
    ImU32 floor = IM_COL32(120, 200, 255, 255);
    ImU32 mark = IM_COL32(210, 120, 255, 200);
    ImU32 grid = IM_COL32(255, 255, 255, 40);
    ImU32 axis = IM_COL32(220, 220, 220, 255);
    float lineWidth = 2.5f;
};

struct ScreenRect {
    ImVec2 min{0, 0}, max{0, 0};
    bool valid() const { return max.x > min.x && max.y > min.y; }
};

// Draws the plot into the next `size` pixels of the current window (an invisible button, so it
// takes part in the layout and hover works). Returns the plot's screen rectangle.
ScreenRect drawLossCurve(const char* id, ImVec2 size, const LossCurveInput& in,
                     const LossCurveStyle& style = {});

}  // namespace loralab::gui
