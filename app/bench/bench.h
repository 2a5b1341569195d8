// `loralab --bench`: times training steps on model-sized layers.
#pragma once

#include "loralab/optimizer.h"
#include "loralab/types.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace loralab {

// The least time each case warms up for (besides --warmup steps), unless --warmup 0.
inline constexpr double kBenchMinWarmupSeconds = 0.1;
// The least time each case's timed steps add up to (besides --reps steps), and the most steps
// that floor may take.
inline constexpr double kBenchMinTimedSeconds = 0.2;
inline constexpr int kBenchMaxReps = 100000;

struct BenchOptions {
    std::string workload = "all";          // fit | layer | full | all
    std::vector<Index> sizes{4096};        // d = k for each (from --sizes, or --d/--k)
    Index d = 0, k = 0;                    // when given explicitly (--d --k), used instead of sizes
    std::vector<Index> ranks{1, 4, 16, 64};
    Index batch = 512;                     // tokens for layer/full
    int threads = 0;                       // 0: all cores
    OptimizerKind optimizer = OptimizerKind::Adam;
    int warmup = 2;
    int reps = 10;
    bool json = false;
    std::uint64_t seed = 1;
};

// Runs the bench, writes the table (or JSON) to `out` and progress to `err`.
// Returns 0, 1 if a case failed at run time, 2 if a size cannot fit in memory (refused
// before allocating, with the estimate).
int runBench(const BenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace loralab
