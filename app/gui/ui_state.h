// What the window shows and how, apart from the model (the trainer): control values, view
// options, measured rates, the status message, and last frame's panel rectangles.
#pragma once

#include "loss_curve.h"
#include "scenario/scenario.h"
#include "loralab/merge.h"

#include <string>

namespace loralab::gui {

struct UiState {
    Scenario scenario;              // what the controls edit; applied to the trainer on change
    bool playing = false;
    int stepsPerFrame = 20;         // upper bound; the per-frame time budget may cut it short
    double frameBudgetMs = 5.0;     // training time allowed per frame (keeps ≥ 60 frames/s)
    bool sharedScale = true;        // one colour scale for all heatmaps, or one per matrix
    bool weightView = false;        // with a base: W0ₛ + s·B·A = W' beside W*, not B, A, ΔW
    MergePrecision mergePrecision = MergePrecision::Fp32;
    std::string modelName = "llama-2-7b";
    std::string modules = "q,v";
    float fontSize = 21.0f;
    int presetIndex = -1;           // the preset last applied (-1: none)
    int pendingRank = 0;            // rank slider value not applied yet (large ranks); 0: none

    std::string message;            // status bar message
    bool messageIsError = false;

    double stepsPerSecond = 0;      // measured over the last half second
    double framesPerSecond = 0;

    ScreenRect curveRect;           // the loss-curve panel, for "Export curve"
    ScreenRect deltaWRect;          // where ΔW was drawn (reported in screenshot mode)
};

}  // namespace loralab::gui
