// Parsing the command line into CliOptions with CLI11, driven by the option table.
//
// Contract (DESIGN.md): any bad usage — unknown flag, a flag of another mode, a
// missing or empty value, a non-number, a value out of range (negative, zero, too large, NaN,
// Inf), an unknown choice, conflicting modes or flags — prints ONE line on `err` naming the
// flag and what is allowed, and gives exit code 2. --help prints the mode's options with their
// defaults on `out` and gives exit code 0.
#pragma once

#include "cli/option_table.h"

#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace loralab::cli {

// A bad command line; what() is the one-line message (without the "loralab: " prefix).
class UsageError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

struct ParseResult {
    std::optional<CliOptions> options;  // set when the program should run
    int exitCode = 0;                   // when options is empty: 0 (--help, --version) or 2
};

// `args` excludes the program name.
ParseResult parseCommandLine(const std::vector<std::string>& args, std::ostream& out,
                             std::ostream& err);

// Throws UsageError; exposed for tests and the fuzzer.
CliOptions parseOrThrow(const std::vector<std::string>& args, std::ostream& out, bool& helpShown);

// The --help text of a mode.
std::string helpText(Mode mode);

}  // namespace loralab::cli
