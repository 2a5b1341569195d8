// Measurements in a forked child process. What a measurement leaves behind (OpenBLAS's packing
// buffers stay resident once used; freed GEMM and stream buffers) then does not count in the
// peak RSS of the cases measured afterwards, and a measurement that hangs cannot stop the bench.
#pragma once

#include "bench/machine_limits.h"

namespace loralab {

// measureLimits() in a child process. Releases OpenMP's thread pool before it forks
// (omp_pause_resource_all), so it may run at any point of a single-threaded program; falls
// back to measuring in this process when that, fork, the pipe or the child fails. The
// result's `isolated` says which happened.
MachineLimits measureLimitsIsolated(int threads);

// measureCaseLimits() in a child process, in the same way.
MachineLimits measureCaseLimitsIsolated(int threads, const MachineLimits& run, double footprint);

// The limits as one line of text (hex floats: exact) and back: how the child reports them.
// decodeLimits returns false for text that is not such a line.
std::string encodeLimits(const MachineLimits& limits);
bool decodeLimits(const std::string& text, MachineLimits& limits);

}  // namespace loralab
