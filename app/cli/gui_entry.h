// The window as the rest of the app sees it: the options the command line gives it, and the
// entry points through which the CLI and --headless reach it. The window lives in app/gui/,
// which depends on the rest of app/ and never the other way round: main.cpp hands guiEntry()
// to cli::run. A build without the GUI (-DLORALAB_BUILD_GUI=OFF) returns empty entry points,
// and asking for the window or a screenshot there is a usage error (exit 2).
#pragma once

#include "scenario/scenario.h"

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
    std::string openPath;          // optional: a file or folder opened as if dropped on the
                                   // window (App::openPath); an error shows in the status bar
};

// Both return the process exit code: 0, or 1 (no display, GL failure, screenshot write failure).
using GuiRunner = int (*)(const GuiOptions&);

struct GuiEntry {
    GuiRunner runWindow = nullptr;        // the interactive window (GLFW)
    GuiRunner renderOffscreen = nullptr;  // the same panels into options.screenshotPath (EGL)
};

// The window's entry points: defined in app/gui/ when it is built, else empty.
GuiEntry guiEntry();

}  // namespace loralab
