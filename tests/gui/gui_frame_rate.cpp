// Measures the window's frame rate with training running (not a test: timings vary by machine).
//   xvfb-run -a -s "-screen 0 1600x1000x24" gui_frame_rate [--d N] [--k N] [--rank R] [--frames N]
//                                                         [--switch F]
// Opens the real window (GLFW, OpenGL 3.3, vsync off), presses Play, renders N frames and prints
// frames/s, steps/s, the split between building+rendering a frame and swapping buffers, and the
// longest frame. --switch F changes the target (full, decay, lowrank in turn) every F frames:
// large targets are then built on the worker thread while the window keeps drawing.
// It runs with a settings folder of its own (a temporary XDG_CONFIG_HOME, removed at the end):
// the user's saved scenario neither changes what is measured nor gets replaced by it.
#include "app.h"
#include "window.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

int main(int argc, char** argv) {
    loralab::GuiOptions options;
    options.scenario.d = 256;
    options.scenario.k = 256;
    options.scenario.rank = 16;
    options.scenarioGiven = true;
    int switchEvery = 0;
    loralab::gui::WindowRun run;
    run.play = true;
    run.maxFrames = 600;
    run.reportRate = true;
    run.vsync = false;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const long value = std::stol(argv[i + 1]);
        if (flag == "--d") options.scenario.d = value;
        else if (flag == "--k") options.scenario.k = value;
        else if (flag == "--rank") options.scenario.rank = value;
        else if (flag == "--frames") run.maxFrames = static_cast<int>(value);
        else if (flag == "--threads") options.scenario.threads = static_cast<int>(value);
        else if (flag == "--switch") switchEvery = static_cast<int>(value);
        else {
            std::fprintf(stderr, "usage: gui_frame_rate [--d N] [--k N] [--rank R] [--frames N] [--threads N] [--switch F]\n");
            return 2;
        }
    }
    std::fprintf(stderr, "gui_frame_rate: d = %ld, k = %ld, r = %ld, %d frames, training on\n",
                 static_cast<long>(options.scenario.d), static_cast<long>(options.scenario.k),
                 static_cast<long>(options.scenario.rank), run.maxFrames);
    std::string config = (std::filesystem::temp_directory_path() / "loralab-frame-rate-XXXXXX").string();
    if (!mkdtemp(config.data())) {
        std::perror("gui_frame_rate: cannot make a temporary settings folder");
        return 1;
    }
    setenv("XDG_CONFIG_HOME", config.c_str(), 1);
    long long switches = 0, started = 0, dropped = 0, builds = 0;
    bool wasBuilding = false;
    const auto start = std::chrono::steady_clock::now();
    auto last = start;
    std::string slow;  // frames over 50 ms (time from one frame's start to the next's)
    run.eachFrame = [&](loralab::gui::App& app, int frame) {
        const auto now = std::chrono::steady_clock::now();
        const double ms = std::chrono::duration<double, std::milli>(now - last).count();
        last = now;
        if (ms > 50 && slow.size() < 400)
            slow += " " + std::to_string(frame - 1) + ":" + std::to_string(static_cast<int>(ms)) + "ms";
        started = app.worker().started();
        dropped = app.worker().dropped();
        if (wasBuilding && !app.building()) {  // a build arrived: say when, and train it
            ++builds;
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::fprintf(stderr, "gui_frame_rate: a %ldx%ld fit adopted at frame %d (%.1f s)\n",
                         static_cast<long>(app.ui().scenario.d), static_cast<long>(app.ui().scenario.k), frame, secs);
            app.ui().playing = true;
        }
        wasBuilding = app.building();
        if (switchEvery <= 0 || frame % switchEvery != 0) return;
        static constexpr loralab::TargetKind kinds[] = {loralab::TargetKind::Decay,
                                                        loralab::TargetKind::LowRank,
                                                        loralab::TargetKind::Full};
        app.ui().scenario.target = kinds[switches++ % 3];
        app.rebuild();
    };
    const int code = loralab::gui::runWindow(options, run);
    if (!slow.empty()) std::fprintf(stderr, "gui_frame_rate: frames over 50 ms:%s\n", slow.c_str());
    if (switchEvery > 0)
        std::fprintf(stderr, "gui_frame_rate: %lld target switches, %lld builds started, %lld superseded, %lld adopted\n",
                     switches, started, dropped, builds);
    std::error_code ec;
    std::filesystem::remove_all(config, ec);
    return code;
}
