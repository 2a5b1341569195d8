// Reading an input file whole, where "-" is standard input (CSV from a pipe). Standard input
// can be read once only: the command line lets one input at most be "-", and the caller keeps
// the bytes (Scenario::targetData) rather than reading again.
#pragma once

#include <cstdint>
#include <string>

namespace loralab {

// "standard input" for "-", else `path`: the name error messages use.
std::string inputName(const std::string& path);

// The bytes of `path` ("-": standard input, read to its end). Throws InputError naming the
// path for a folder, a missing or unreadable file, or more than `maxBytes`; `expected` says
// what the option wants, e.g. "a CSV, PNG or JPEG file".
std::string readInputFile(const std::string& path, std::uintmax_t maxBytes,
                          const std::string& expected);

}  // namespace loralab
