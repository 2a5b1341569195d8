// Entry points of the GUI (owned by app/gui/). main.cpp parses the command line and calls one.
#pragma once

#include "scenario.h"

#include <string>

namespace loralab {

struct GuiOptions {
    Scenario scenario;             // initial state (pre-trained for scenario.steps steps)
    std::string screenshotPath;    // non-empty: render `frames` frames, save PNG here, exit
    int frames = 3;                // frames to render before a --screenshot
    std::string outDir = ".";      // where F12 / "Export curve" / adapter export write
    bool scenarioGiven = false;    // true when any scenario flag was on the command line
                                   // (then it overrides the persisted settings)
    std::string preset;            // optional: start from this teaching preset (a name from
                                   // assets/presets.json, e.g. "Rank-1 outer product"); then
                                   // scenario.steps still pre-trains. Unknown name: error shown.
};

// Opens a GLFW window with an OpenGL 3.3 core context and runs the app until it is closed.
// Returns the process exit code: 0, 1 (no display, GL failure, screenshot write failure).
int runGui(const GuiOptions& options);

// Renders the same panels offscreen (EGL, Mesa surfaceless platform, no X server) and saves
// options.screenshotPath. Used by `loralab --headless --screenshot FILE.png`. Exit code as above.
int renderOffscreen(const GuiOptions& options);

}  // namespace loralab
