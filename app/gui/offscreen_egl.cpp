// renderOffscreen(): the same panels rendered with no X server. EGL on Mesa's surfaceless
// platform, a GL 3.3 core context with no surface, an FBO as the framebuffer, ImGui fed its
// display size and frame time directly (no platform backend).
#include "frame_driver.h"
#include "offscreen.h"
#include "gl.h"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <imgui_impl_opengl3.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

namespace loralab {
namespace gui {
namespace {

std::string eglErrorText() {
    char buf[32];
    std::snprintf(buf, sizeof buf, "EGL error 0x%04x", eglGetError());
    return buf;
}

// EGL display + context, released in reverse order.
struct EglSession {
    EGLDisplay display = EGL_NO_DISPLAY;
    EGLContext context = EGL_NO_CONTEXT;
    bool initialized = false;

    bool open(std::string& error) {
        display = eglGetPlatformDisplay(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
        if (display == EGL_NO_DISPLAY) {
            error = "no EGL surfaceless display (Mesa's libegl-mesa0 is needed): " + eglErrorText();
            return false;
        }
        if (!eglInitialize(display, nullptr, nullptr)) {
            error = "eglInitialize failed: " + eglErrorText();
            return false;
        }
        initialized = true;
        if (!eglBindAPI(EGL_OPENGL_API)) {
            error = "eglBindAPI(OpenGL) failed: " + eglErrorText();
            return false;
        }
        const EGLint configAttribs[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,
                                        EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_NONE};
        EGLConfig config = nullptr;
        EGLint count = 0;
        if (!eglChooseConfig(display, configAttribs, &config, 1, &count) || count < 1) {
            error = "no EGL config for OpenGL pbuffers: " + eglErrorText();
            return false;
        }
        const EGLint contextAttribs[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
                                         EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                                         EGL_NONE};
        context = eglCreateContext(display, config, EGL_NO_CONTEXT, contextAttribs);
        if (context == EGL_NO_CONTEXT) {
            error = "cannot create an OpenGL 3.3 core context: " + eglErrorText();
            return false;
        }
        if (!eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, context)) {
            error = "eglMakeCurrent (surfaceless) failed: " + eglErrorText();
            return false;
        }
        return true;
    }

    ~EglSession() {
        if (display == EGL_NO_DISPLAY) return;
        eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
        if (context != EGL_NO_CONTEXT) eglDestroyContext(display, context);
        if (initialized) eglTerminate(display);
    }
};

// An RGBA8 framebuffer object of a fixed size, bound while it lives.
struct Framebuffer {
    GLuint fbo = 0, color = 0;

    bool create(int w, int h, std::string& error) {
        glGenFramebuffers(1, &fbo);
        glBindFramebuffer(GL_FRAMEBUFFER, fbo);
        glGenRenderbuffers(1, &color);
        glBindRenderbuffer(GL_RENDERBUFFER, color);
        glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, w, h);
        glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, color);
        const GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
        if (status != GL_FRAMEBUFFER_COMPLETE) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "framebuffer incomplete (0x%04x)", status);
            error = buf;
            return false;
        }
        return true;
    }

    ~Framebuffer() {
        if (color) glDeleteRenderbuffers(1, &color);
        if (fbo) glDeleteFramebuffers(1, &fbo);
    }
};

}  // namespace

int runOffscreen(const GuiOptions& options, const FrameScript& script, int width, int height) {
    if (width < 1 || height < 1 || width > 8192 || height > 8192) {
        std::fprintf(stderr, "loralab: offscreen size %dx%d is outside 1..8192\n", width, height);
        return 1;
    }
    std::string error;
    EglSession egl;
    if (!egl.open(error)) {
        std::fprintf(stderr, "loralab: offscreen: %s\n", error.c_str());
        return 1;
    }
    int exitCode = 0;
    {
        Framebuffer fb;
        if (!fb.create(width, height, error)) {
            std::fprintf(stderr, "loralab: offscreen: %s\n", error.c_str());
            return 1;
        }
        const Settings defaults;
        const Fonts fonts = setupImGui(defaults.fontSize);
        ImGuiIO& io = ImGui::GetIO();
        io.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
        io.DisplayFramebufferScale = ImVec2(1, 1);
        ImGui_ImplOpenGL3_Init("#version 330 core");
        {
            App app(options);
            app.setFonts(fonts, defaults.fontSize);
            if (!app.initGraphics(error)) {
                std::fprintf(stderr, "loralab: offscreen OpenGL: %s\n", error.c_str());
                exitCode = 1;
            } else {
                const int frames = std::max(1, options.frames);
                for (int frame = 1; frame <= frames;) {
                    io.DeltaTime = 1.0f / 60.0f;
                    // Frames count from when what was asked for is built; until then the
                    // worker gets the cores (nothing is captured from those frames).
                    const bool counted = !app.building();
                    if (!counted) std::this_thread::sleep_for(std::chrono::milliseconds(20));
                    if (counted && script) script(app, frame, frames);
                    ImGui_ImplOpenGL3_NewFrame();
                    ImGui::NewFrame();
                    renderFrame(app, width, height);
                    if (app.captureFailed()) {
                        std::fprintf(stderr, "loralab: %s\n", app.ui().message.c_str());
                        exitCode = 1;
                    }
                    if (counted) ++frame;
                }
                glFinish();
            }
            app.shutdownGraphics();
        }
        ImGui_ImplOpenGL3_Shutdown();
        ImGui::DestroyContext();
    }
    return exitCode;
}

}  // namespace gui

int renderOffscreen(const GuiOptions& options) {
    using namespace gui;
    if (options.screenshotPath.empty()) {
        std::fprintf(stderr, "loralab: offscreen rendering needs --screenshot FILE.png\n");
        return 2;
    }
    return runOffscreen(options, [&](App& app, int frame, int frames) {
        if (frame == frames) app.requestScreenshot(options.screenshotPath);
    });
}

}  // namespace loralab
