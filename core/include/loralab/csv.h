// Reading a matrix from CSV text: comma-separated numbers, one row per line.
//
// Blank lines at the end and a trailing newline are fine; '#' starts a comment line; every
// row must have the same number of cells; every cell must be a finite number. Errors throw
// InputError with the line and column (1-based) of the first bad cell.
#pragma once

#include "loralab/input_error.h"
#include "loralab/types.h"

#include <string>

namespace loralab {

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
