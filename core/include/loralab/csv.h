// Reading a matrix from CSV text: comma-separated numbers, one row per line.
//
// Blank lines at the end and a trailing newline are fine; '#' starts a comment line; every
// row must have the same number of cells; every cell must be a finite number. Errors throw
// InputError with the line and column (1-based) of the first bad cell.
#pragma once

#include "loralab/types.h"

#include <stdexcept>
#include <string>

namespace loralab {

class InputError : public std::invalid_argument {
public:
    InputError(const std::string& message, long line = 0, long column = 0)
        : std::invalid_argument(message), m_line(line), m_column(column) {}
    long line() const { return m_line; }
    long column() const { return m_column; }

private:
    long m_line, m_column;
};

struct CsvLimits {
    Index maxRows = 8192;
    Index maxCols = 8192;
};

// Parses `text` (the file's contents). `source` names it in messages ("target.csv:3:7: ...").
Matrix parseCsvMatrix(const std::string& text, const std::string& source = "<csv>",
                      const CsvLimits& limits = {});

// Reads and parses a file; throws InputError naming the path on I/O failure.
Matrix readCsvMatrix(const std::string& path, const CsvLimits& limits = {});

}  // namespace loralab
