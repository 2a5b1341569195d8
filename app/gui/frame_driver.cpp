#include "frame_driver.h"

#include "gl.h"

#include <imgui_impl_opengl3.h>

#include <cstdio>

namespace loralab::gui {

Fonts setupImGui(float fontSize) {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // the app keeps its own settings (settings.h)
    io.LogFilename = nullptr;
    ImGui::StyleColorsDark();
    ImGuiStyle& style = ImGui::GetStyle();
    style.ScaleAllSizes(1.25f);
    style.FrameRounding = 4;
    style.GrabMinSize = 16;
    style.WindowPadding = ImVec2(10, 8);
    Fonts fonts = loadFonts(fontSize);
    io.FontDefault = fonts.regular;
    return fonts;
}

void renderFrame(App& app, int fbWidth, int fbHeight) {
    app.frame();
    ImGui::Render();
    ImDrawData* data = ImGui::GetDrawData();
    glViewport(0, 0, fbWidth, fbHeight);
    glClearColor(0.09f, 0.09f, 0.11f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    app.beforeRender(data);
    ImGui_ImplOpenGL3_RenderDrawData(data);
    app.afterRender(fbWidth, fbHeight);
    // GL errors are reported in the status line, never fatal.
    const GLenum error = glGetError();
    if (error != GL_NO_ERROR) {
        char text[64];
        std::snprintf(text, sizeof text, "OpenGL error 0x%04x while drawing", error);
        app.setMessage(text, true);
    }
}


}  // namespace loralab::gui
