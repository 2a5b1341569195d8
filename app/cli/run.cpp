#include "cli/run.h"

#include "cli/parse.h"
#include "gui/gui.h"
#include "io/atomic_file.h"
#include "io/target_file.h"
#include "loralab/input_error.h"
#include "loralab/isa.h"
#include "modes/bench.h"
#include "modes/headless.h"
#include "modes/params_mode.h"

#include <algorithm>
#include <new>
#include <ostream>
#include <unistd.h>

namespace loralab::cli {

namespace {

std::string oneLine(std::string text) {
    while (!text.empty() && text.back() == '\n') text.pop_back();
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

int runMode(CliOptions& o, std::ostream& out, std::ostream& err) {
    switch (o.mode) {
    case Mode::Gui:
        // A bad target file is bad input (exit 2 with path:line:column), as in --headless,
        // rather than a message inside a window.
        if (o.gui.scenario.target == TargetKind::File && o.gui.preset.empty())
            loadTargetFile(o.gui.scenario.targetFile);
        return runGui(o.gui);
    case Mode::Headless:
        o.headless.progressTty = ::isatty(STDERR_FILENO) == 1;
        return runHeadless(o.headless, out, err);
    case Mode::Params:
        return runParams(o.params, out, err);
    case Mode::Bench:
        return runBench(o.bench, out, err);
    }
    return 2;
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    ParseResult parsed = parseCommandLine(args, out, err);
    if (!parsed.options) return parsed.exitCode;
    try {
        (void)activeIsa();  // a LORALAB_KERNEL this machine cannot run is a usage error
        const int code = runMode(*parsed.options, out, err);
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
