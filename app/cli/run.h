// The whole command line: parse, then run the chosen mode. main() is a call to this.
#pragma once

#include "cli/gui_entry.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace loralab::cli {

// Exit codes (DESIGN.md): 0 done, 1 runtime failure (I/O, divergence), 2 bad usage or input.
// Errors that escape a mode become one line on `err`: InputError and std::invalid_argument
// (a bad file, a value the core refused) exit 2; IoError and anything else exit 1.
// `gui` is the window (guiEntry()); without it the window and --screenshot exit 2.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        const GuiEntry& gui);

}  // namespace loralab::cli
