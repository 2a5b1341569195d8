// The offscreen renderer behind renderOffscreen(), open to scripts (tests, slides): a callback
// runs before each frame and may act on the App (change the rank, press Play, request a
// screenshot or a loss-curve export). Frames are width×height (renderOffscreen: 1600×1000, the
// size the layout is designed at), 1/60 s apart.
#pragma once

#include "app.h"

#include <functional>

namespace loralab::gui {

// Called before frame `frame` (1-based) of `frames`.
using FrameScript = std::function<void(App& app, int frame, int frames)>;

// Runs `options.frames` frames (at least 1). Returns 0, or 1 when EGL/GL fails or a requested
// capture failed (the message is printed on stderr).
int runOffscreen(const GuiOptions& options, const FrameScript& script, int width = 1600, int height = 1000);

}  // namespace loralab::gui
