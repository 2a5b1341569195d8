// The bench's results and how they are printed. One table of fields (bench_report.cpp,
// resultFields()) defines every column once: its JSON key, its markdown header and how each is
// formatted; the markdown table and the JSON "results" array are both generated from it.
#pragma once

#include "bench/machine_limits.h"
#include "bench/bench_workloads.h"
#include "bench/sysinfo.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace loralab {

struct BenchResult {
    BenchCase c;
    int threads = 1;
    OptimizerKind optimizer = OptimizerKind::Adam;
    int reps = 0;           // timed steps
    int warmup = 0;         // untimed steps before them
    bool ok = false;
    std::string error;      // why the case failed (ok == false)
    double msMedian = 0.0, msMean = 0.0, msSd = 0.0, msMin = 0.0;  // per step, milliseconds
    double gflops = 0.0;    // flops per step / median time
    double peakRssMb = 0.0; // peak resident set while the case ran, MiB
    double limitGflops = 0.0;  // the peak GEMM rate measured right after the case (GFLOP/s)
    double limitGbs = 0.0;     // the read stream at its working set, measured then (GB/s)
    double rooflineMs = 0.0;   // max(flops / peak, bytes / bandwidth) with those two limits
    double efficiency = 0.0;   // rooflineMs / msMedian
};

// Fills the timing fields from per-step times in milliseconds (median, mean, sample sd, min).
void summarizeTimes(const std::vector<double>& ms, BenchResult& r);

struct BenchReport {
    MachineInfo machine;
    BuildInfo build;
    MachineLimits limits;
    int threads = 1;
    int warmup = 0;
    int reps = 0;
    std::vector<BenchResult> results;
};

void printMarkdown(const BenchReport& report, std::ostream& out);
void printJson(const BenchReport& report, std::ostream& out);  // one object, one line

}  // namespace loralab
