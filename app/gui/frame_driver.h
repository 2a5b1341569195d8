// What the GLFW window and the offscreen (EGL) renderer share: ImGui setup for a projector,
// one frame (UI, then GL), and the screenshot-mode report.
#pragma once

#include "app.h"

namespace loralab::gui {

// Creates the ImGui context, style and fonts (size from `fontSize`), no ini file. The caller
// then initializes the platform backend (if any) and the OpenGL3 backend.
Fonts setupImGui(float fontSize);

// Threads for training inside the GUI: `requested` (--threads) when > 0, else 1. The software
// renderer (llvmpipe) needs the other cores, and OpenMP workers spinning between the window's
// small training steps starve it: the frame rate drops by more than the training gains.
void setTrainingThreads(int requested);

// Builds one frame (ImGui::NewFrame must have been called) and renders it into the currently
// bound framebuffer of fbWidth×fbHeight pixels, then lets the app capture screenshots.
void renderFrame(App& app, int fbWidth, int fbHeight);

}  // namespace loralab::gui
