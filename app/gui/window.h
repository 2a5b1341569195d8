// The GLFW window loop behind runGui(), with knobs for measuring (the frame-rate tool).
#pragma once

#include "gui.h"

#include <functional>

namespace loralab::gui {

class App;

struct WindowRun {
    bool play = false;        // start training at once
    int maxFrames = 0;        // > 0: close after this many frames (screenshot mode sets it too)
    bool reportRate = false;  // print frames/s and steps/s on stderr at the end
    bool vsync = true;
    std::function<void(App&, int frame)> eachFrame;  // before each frame is built (tools)
};

int runWindow(const GuiOptions& options, const WindowRun& run);

}  // namespace loralab::gui
