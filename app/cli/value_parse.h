// Strict parsing of command-line values: the whole text must be the number, with no spaces,
// suffixes or hex; every failure says what was wrong in words a user can act on.
#pragma once

#include <string>
#include <vector>

namespace loralab::cli {

// Each returns "" on success and stores the value, or returns what was wrong
// (e.g. "'4k' is not an integer", "'nan' is not a finite number").
std::string parseInteger(const std::string& text, long long& value);
std::string parseReal(const std::string& text, double& value);
// "1,4,16": comma-separated integers; empty items are errors.
std::string parseIntegerList(const std::string& text, std::vector<long long>& values);

}  // namespace loralab::cli
