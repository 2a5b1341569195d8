// Numbers and shapes in messages and tables: the one place they are formatted.
#pragma once

#include "loralab/types.h"

#include <string>

namespace loralab {

std::string shapeStr(Index rows, Index cols);  // "3x4"
std::string shapeStr(const Matrix& m);
std::string num(double x);            // shortest %g form: "0.9", "1e-08", "4096"
std::string significant(double x);    // 3-4 significant digits, no exponent: tables of times

}  // namespace loralab
