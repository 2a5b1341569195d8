// Strict CSV matrix reader. One pass over the text, line by line; the first problem throws
// InputError "<source>:<line>:<column>: <what>; <what is allowed>".
#include "loralab/csv.h"
#include "loralab/format.h"

#include <cerrno>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

namespace loralab {

namespace {

constexpr Index kLimitCeiling = Index{1} << 20;    // per dimension, whatever the caller asks
constexpr std::size_t kMaxFileBytes = std::size_t{1} << 30;  // 1 GiB of text

[[noreturn]] void fail(const std::string& source, long line, long column, const std::string& what) {
    throw InputError(source + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                         what,
                     line, column);
}

bool isBlank(char c) { return c == ' ' || c == '\t'; }

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Checks the decimal grammar  [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?
// and returns the decimal order of magnitude (position of the leading nonzero digit plus the
// exponent, saturated) in `magnitude`, used to tell overflow from underflow.
bool isDecimal(const std::string& s, long long& magnitude) {
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    long long intDigits = 0, fracLeadingZeros = 0;
    bool seenNonzero = false, anyDigit = false;
    while (i < s.size() && isDigit(s[i])) {
        if (s[i] != '0') seenNonzero = true;
        if (seenNonzero) ++intDigits;
        anyDigit = true;
        ++i;
    }
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && isDigit(s[i])) {
            if (!seenNonzero && s[i] == '0') ++fracLeadingZeros;
            if (s[i] != '0') seenNonzero = true;
            anyDigit = true;
            ++i;
        }
    }
    if (!anyDigit) return false;
    long long exponent = 0;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        bool negative = false;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
        if (i >= s.size() || !isDigit(s[i])) return false;
        while (i < s.size() && isDigit(s[i])) {
            if (exponent < 1000000000LL) exponent = exponent * 10 + (s[i] - '0');
            ++i;
        }
        if (negative) exponent = -exponent;
    }
    if (i != s.size()) return false;
    magnitude = (intDigits > 0 ? intDigits : -fracLeadingZeros) + exponent;
    return true;
}

// Parses one trimmed cell into a finite float, or explains why not.
float parseCell(const std::string& cell, const std::string& source, long line, long column) {
    if (cell.empty()) fail(source, line, column, "empty cell; every cell must hold a number");
    long long magnitude = 0;
    if (!isDecimal(cell, magnitude)) {
        const std::string l = lower(cell[0] == '+' || cell[0] == '-' ? cell.substr(1) : cell);
        if (l == "nan" || l == "inf" || l == "infinity")
            fail(source, line, column,
                 "'" + cell + "' is not a finite number; cells must be finite decimal numbers");
        std::string shown = cell.size() > 40 ? cell.substr(0, 40) + "..." : cell;
        fail(source, line, column,
             "'" + shown + "' is not a number; cells must be decimal numbers like -1.5 or 2e-3, "
             "separated by commas");
    }
    const char* first = cell.data() + (cell[0] == '+' ? 1 : 0);
    const char* last = cell.data() + cell.size();
    double value = 0.0;
    const auto result = std::from_chars(first, last, value);
    if (result.ec == std::errc::result_out_of_range) {
        if (magnitude <= 0) return 0.0f;  // underflow: smaller than any double
        fail(source, line, column,
             "'" + cell + "' is outside the single-precision range (|x| <= 3.4e38)");
    }
    if (result.ec != std::errc() || result.ptr != last)
        fail(source, line, column, "'" + cell + "' is not a number");
    if (!(std::fabs(value) <= static_cast<double>(FLT_MAX)))
        fail(source, line, column,
             "'" + cell + "' is outside the single-precision range (|x| <= 3.4e38)");
    return static_cast<float>(value);
}

}  // namespace

Matrix parseCsvMatrix(const std::string& text, const std::string& source, const CsvLimits& limits) {
    require(limits.maxRows >= 1 && limits.maxRows <= kLimitCeiling, "CsvLimits",
            "maxRows = " + std::to_string(limits.maxRows) + "; allowed 1.." +
                std::to_string(kLimitCeiling));
    require(limits.maxCols >= 1 && limits.maxCols <= kLimitCeiling, "CsvLimits",
            "maxCols = " + std::to_string(limits.maxCols) + "; allowed 1.." +
                std::to_string(kLimitCeiling));

    std::vector<float> values;  // row-major while reading
    Index rows = 0, cols = 0;
    long blankLine = 0;         // first blank line after data (fine only if nothing follows)
    long lineNo = 0;
    std::size_t pos = 0;
    // Skip a UTF-8 byte-order mark (spreadsheet exports write one).
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;

    while (pos < text.size()) {
        ++lineNo;
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::size_t lineEnd = end;
        if (lineEnd > pos && text[lineEnd - 1] == '\r') --lineEnd;  // CRLF
        const std::size_t lineStart = pos;  // columns count bytes after any BOM
        auto columnOf = [&](std::size_t i) { return static_cast<long>(i - lineStart + 1); };

        // Binary junk: control characters other than tab (and the CR of a CRLF ending).
        for (std::size_t i = pos; i < lineEnd; ++i) {
            const unsigned char c = static_cast<unsigned char>(text[i]);
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%02X", c);
                fail(source, lineNo, columnOf(i),
                     std::string("control byte ") + hex +
                         " (binary data?); a CSV matrix is text: numbers, commas, newlines");
            }
        }

        std::size_t first = pos;
        while (first < lineEnd && isBlank(text[first])) ++first;
        const bool blank = first == lineEnd;
        const bool comment = !blank && text[first] == '#';
        pos = end + 1;
        if (comment) continue;
        if (blank) {
            if (rows > 0 && blankLine == 0) blankLine = lineNo;
            continue;
        }
        if (blankLine != 0)
            fail(source, blankLine, 1,
                 "blank line between rows; blank lines are allowed only at the end");

        // Cells of this row.
        Index cellCount = 0;
        std::size_t cellStart = first;
        while (true) {
            std::size_t cellEnd = text.find(',', cellStart);
            if (cellEnd == std::string::npos || cellEnd > lineEnd) cellEnd = lineEnd;
            std::size_t a = cellStart, b = cellEnd;
            while (a < b && isBlank(text[a])) ++a;
            while (b > a && isBlank(text[b - 1])) --b;
            ++cellCount;
            if (rows == 0 && cellCount > limits.maxCols)
                fail(source, lineNo, columnOf(a),
                     "more than " + std::to_string(limits.maxCols) +
                         " columns; the largest matrix allowed is " +
                         shapeStr(limits.maxRows, limits.maxCols));
            if (rows > 0 && cellCount > cols)
                fail(source, lineNo, columnOf(a),
                     "row has more than " + std::to_string(cols) + " cells; every row must have " +
                         std::to_string(cols) + " cells like line 1 of the data");
            values.push_back(parseCell(text.substr(a, b - a), source, lineNo,
                                       columnOf(a == b ? cellStart : a)));
            if (cellEnd == lineEnd) break;
            cellStart = cellEnd + 1;
        }
        if (rows == 0) cols = cellCount;
        if (cellCount < cols)
            fail(source, lineNo, columnOf(lineEnd),
                 "row has " + std::to_string(cellCount) + " cells; every row must have " +
                     std::to_string(cols) + " cells like the first row");
        ++rows;
        if (rows > limits.maxRows)
            fail(source, lineNo, 1,
                 "more than " + std::to_string(limits.maxRows) +
                     " rows; the largest matrix allowed is " + std::to_string(limits.maxRows) +
                     "x" + std::to_string(limits.maxCols));
    }
    if (rows == 0)
        throw InputError(source + ": no rows of numbers (the text is empty, or only blank and "
                                  "'#' comment lines); need at least one row of comma-separated numbers");

    Matrix M(rows, cols);
    for (Index i = 0; i < rows; ++i)
        for (Index j = 0; j < cols; ++j)
            M(i, j) = values[static_cast<std::size_t>(i * cols + j)];
    return M;
}

Matrix readCsvMatrix(const std::string& path, const CsvLimits& limits) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw InputError(path + ": is a directory; expected a CSV file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open for reading: " + std::strerror(errno));
    std::string text;
    char chunk[1 << 16];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
        const auto n = static_cast<std::size_t>(in.gcount());
        text.append(chunk, n);
        // Stop early on binary data (e.g. /dev/zero): the parser reports where it starts.
        if (std::memchr(chunk, '\0', n) != nullptr) return parseCsvMatrix(text, path, limits);
        if (text.size() > kMaxFileBytes)
            throw InputError(path + ": larger than " + std::to_string(kMaxFileBytes >> 20) +
                             " MiB; not a CSV matrix this program can use");
        if (in.eof()) break;
    }
    if (in.bad()) throw InputError(path + ": read failed: " + std::strerror(errno));
    return parseCsvMatrix(text, path, limits);
}

}  // namespace loralab
