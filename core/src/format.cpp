// Formatting shared by the core's messages and the app's tables (see format.h).
#include "loralab/format.h"

#include <cmath>
#include <cstdio>

namespace loralab {

namespace {

std::string printf1(const char* fmt, double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, x);
    return buf;
}

}  // namespace

std::string shapeStr(Index rows, Index cols) {
    return std::to_string(rows) + "x" + std::to_string(cols);
}

std::string shapeStr(const Matrix& m) { return shapeStr(m.rows(), m.cols()); }

std::string num(double x) { return printf1("%g", x); }

std::string significant(double x) {
    const double a = std::fabs(x);
    if (a >= 100.0) return printf1("%.1f", x);
    if (a >= 10.0) return printf1("%.2f", x);
    if (a >= 0.1) return printf1("%.3f", x);
    return printf1("%.4f", x);
}

}  // namespace loralab
