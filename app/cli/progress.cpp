#include "cli/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace loralab::cli {

namespace {

double secondsSince(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

Progress::Progress(std::ostream& err, long long totalSteps, bool tty)
    : m_err(err),
      m_total(std::max(1LL, totalSteps)),
      m_tty(tty),
      m_start(std::chrono::steady_clock::now()),
      m_lastDraw(m_start),
      m_nextPlain(std::max(1LL, m_total / 10)) {}

std::string Progress::formatDuration(double s) {
    char buf[32];
    if (!std::isfinite(s) || s < 0) return "?";
    if (s < 10) std::snprintf(buf, sizeof buf, "%.1fs", s);
    else if (s < 60) std::snprintf(buf, sizeof buf, "%.0fs", s);
    else if (s < 3600) std::snprintf(buf, sizeof buf, "%dm%02ds", int(s / 60), int(s) % 60);
    else std::snprintf(buf, sizeof buf, "%dh%02dm", int(s / 3600), int(s / 60) % 60);
    return buf;
}

std::string Progress::line(long long done, double loss, double floor, bool bar) const {
    const double elapsed = secondsSince(m_start);
    const double rate = elapsed > 0 ? done / elapsed : 0.0;
    const double left = rate > 0 ? (m_total - done) / rate : NAN;
    const double fraction = std::min(1.0, static_cast<double>(done) / m_total);
    std::string out;
    if (bar) {
        const int width = 24;
        const int filled = static_cast<int>(fraction * width);
        out = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] ";
    }
    char buf[256];
    std::snprintf(buf, sizeof buf, "%3.0f%%  step %lld/%lld  loss %.6g  floor %.6g  %.0f steps/s  %s left",
                  fraction * 100, done, m_total, loss, floor, rate,
                  formatDuration(done >= m_total ? 0.0 : left).c_str());
    return out + buf;
}

void Progress::update(long long done, double loss, double floor) {
    if (m_tty) {
        const auto now = std::chrono::steady_clock::now();
        if (m_drawn && now - m_lastDraw < std::chrono::milliseconds(100)) return;
        m_lastDraw = now;
        m_drawn = true;
        m_err << '\r' << line(done, loss, floor, true) << "\x1b[K" << std::flush;
    } else if (done >= m_nextPlain && done < m_total) {
        m_err << line(done, loss, floor, false) << '\n' << std::flush;
        while (m_nextPlain <= done) m_nextPlain += std::max(1LL, m_total / 10);
    }
}

void Progress::finish(long long done, double loss, double floor) {
    if (m_tty) m_err << '\r' << line(done, loss, floor, true) << "\x1b[K\n" << std::flush;
    else m_err << line(done, loss, floor, false) << '\n' << std::flush;
}

}  // namespace loralab::cli
