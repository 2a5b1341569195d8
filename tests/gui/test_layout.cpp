// The panel layout (app/gui/layout.h): the five panels tile the window's content region with
// the given spacing, none overlaps another or reaches past the region, and no size drops
// below one pixel, from a projector's window down to a sliver.
#include "layout.h"

#include <gtest/gtest.h>

namespace loralab::gui {
namespace {

struct Rect {
    float x0, y0, x1, y1;
};

bool overlap(const Rect& a, const Rect& b) {
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

// The panels placed as App::buildLayout places them: a left column (heatmaps above the curve
// and the spectrum), then the right column (controls above savings).
std::vector<Rect> place(const PanelLayout& p, ImVec2 s) {
    const float leftW = p.heatmaps.x, lowY = p.heatmaps.y + s.y, rightX = leftW + s.x;
    return {{0, 0, leftW, p.heatmaps.y},
            {0, lowY, p.lossCurve.x, lowY + p.lossCurve.y},
            {p.lossCurve.x + s.x, lowY, p.lossCurve.x + s.x + p.spectrum.x, lowY + p.spectrum.y},
            {rightX, 0, rightX + p.controls.x, p.controls.y},
            {rightX, p.controls.y + s.y, rightX + p.savings.x, p.controls.y + s.y + p.savings.y}};
}

constexpr float kStatus = 34;
const ImVec2 kSpacing(10, 5);

TEST(Layout, PanelsTileTheRegionWithoutOverlap) {
    for (ImVec2 avail : {ImVec2(1580, 960), ImVec2(2540, 1400), ImVec2(1000, 700), ImVec2(640, 400),
                         ImVec2(300, 200), ImVec2(120, 90)}) {
        const PanelLayout p = layoutPanels(avail, kStatus, kSpacing);
        const std::vector<Rect> rects = place(p, kSpacing);
        for (std::size_t i = 0; i < rects.size(); ++i) {
            EXPECT_LE(rects[i].x1, avail.x + 1e-3f) << avail.x << "x" << avail.y << " panel " << i;
            EXPECT_LE(rects[i].y1, avail.y - kStatus + 1e-3f) << avail.x << "x" << avail.y << " panel " << i;
            for (std::size_t j = i + 1; j < rects.size(); ++j)
                EXPECT_FALSE(overlap(rects[i], rects[j])) << avail.x << "x" << avail.y << " " << i << "," << j;
        }
        // Tiled: the right column ends at the region's right edge, both columns at the status bar.
        EXPECT_FLOAT_EQ(rects[3].x1, avail.x);
        EXPECT_FLOAT_EQ(rects[4].y1, avail.y - kStatus);
        EXPECT_FLOAT_EQ(rects[1].y1, avail.y - kStatus);
        EXPECT_FLOAT_EQ(rects[2].x1, rects[0].x1);
    }
}

TEST(Layout, TheRightColumnIsClampedForReadableControls) {
    // 29 % of the width, at least 300 px (or half a narrow window), at most 520 px.
    EXPECT_FLOAT_EQ(layoutPanels(ImVec2(1580, 960), kStatus, kSpacing).controls.x, 1580 * 0.29f);
    EXPECT_FLOAT_EQ(layoutPanels(ImVec2(3000, 960), kStatus, kSpacing).controls.x, 520);
    EXPECT_FLOAT_EQ(layoutPanels(ImVec2(800, 960), kStatus, kSpacing).controls.x, 300);
    EXPECT_FLOAT_EQ(layoutPanels(ImVec2(400, 960), kStatus, kSpacing).controls.x, 200);
}

TEST(Layout, NoSizeBelowOnePixel) {
    for (ImVec2 avail : {ImVec2(40, 30), ImVec2(1, 1), ImVec2(0, 0), ImVec2(-20, -10)}) {
        const PanelLayout p = layoutPanels(avail, kStatus, kSpacing);
        for (ImVec2 v : {p.heatmaps, p.lossCurve, p.spectrum, p.controls, p.savings}) {
            EXPECT_GE(v.x, 1.0f) << avail.x << "x" << avail.y;
            EXPECT_GE(v.y, 1.0f) << avail.x << "x" << avail.y;
        }
    }
}

}  // namespace
}  // namespace loralab::gui
