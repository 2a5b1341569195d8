// runGui(): Setup → Loop (poll, new frame, build UI, render, swap) → Cleanup.
#include "frame_driver.h"
#include "gl.h"
#include "settings.h"
#include "window.h"

#include <GLFW/glfw3.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <cfloat>
#include <chrono>
#include <cstdio>
#include <sys/resource.h>

namespace loralab {
namespace gui {
namespace {

// User + system CPU time of this process (all threads: training, UI, llvmpipe's rasterizers).
double processCpuSeconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

void glfwErrorToStderr(int code, const char* description) {
    std::fprintf(stderr, "loralab: GLFW error %d: %s\n", code, description);
}

// Files dropped on the window open as File > Open does; the window's user pointer is the App.
void openDroppedPaths(GLFWwindow* window, int count, const char** paths) {
    auto* app = static_cast<App*>(glfwGetWindowUserPointer(window));
    if (!app || count < 1) return;
    app->openPath(paths[0]);
    if (count > 1 && !app->ui().messageIsError)
        app->setMessage(app->ui().message + " (" + std::to_string(count - 1) + " more dropped files ignored)");
}

}  // namespace

int runWindow(const GuiOptions& options, const WindowRun& run) {
    const bool screenshotMode = !options.screenshotPath.empty();
    if (!glfwInit()) {
        std::fprintf(stderr, "loralab: no display to open a window on; use --headless, or run under xvfb-run\n");
        return 1;
    }
    glfwSetErrorCallback(glfwErrorToStderr);

    // Settings persist only for interactive sessions (screenshots must not depend on them).
    const std::string settingsFile = screenshotMode ? std::string() : settingsPath();
    std::string warning;
    Settings settings = screenshotMode ? Settings{} : loadSettings(settingsFile, warning);
    if (!warning.empty()) std::fprintf(stderr, "loralab: warning: %s\n", warning.c_str());

    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    GLFWwindow* window = glfwCreateWindow(settings.windowWidth, settings.windowHeight, "LoRA Lab", nullptr, nullptr);
    if (!window) {
        std::fprintf(stderr, "loralab: cannot create a window with an OpenGL 3.3 core context\n");
        glfwTerminate();
        return 1;
    }
    if (settings.windowX && settings.windowY) glfwSetWindowPos(window, *settings.windowX, *settings.windowY);
    glfwMakeContextCurrent(window);
    glfwSwapInterval(run.vsync && !screenshotMode ? 1 : 0);

    const Fonts fonts = setupImGui(settings.fontSize);
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");

    int exitCode = 0;
    {
        App app(options);
        app.setKeyCodes(GLFW_KEY_S, GLFW_KEY_R, GLFW_KEY_F12, GLFW_KEY_W);
        app.setFonts(fonts, settings.fontSize);
        if (!screenshotMode) app.applySettings(settings);
        if (!warning.empty()) app.setMessage(warning, true);
        if (!options.openPath.empty()) {
            app.openPath(options.openPath);
            if (app.ui().messageIsError) std::fprintf(stderr, "loralab: warning: %s\n", app.ui().message.c_str());
        }
        glfwSetWindowUserPointer(window, &app);
        glfwSetDropCallback(window, openDroppedPaths);
        std::string error;
        if (!app.initGraphics(error)) {
            std::fprintf(stderr, "loralab: OpenGL: %s\n", error.c_str());
            exitCode = 1;
        } else {
            if (run.play) app.togglePlay();
            const int frames = screenshotMode ? std::max(1, options.frames) : run.maxFrames;
            const auto start = std::chrono::steady_clock::now();
            const double cpuStart = processCpuSeconds();
            const long long startStep = app.stepCount();
            int frame = 0;
            double renderSecs = 0, swapSecs = 0, maxFrameSecs = 0;  // reported when run.reportRate
            while (!glfwWindowShouldClose(window)) {
                glfwPollEvents();
                ++frame;
                // A screenshot counts its frames from when what it asked for is built.
                if (screenshotMode && app.building()) frame = 0;
                if (run.eachFrame) run.eachFrame(app, frame);
                if (screenshotMode && frame == frames) app.requestScreenshot(options.screenshotPath);
                ImGui_ImplOpenGL3_NewFrame();
                ImGui_ImplGlfw_NewFrame();
                // A screenshot shows no hover tooltip wherever Xvfb's pointer happens to be.
                if (screenshotMode) ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
                ImGui::NewFrame();
                int fbW = 0, fbH = 0;
                glfwGetFramebufferSize(window, &fbW, &fbH);
                const auto t0 = std::chrono::steady_clock::now();
                renderFrame(app, fbW, fbH);
                const auto t1 = std::chrono::steady_clock::now();
                renderSecs += std::chrono::duration<double>(t1 - t0).count();
                if (screenshotMode && frame == frames) {
                    if (!app.lastCaptureOk()) {
                        std::fprintf(stderr, "loralab: %s\n", app.ui().message.c_str());
                        exitCode = 1;
                    }
                }
                const auto t2 = std::chrono::steady_clock::now();
                glfwSwapBuffers(window);
                const auto t3 = std::chrono::steady_clock::now();
                swapSecs += std::chrono::duration<double>(t3 - t2).count();
                maxFrameSecs = std::max(maxFrameSecs, std::chrono::duration<double>(t3 - t0).count());
                if (frames > 0 && frame >= frames) break;
            }
            if (run.reportRate) {
                const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                const long long steps = app.stepCount() - startStep;
                const double cpu = processCpuSeconds() - cpuStart;
                std::fprintf(stderr,
                             "loralab: %d frames in %.2f s: %.1f frames/s, %.0f steps/s "
                             "(per frame: %.1f ms UI+training+GL submit, %.1f ms swap; %.1f ms of CPU over "
                             "all threads, %.0f%% of one core; longest frame %.1f ms)\n",
                             frame, secs, frame / secs, static_cast<double>(steps) / secs,
                             1e3 * renderSecs / frame, 1e3 * swapSecs / frame, 1e3 * cpu / frame,
                             100.0 * cpu / secs, 1e3 * maxFrameSecs);
            }
            if (!screenshotMode) {
                Settings out = app.currentSettings();
                glfwGetWindowSize(window, &out.windowWidth, &out.windowHeight);
                int x = 0, y = 0;
                glfwGetWindowPos(window, &x, &y);
                out.windowX = x;
                out.windowY = y;
                std::string saveError;
                if (!saveSettings(settingsFile, out, saveError))
                    std::fprintf(stderr, "loralab: warning: settings not saved: %s\n", saveError.c_str());
            }
        }
        glfwSetDropCallback(window, nullptr);
        glfwSetWindowUserPointer(window, nullptr);
        app.shutdownGraphics();
    }
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return exitCode;
}

}  // namespace gui

int runGui(const GuiOptions& options) { return gui::runWindow(options, gui::WindowRun{}); }

}  // namespace loralab
