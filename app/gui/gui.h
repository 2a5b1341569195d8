// Entry points of the GUI (app/gui/). main.cpp passes them to cli::run through guiEntry().
#pragma once

#include "cli/gui_entry.h"

namespace loralab {

// Opens a GLFW window with an OpenGL 3.3 core context and runs the app until it is closed.
// Returns the process exit code: 0, 1 (no display, GL failure, screenshot write failure).
int runGui(const GuiOptions& options);

// Renders the same panels offscreen (EGL, Mesa surfaceless platform, no X server) and saves
// options.screenshotPath. Used by `loralab --headless --screenshot FILE.png`. Exit code as above.
int renderOffscreen(const GuiOptions& options);

}  // namespace loralab
