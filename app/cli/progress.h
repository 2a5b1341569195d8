// Training progress on stderr: step, loss, floor, steps/s and time left.
//
// On a terminal one line is redrawn in place (at most 10 times a second) with a bar; otherwise
// (a pipe, a log file, CI) a plain line is printed at every 10 % of the run, so logs stay short
// and readable.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>

namespace loralab::cli {

class Progress {
public:
    Progress(std::ostream& err, long long totalSteps, bool tty);

    // After `done` steps, the latest loss and floor. Cheap when nothing is due.
    void update(long long done, double loss, double floor);
    // The last line (and the newline that ends a redrawn bar).
    void finish(long long done, double loss, double floor);

    static std::string formatDuration(double seconds);  // "0.4s", "12s", "3m05s", "2h07m"

private:
    std::string line(long long done, double loss, double floor, bool bar) const;

    std::ostream& m_err;
    long long m_total;
    bool m_tty;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_lastDraw;
    long long m_nextPlain;  // next step count at which a plain line is due
    bool m_drawn = false;
};

}  // namespace loralab::cli
