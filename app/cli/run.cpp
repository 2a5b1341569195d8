#include "cli/run.h"

#include "cli/parse.h"
#include "io/atomic_file.h"
#include "io/target_file.h"
#include "loralab/csv.h"
#include "bench/bench.h"
#include "headless/headless.h"
#include "inspect/inspect_mode.h"
#include "params/params_mode.h"

#include <algorithm>
#include <new>
#include <stdexcept>
#include <ostream>
#include <unistd.h>

namespace loralab::cli {

namespace {

std::string oneLine(std::string text) {
    while (!text.empty() && text.back() == '\n') text.pop_back();
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

// Asking a build without the window for it is a usage error, found before any work starts.
void requireWindow(GuiRunner runner, bool screenshot) {
    if (runner) return;
    const std::string why = "the window is not part of this build (LORALAB_BUILD_GUI=OFF)";
    throw std::invalid_argument(screenshot ? "--screenshot: " + why + ", so there is nothing to render"
                                           : why + "; use --headless, --bench or --params");
}

int runMode(CliOptions& o, std::ostream& out, std::ostream& err, const GuiEntry& gui) {
    switch (o.mode) {
    case Mode::Gui:
        requireWindow(gui.runWindow, !o.gui.screenshotPath.empty());
        // A bad target file is bad input (exit 2 with path:line:column), as in --headless,
        // rather than a message inside a window.
        if (o.gui.scenario.target == TargetKind::File && o.gui.preset.empty())
            loadTargetFile(o.gui.scenario.targetFile, o.gui.scenario.targetTensor);
        return gui.runWindow(o.gui);
    case Mode::Headless:
        if (!o.headless.screenshotPath.empty()) requireWindow(gui.renderOffscreen, true);
        o.headless.progressTty = ::isatty(STDERR_FILENO) == 1;
        return runHeadless(o.headless, out, err, gui.renderOffscreen);
    case Mode::Params:
        return runParams(o.params, out, err);
    case Mode::Bench:
        return runBench(o.bench, out, err);
    case Mode::Inspect:
        o.inspect.progressTty = ::isatty(STDERR_FILENO) == 1;
        return runInspect(o.inspect, out, err);
    }
    return 2;
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        const GuiEntry& gui) {
    ParseResult parsed = parseCommandLine(args, out, err);
    if (!parsed.options) return parsed.exitCode;
    try {
        const int code = runMode(*parsed.options, out, err, gui);
        out.flush();
        if (!out) {  // e.g. stdout redirected to a full disk: the results were lost
            err << "loralab: cannot write the results to standard output\n";
            return 1;
        }
        return code;
    } catch (const std::invalid_argument& e) {  // InputError (bad file) and core validation
        err << "loralab: " << oneLine(e.what()) << '\n';
        return 2;
    } catch (const IoError& e) {
        err << "loralab: " << oneLine(e.what()) << '\n';
        return 1;
    } catch (const std::bad_alloc&) {
        err << "loralab: out of memory (try a smaller --d/--k or --rank)\n";
        return 1;
    } catch (const std::exception& e) {
        err << "loralab: " << oneLine(e.what()) << '\n';
        return 1;
    }
}

}  // namespace loralab::cli
