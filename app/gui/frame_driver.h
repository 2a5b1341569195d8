// What the GLFW window and the offscreen (EGL) renderer share: ImGui setup for a projector,
// one frame (UI, then GL), and the screenshot-mode report.
#pragma once

#include "app.h"

namespace loralab::gui {

// Creates the ImGui context, style and fonts (size from `fontSize`), no ini file. The caller
// then initializes the platform backend (if any) and the OpenGL3 backend.
Fonts setupImGui(float fontSize);

// Builds one frame (ImGui::NewFrame must have been called) and renders it into the currently
// bound framebuffer of fbWidth×fbHeight pixels, then lets the app capture screenshots.
void renderFrame(App& app, int fbWidth, int fbHeight);

}  // namespace loralab::gui
