// libFuzzer target: the CSV matrix reader (core/include/loralab/csv.h).
//
// Any input must either parse into a finite matrix within the limits or throw InputError;
// anything else (another exception, a crash, a sanitizer report, a non-finite cell) is a bug.
#include "loralab/csv.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    loralab::CsvLimits limits;
    limits.maxRows = 64;  // keep each run small; the limit paths are exercised too
    limits.maxCols = 64;
    try {
        const loralab::Matrix m = loralab::parseCsvMatrix(text, "<fuzz>", limits);
        if (m.rows() < 1 || m.cols() < 1 || m.rows() > limits.maxRows ||
            m.cols() > limits.maxCols || !m.allFinite())
            std::abort();  // accepted something the contract forbids
    } catch (const loralab::InputError& e) {
        if (e.line() < 0 || e.column() < 0) std::abort();
    }
    return 0;
}
