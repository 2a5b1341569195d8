// `loralab --headless`: trains one scenario with no window.
//
// Progress goes to `err` (a redrawn bar on a terminal, a plain line every 10 % otherwise), the
// summary (or with `json`, exactly one JSON object) to `out`. Optional outputs: the loss curve
// (streamed while training, committed at the end; on divergence it holds every finite step;
// "-" is standard output, and the summary then goes to `err`), an offscreen screenshot of the
// GUI panels, and the adapter in peft's layout. Every file goes through io/output_file.h.
//
// Exit codes: 0 done; 1 divergence (message "diverged at step N" with a suggested --lr) or an
// I/O failure; 2 bad input (a bad target file, an invalid scenario).
#pragma once

#include "cli/gui_entry.h"
#include "scenario/scenario.h"

#include <iosfwd>
#include <string>

namespace loralab {

struct HeadlessOptions {
    Scenario scenario = defaultScenario();
    bool json = false;
    std::string curvePath;       // --curve FILE.csv (or "-")
    std::string screenshotPath;  // --screenshot FILE.png
    int frames = 3;              // frames rendered before the screenshot
    std::string exportDir;       // --export-adapter DIR
    std::string mergedPath;      // --export-merged FILE.safetensors
    std::string moduleName = "layer";
    bool progressTty = false;    // stderr is a terminal: redraw one line

    // The headless defaults: the Scenario defaults, trained for 2000 steps.
    static Scenario defaultScenario() {
        Scenario s;
        s.steps = 2000;
        return s;
    }
};

// Peak bytes of a run on a generated target: building it, then its spectrum beside it, then
// training (T, factors, gradients, optimizer state and workspaces, counted as the bench's fit
// workload counts them), plus the program itself. The window holds two fits at once (the one
// shown and the one the worker builds).
double headlessMemoryEstimate(const Scenario& s, int threads);
double windowMemoryEstimate(const Scenario& s);

// `renderOffscreen` draws the --screenshot (GuiEntry::renderOffscreen); it must be set when
// options.screenshotPath is.
int runHeadless(const HeadlessOptions& options, std::ostream& out, std::ostream& err,
                GuiRunner renderOffscreen);

// --screenshot after a headless run: the window's panels rendered offscreen for scenario `s`
// (it pre-trains s.steps itself). Returns the renderer's exit code; says where the file went.
int renderHeadlessScreenshot(const HeadlessOptions& options, const Scenario& s, std::ostream& err,
                             GuiRunner renderOffscreen);

}  // namespace loralab
