#include "layout.h"

#include <algorithm>
#include <cmath>

namespace loralab::gui {

PanelLayout layoutPanels(ImVec2 avail, float statusHeight, ImVec2 spacing) {
    const float bodyH = std::max(1.0f, avail.y - statusHeight);
    const float rightW = std::clamp(avail.x * 0.29f, std::min(avail.x * 0.5f, 300.0f), 520.0f);
    const float leftW = std::max(1.0f, avail.x - rightW - spacing.x);
    const float heatH = std::max(1.0f, std::floor(bodyH * 0.62f));
    const float lowH = std::max(1.0f, bodyH - heatH - spacing.y);
    const float curveW = std::max(1.0f, std::floor(leftW * 0.60f));
    const float specW = std::max(1.0f, leftW - curveW - spacing.x);
    const float controlsH = std::max(1.0f, std::floor(bodyH * 0.575f));
    const float savingsH = std::max(1.0f, bodyH - controlsH - spacing.y);
    PanelLayout p;
    p.heatmaps = ImVec2(leftW, heatH);
    p.lossCurve = ImVec2(curveW, lowH);
    p.spectrum = ImVec2(specW, lowH);
    p.controls = ImVec2(std::max(1.0f, rightW), controlsH);
    p.savings = ImVec2(std::max(1.0f, rightW), savingsH);
    return p;
}

}  // namespace loralab::gui
