#include "bench/isolated_measurement.h"

#include "loralab/types.h"

#include <omp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

namespace loralab {

std::string encodeLimits(const MachineLimits& l) {
    std::ostringstream out;
    char buf[64];
    auto num = [&](double x) {
        std::snprintf(buf, sizeof buf, "%a ", x);
        out << buf;
    };
    num(l.peakFlops);
    num(l.eigenFlops);
    num(l.openblasFlops);
    num(l.bandwidth);
    num(l.triadBandwidth);
    out << l.gemmSize << ' ' << l.triadBytes << ' ' << l.readCurve.size() << ' ';
    for (const auto& [bytes, bw] : l.readCurve) {
        out << bytes << ' ';
        num(bw);
    }
    out << l.peakSource << '\n';
    return out.str();
}

bool decodeLimits(const std::string& text, MachineLimits& l) {
    std::istringstream in(text);
    std::string field;
    auto num = [&](double& x) {
        if (!(in >> field)) return false;
        char* end = nullptr;
        x = std::strtod(field.c_str(), &end);
        return end != field.c_str() && *end == '\0';
    };
    std::size_t points = 0;
    if (!num(l.peakFlops) || !num(l.eigenFlops) || !num(l.openblasFlops) || !num(l.bandwidth) ||
        !num(l.triadBandwidth) || !(in >> l.gemmSize >> l.triadBytes >> points) || points > 64)
        return false;
    l.readCurve.clear();
    for (std::size_t i = 0; i < points; ++i) {
        std::int64_t bytes = 0;
        double bw = 0.0;
        if (!(in >> bytes) || !num(bw)) return false;
        l.readCurve.emplace_back(bytes, bw);
    }
    return static_cast<bool>(in >> l.peakSource) && l.peakFlops > 0.0 && l.bandwidth > 0.0;
}

namespace {

// measure() in a forked child process; measure() in this process when that cannot be done.
template <class Measure>
MachineLimits isolated(Measure measure) {
    // A forked child has only the forking thread: an OpenMP thread pool inherited from the
    // parent would wait forever for its missing workers. Release the pool first (OpenMP 5.0);
    // the parent's next parallel region starts a fresh one.
    if (omp_pause_resource_all(omp_pause_hard) != 0) return measure();
    int fds[2];
    if (pipe(fds) != 0) return measure();
    std::fflush(nullptr);  // nothing buffered may be written twice
    const pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return measure();
    }
    if (pid == 0) {  // child: measure, write one line, leave without running atexit handlers
        close(fds[0]);
        alarm(600);  // a child that hangs is killed, and the parent measures by itself
        int status = 1;
        try {
            const std::string line = encodeLimits(measure());
            status = write(fds[1], line.data(), line.size()) == static_cast<ssize_t>(line.size()) ? 0 : 1;
        } catch (...) {
        }
        _exit(status);
    }
    close(fds[1]);
    std::string text;
    char buf[512];
    for (ssize_t got; (got = read(fds[0], buf, sizeof buf)) != 0;) {
        if (got < 0) break;
        text.append(buf, static_cast<std::size_t>(got));
    }
    close(fds[0]);
    int status = 0;
    const bool exited = waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
                        WEXITSTATUS(status) == 0;
    MachineLimits lim;
    if (!exited || !decodeLimits(text, lim)) return measure();
    lim.isolated = true;
    return lim;
}

}  // namespace

MachineLimits measureLimitsIsolated(int threads) {
    require(threads >= 1, "measureLimits", "threads = " + std::to_string(threads) + "; must be >= 1");
    return isolated([threads] { return measureLimits(threads); });
}

MachineLimits measureCaseLimitsIsolated(int threads, const MachineLimits& run, double footprint) {
    // Refused here, not in a child that would fail and be retried in this process.
    require(threads >= 1, "measureCaseLimits", "threads = " + std::to_string(threads) + "; must be >= 1");
    require(run.gemmSize > 0 && !run.peakSource.empty(), "measureCaseLimits",
            "the run's limits must be measured first");
    return isolated([&] { return measureCaseLimits(threads, run, footprint); });
}

}  // namespace loralab
