// The error of every file the program reads (CSV, pictures, safetensors, configs): a bad input,
// not a bug. The message names the file and what was wrong; line and column are 1-based when
// the format has them (0 otherwise). The app reports it on one line and exits 2.
#pragma once

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

}  // namespace loralab
