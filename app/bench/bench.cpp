// `loralab --bench`: plan the cases, refuse what cannot fit in memory (before allocating
// anything), measure the machine's limits, time each case (warm-up, then reps) and measure the
// limits its roofline uses again right after it, print the table or JSON. Progress goes to
// `err`, one line per case.
#include "bench/bench.h"

#include "bench/bench_report.h"
#include "bench/bench_workloads.h"
#include "bench/isolated_measurement.h"
#include "bench/machine_limits.h"
#include "bench/sysinfo.h"
#include "bench/thread_control.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <new>
#include <optional>
#include <ostream>

namespace loralab {

namespace {

using Clock = std::chrono::steady_clock;


std::string caseName(const BenchCase& c) {
    std::string s = std::string(workloadName(c.workload)) + " " + std::to_string(c.d) + "x" +
                    std::to_string(c.k);
    if (c.rank > 0) s += " r=" + std::to_string(c.rank);
    if (c.batch > 0) s += " n=" + std::to_string(c.batch);
    return s;
}

// Warm-up, then the timed steps; a non-finite loss fails the case. The warm-up runs at least
// `warmup` steps and, unless that is 0, at least kBenchMinWarmupSeconds: a short case's first
// steps still pay for cold caches, first-touched workspaces and the thread team waking, and
// would slow the median. The timed steps are at least `reps` and at least
// kBenchMinTimedSeconds of them (at most kBenchMaxReps): on a shared machine the median of a
// handful of very short steps moves with whatever the neighbours happen to do in that instant.
void timeCase(StepRunner& runner, const BenchOptions& o, BenchResult& r) {
    double loss = 0.0;
    int warm = 0;
    const auto warmStart = Clock::now();
    while (warm < o.warmup ||
           (o.warmup > 0 && std::chrono::duration<double>(Clock::now() - warmStart).count() <
                                kBenchMinWarmupSeconds)) {
        loss = runner.step();
        ++warm;
        if (!std::isfinite(loss)) break;
    }
    r.warmup = warm;
    std::vector<double> ms;
    ms.reserve(static_cast<std::size_t>(o.reps));
    double timedMs = 0.0;
    while (static_cast<int>(ms.size()) < o.reps ||
           (timedMs < 1000.0 * kBenchMinTimedSeconds &&
            static_cast<int>(ms.size()) < kBenchMaxReps)) {
        const auto t0 = Clock::now();
        loss = runner.step();
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        timedMs += ms.back();
        if (!std::isfinite(loss)) break;
    }
    summarizeTimes(ms, r);
    if (!std::isfinite(loss)) {
        r.ok = false;
        r.error = "the loss became non-finite during the timed steps";
        return;
    }
    r.ok = true;
    r.gflops = runner.flopsPerStep() / (r.msMedian * 1e6);
}

}  // namespace

int runBench(const BenchOptions& o, std::ostream& out, std::ostream& err) {
    const std::vector<BenchCase> cases = planCases(o);  // throws on bad options
    const MachineInfo machine = machineInfo();
    const int threads = o.threads > 0 ? o.threads : machine.cores;

    // Memory: estimate every size before allocating anything.
    double need = static_cast<double>(limitsMemoryBytes());
    const BenchCase* worst = nullptr;
    for (std::size_t i = 0; i < cases.size();) {
        std::size_t j = i;
        while (j < cases.size() && cases[j].d == cases[i].d && cases[j].k == cases[i].k) ++j;
        // The case's limits are measured (in a child) while its data is alive.
        const double bytes =
            sizeMemoryEstimate(std::vector<BenchCase>(cases.begin() + static_cast<long>(i),
                                                      cases.begin() + static_cast<long>(j)),
                               o.optimizer) +
            static_cast<double>(caseLimitsMemoryBytes());
        if (bytes > need) {
            need = bytes;
            worst = &cases[i];
        }
        i = j;
    }
    need += kProgramBaselineBytes;
    if (refuseWhatCannotFit("--bench", worst ? caseName(*worst) : std::string("the calibration"),
                            need, "use smaller --sizes/--d/--k or --batch", err))
        return 2;

    ThreadScope scope(threads, true);
    BenchReport report;
    report.machine = machine;
    report.build = buildInfo();
    report.threads = threads;
    report.warmup = o.warmup;
    report.reps = o.reps;
    if (!report.build.optimized)
        err << "bench: WARNING: not an optimized build (" << report.build.type
            << "); times are not representative\n";
    if (!machine.openblasCoretypeEnv.empty())
        err << "bench: WARNING: OPENBLAS_CORETYPE=" << machine.openblasCoretypeEnv
            << " overrides OpenBLAS's CPU detection; unset it to measure this machine\n";
    err << "bench: measuring this machine's limits (SGEMM, memory streams) on " << threads
        << " threads, in a child process...\n";
    report.limits = measureLimitsIsolated(threads);
    {
        char line[160];
        std::snprintf(line, sizeof line, "bench: peak %.1f GFLOP/s (%s SGEMM %d^3), bandwidth %.1f GB/s",
                      report.limits.peakFlops / 1e9, report.limits.peakSource.c_str(),
                      report.limits.gemmSize, report.limits.bandwidth / 1e9);
        err << line << '\n';
    }

    std::optional<Matrix> target;
    std::optional<LayerProblem> problem;
    Index sharedD = -1, sharedK = -1;
    bool anyFailed = false;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const BenchCase& c = cases[i];
        BenchResult r;
        r.c = c;
        r.threads = threads;
        r.optimizer = o.optimizer;
        r.warmup = o.warmup;
        try {
            if (c.d != sharedD || c.k != sharedK) {
                target.reset();
                problem.reset();
                sharedD = c.d;
                sharedK = c.k;
            }
            if (c.workload == Workload::Fit && !target) {
                problem.reset();
                target = makeBenchTarget(c.d, c.k, o.seed);
            }
            if (c.workload != Workload::Fit && !problem) {
                target.reset();
                problem = makeBenchProblem(c.d, c.k, c.batch, o.seed);
            }
            resetPeakRss();
            std::unique_ptr<StepRunner> runner;
            switch (c.workload) {
                case Workload::Fit: runner = makeFitRunner(*target, c.rank, o.optimizer, o.seed, threads); break;
                case Workload::Layer:
                    runner = makeLayerRunner(*problem, c.rank, o.optimizer, o.seed, threads);
                    break;
                case Workload::Full: runner = makeFullRunner(*problem, o.optimizer, threads); break;
            }
            timeCase(*runner, o, r);
            if (r.ok) {
                // The case's own limits, measured right after it (see measureCaseLimits), in a
                // child process: its memory does not count in this one's peak RSS.
                const double bytes = caseBytesMoved(c, o.optimizer);  // also its working set
                const MachineLimits now = measureCaseLimitsIsolated(threads, report.limits, bytes);
                r.limitGflops = now.peakFlops / 1e9;
                r.limitGbs = now.bandwidthFor(bytes) / 1e9;
                r.rooflineMs = now.rooflineMs(runner->flopsPerStep(), bytes, bytes);
                if (r.msMedian > 0.0) r.efficiency = r.rooflineMs / r.msMedian;
            }
        } catch (const std::bad_alloc&) {
            r.ok = false;
            r.error = "out of memory";
        } catch (const std::exception& e) {
            r.ok = false;
            r.error = e.what();
        }
        r.peakRssMb = static_cast<double>(peakRssBytes()) / (1 << 20);
        anyFailed = anyFailed || !r.ok;

        char line[256];
        if (r.ok)
            std::snprintf(line, sizeof line,
                          "bench [%zu/%zu] %s %s: median %.3f ms (min %.3f), %.1f GFLOP/s, "
                          "efficiency %.2f (limits %.0f GFLOP/s, %.1f GB/s), peak RSS %.0f MiB",
                          i + 1, cases.size(), caseName(c).c_str(), optimizerName(o.optimizer),
                          r.msMedian, r.msMin, r.gflops, r.efficiency, r.limitGflops,
                          r.limitGbs, r.peakRssMb);
        else
            std::snprintf(line, sizeof line, "bench [%zu/%zu] %s %s: FAILED: %s", i + 1,
                          cases.size(), caseName(c).c_str(), optimizerName(o.optimizer),
                          r.error.c_str());
        err << line << '\n';
        report.results.push_back(std::move(r));
    }

    if (o.json)
        printJson(report, out);
    else
        printMarkdown(report, out);
    return anyFailed ? 1 : 0;
}

}  // namespace loralab
