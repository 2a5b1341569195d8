#include "cli/run.h"

#include "cli/parse.h"
#include "io/output_file.h"
#include "io/target_file.h"
#include "loralab/input_error.h"
#include "loralab/isa.h"
#include "bench/bench.h"
#include "bench/sysinfo.h"
#include "headless/headless.h"
#include "inspect/inspect_mode.h"
#include "params/params_mode.h"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <iostream>
#include <new>
#include <stdexcept>
#include <ostream>
#include <streambuf>
#include <unistd.h>

namespace loralab::cli {

namespace {

// Standard output through the one output path: every write checked, a closed reader throws
// StdoutClosed. On a terminal each line goes out when it ends, as with stdio.
class StdoutBuffer : public std::streambuf {
public:
    StdoutBuffer() : m_file("-", true), m_lineByLine(::isatty(STDOUT_FILENO) == 1) {}

    // Flushes and checks that the last bytes were taken (close(2) of stdout itself is left to
    // the C library at exit: std::cerr and stdio may still share the descriptor).
    void close() {
        if (m_file.isOpen()) m_file.commit();
    }

protected:
    int_type overflow(int_type c) override {
        if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
        const char ch = traits_type::to_char_type(c);
        put(&ch, 1);
        return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        put(s, static_cast<std::size_t>(n));
        return n;
    }
    int sync() override {
        if (m_file.isOpen()) m_file.flush();
        return 0;
    }

private:
    void put(const char* s, std::size_t n) {
        m_file.write(std::string_view(s, n));
        if (m_lineByLine && std::memchr(s, '\n', n)) m_file.flush();
    }

    OutputFile m_file;
    bool m_lineByLine;
};

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
                                           : why + "; use --headless, --bench, --params or --inspect");
}

int runMode(CliOptions& o, std::ostream& out, std::ostream& err, const GuiEntry& gui) {
    switch (o.mode) {
    case Mode::Gui:
        requireWindow(gui.runWindow, !o.gui.screenshotPath.empty());
        // A bad target file is bad input (exit 2 with path:line:column), as in --headless,
        // rather than a message inside a window; so is a screenshot path that is a folder.
        if (o.gui.scenario.target == TargetKind::File && o.gui.preset.empty())
            loadTargetFile(o.gui.scenario.targetFile, o.gui.scenario.targetTensor);
        // A base file is read with its target, so that a shape mismatch is an exit 2 too.
        if (o.gui.scenario.base == BaseKind::File && o.gui.preset.empty()) (void)makeFit(o.gui.scenario);
        if (!o.gui.screenshotPath.empty()) resolveOutput(o.gui.screenshotPath);
        if (o.gui.scenario.target != TargetKind::File && o.gui.preset.empty()) {
            const Scenario& s = o.gui.scenario;
            requireShape(s.d, s.k, s.rank);  // a bad rank is reported as such, not as memory
            const std::string what = "a " + std::to_string(s.d) + "x" + std::to_string(s.k) +
                                     " target at rank " + std::to_string(s.rank);
            if (refuseWhatCannotFit("the window", what, windowMemoryEstimate(s), "use smaller --d/--k", err))
                return 2;
        }
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
    try {
        ParseResult parsed = parseCommandLine(args, out, err);
        if (!parsed.options) {
            out.flush();
            return parsed.exitCode;
        }
        (void)activeIsa();  // a LORALAB_KERNEL this machine cannot run is a usage error
        const int code = runMode(*parsed.options, out, err, gui);
        out.flush();
        if (!out) {  // e.g. stdout redirected to a full disk: the results were lost
            err << "loralab: cannot write the results to standard output\n";
            return 1;
        }
        return code;
    } catch (const StdoutClosed&) {  // `loralab ... | head`: the reader has what it wanted
        return kExitStdoutClosed;
    } catch (const std::invalid_argument& e) {  // InputError, OutputPathError, core validation
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

int runMain(const std::vector<std::string>& args, const GuiEntry& gui) {
    // A reader that goes away must show up as EPIPE on the write (an error for a FIFO output,
    // a quiet end for standard output), not as a signal that kills the process mid-write.
    std::signal(SIGPIPE, SIG_IGN);
    StdoutBuffer buffer;
    std::ostream out(&buffer);
    out.exceptions(std::ios::badbit);  // rethrows the output path's IoError / StdoutClosed
    const int code = run(args, out, std::cerr, gui);
    if (code == kExitStdoutClosed) return code;
    try {
        buffer.close();
    } catch (const StdoutClosed&) {
        return kExitStdoutClosed;
    } catch (const IoError& e) {
        std::cerr << "loralab: " << oneLine(e.what()) << '\n';
        return 1;
    }
    return code;
}

}  // namespace loralab::cli
