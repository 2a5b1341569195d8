// The machine's limits for the bench's roofline, measured in the same run with the same thread
// count: peak FLOP/s from a square single-precision GEMM (Eigen's, and OpenBLAS's when OpenBLAS
// is linked into the process: the faster one counts) and memory bandwidth from a STREAM-style
// triad a = b + s·c over arrays larger than the last-level cache (bytes counted as STREAM does:
// 3 × 4 bytes per element, write-allocate traffic not counted).
#pragma once

#include <cstdint>
#include <string>

namespace loralab {

struct MachineLimits {
    double peakFlops = 0.0;       // FLOP/s, the best of the GEMMs below
    std::string peakSource;       // "eigen" or "openblas"
    int gemmSize = 0;             // n of the n×n×n GEMM that was timed
    double eigenFlops = 0.0;      // FLOP/s of Eigen's GEMM
    double openblasFlops = 0.0;   // FLOP/s of OpenBLAS's cblas_sgemm (0: not linked)
    double bandwidth = 0.0;       // bytes/s of the triad
    std::int64_t triadBytes = 0;  // bytes of the three triad arrays

    // max(flops / peak, bytes / bandwidth) in milliseconds.
    double rooflineMs(double flops, double bytes) const;
};

// Bytes measureLimits() allocates at most (for the memory check done before anything runs).
std::int64_t limitsMemoryBytes();

// `threads` >= 1; Eigen's and OpenMP's thread counts are restored afterwards. The GEMM size grows
// from 256 to 2048 unless one product of the next size would take over a second (a debug build).
MachineLimits measureLimits(int threads);

// When OpenBLAS is linked (e.g. under Eigen with EIGEN_USE_BLAS), sets its thread count and
// returns the previous one; returns 0 and does nothing when it is not.
int setOpenBlasThreads(int threads);

}  // namespace loralab
