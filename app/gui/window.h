// The GLFW window loop behind runGui(), with knobs for measuring (the frame-rate tool).
#pragma once

#include "gui.h"

namespace loralab::gui {

struct WindowRun {
    bool play = false;        // start training at once
    int maxFrames = 0;        // > 0: close after this many frames (screenshot mode sets it too)
    bool reportRate = false;  // print frames/s and steps/s on stderr at the end
    bool vsync = true;
};

int runWindow(const GuiOptions& options, const WindowRun& run);

}  // namespace loralab::gui
