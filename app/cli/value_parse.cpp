#include "cli/value_parse.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace loralab::cli {

namespace {

std::string quoted(const std::string& text) { return "'" + text + "'"; }

}  // namespace

std::string parseInteger(const std::string& text, long long& value) {
    if (text.empty()) return "empty value is not an integer";
    std::size_t i = 0;
    if (text[0] == '-' || text[0] == '+') i = 1;
    if (i == text.size()) return quoted(text) + " is not an integer";
    for (std::size_t j = i; j < text.size(); ++j)
        if (text[j] < '0' || text[j] > '9') {
            double x = 0.0;
            if (parseReal(text, x).empty())
                return std::isfinite(x) ? quoted(text) + " is not a whole number"
                                        : quoted(text) + " is not a finite integer";
            return quoted(text) + " is not an integer";
        }
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno == ERANGE) return quoted(text) + " is far too large";
    value = v;
    return "";
}

std::string parseReal(const std::string& text, double& value) {
    if (text.empty()) return "empty value is not a number";
    const unsigned char first = static_cast<unsigned char>(text[0]);
    if (std::isspace(first)) return quoted(text) + " is not a number";
    // strtod also reads hex floats; users mean decimals.
    if (text.find_first_of("xX") != std::string::npos && text.find_first_of("nN") == std::string::npos)
        return quoted(text) + " is not a number";
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0') return quoted(text) + " is not a number";
    if (std::isnan(v)) return quoted(text) + " is not a finite number (NaN)";
    if (std::isinf(v)) return quoted(text) + " is not a finite number";
    value = v;
    return "";
}

std::string parseIntegerList(const std::string& text, std::vector<long long>& values) {
    values.clear();
    if (text.empty()) return "empty list";
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = text.find(',', start);
        const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos
                                                                                : comma - start);
        if (item.empty()) return "empty item in list " + quoted(text);
        long long v = 0;
        const std::string error = parseInteger(item, v);
        if (!error.empty()) return error + " (in list " + quoted(text) + ")";
        values.push_back(v);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return "";
}

}  // namespace loralab::cli
