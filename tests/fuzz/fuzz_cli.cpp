// libFuzzer target: the command-line parser (app/cli/parse.h).
//
// The input is split on NUL bytes into arguments. Parsing must end in options, --help, or a
// UsageError whose message is one non-empty line; nothing else may escape.
#include "cli/parse.h"

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> args(1);
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == 0) {
            if (args.size() >= 32) break;
            args.emplace_back();
        } else {
            args.back().push_back(static_cast<char>(data[i]));
        }
    }
    std::ostringstream out, err;
    const loralab::cli::ParseResult result = loralab::cli::parseCommandLine(args, out, err);
    if (!result.options) {
        if (result.exitCode != 0 && result.exitCode != 2) std::abort();
        if (result.exitCode == 2) {
            const std::string msg = err.str();
            // One line: text, then exactly one newline at the end.
            if (msg.empty() || msg.back() != '\n' || msg.find('\n') != msg.size() - 1)
                std::abort();
        }
    }
    return 0;
}
