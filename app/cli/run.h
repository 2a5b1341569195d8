// The whole command line: parse, then run the chosen mode. main() is a call to this.
#pragma once

#include "cli/gui_entry.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace loralab::cli {

// Exit codes (DESIGN.md): 0 done, 1 runtime failure (I/O, divergence), 2 bad usage or input.
// Errors that escape a mode become one line on `err`: InputError, OutputPathError and
// std::invalid_argument (a bad file, a folder given as a file, a value the core refused) exit
// 2; IoError and anything else exit 1.
// Standard output closed by its reader (`| head`) ends the run quietly with this code, the
// one a shell reports for a tool its pipe ended (128 + SIGPIPE).
// `gui` is the window (guiEntry()); without it the window and --screenshot exit 2.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        const GuiEntry& gui);

constexpr int kExitStdoutClosed = 141;

// main(): run() with std::cerr and a standard output whose every write is checked
// (io/output_file.h), with SIGPIPE ignored.
int runMain(const std::vector<std::string>& args, const GuiEntry& gui);

}  // namespace loralab::cli
