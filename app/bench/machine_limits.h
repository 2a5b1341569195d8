// The machine's limits for the bench's roofline, measured in the same run with the same thread
// count: peak FLOP/s from a square single-precision GEMM (Eigen's, and OpenBLAS's when OpenBLAS
// is linked into the process: the faster one counts) and memory bandwidth:
//   * a STREAM-style triad a = b + s·c over arrays larger than the last-level cache (bytes
//     counted as STREAM does: 3 × 4 bytes per element, write-allocate traffic not counted);
//   * a read-only stream (a sum) over buffers from 256 KiB to 256 MiB, on huge pages like the
//     core's large matrices: what the read-dominated training steps can get at each working-set
//     size, from the caches (a 1024×1024 target, 4 MiB, sits in L3) out to main memory.
// A case's memory limit uses the read stream measured at its working-set size, or the faster
// of triad and read stream from main memory beyond the largest buffer, so that no case can
// look faster than the machine (efficiency > 1) just because its data fits in a cache.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace loralab {

struct MachineLimits {
    double peakFlops = 0.0;       // FLOP/s, the best of the GEMMs below
    std::string peakSource;       // "eigen" or "openblas"
    int gemmSize = 0;             // n of the n×n×n GEMM that was timed
    double eigenFlops = 0.0;      // FLOP/s of Eigen's GEMM
    double openblasFlops = 0.0;   // FLOP/s of OpenBLAS's cblas_sgemm (0: not linked)
    double bandwidth = 0.0;       // bytes/s from main memory: max(triad, read stream)
    double triadBandwidth = 0.0;  // bytes/s of the triad
    std::int64_t triadBytes = 0;  // bytes of the three triad arrays
    std::vector<std::pair<std::int64_t, double>> readCurve;  // (buffer bytes, bytes/s), ascending
    bool isolated = false;        // measured in a child process (isolated_measurement.h)

    // Bytes/s for a working set of `footprint` bytes: the read stream interpolated (linear in
    // log size) between the measured buffers; `bandwidth` beyond the largest. Never below
    // `bandwidth`.
    double bandwidthFor(double footprint) const;
    // max(flops / peak, bytes / bandwidth) in milliseconds, from main memory.
    double rooflineMs(double flops, double bytes) const;
    // The same with the bandwidth for a working set of `footprint` bytes.
    double rooflineMs(double flops, double bytes, double footprint) const;
};

// Bytes measureLimits() and measureCaseLimits() allocate at most (for the memory check done
// before anything runs).
std::int64_t limitsMemoryBytes();
std::int64_t caseLimitsMemoryBytes();

// `threads` >= 1; Eigen's and OpenMP's thread counts are restored afterwards. The GEMM size grows
// from 256 to 2048 unless one product of the next size would take over a second (a debug build).
// The bench calls it through measureLimitsIsolated (isolated_measurement.h).
MachineLimits measureLimits(int threads);

// The limits one case's roofline uses, measured again right after it: on a shared machine the
// memory and the cores slow down for minutes at a time, and a case timed in such a phase
// against limits measured outside it (or the other way round) shows an efficiency that says
// more about the neighbours than about the code. Measures the peak GEMM rate with the run's
// source and size (`run` from measureLimits) and the read stream over one buffer of the case's
// working set (`footprint` bytes, clamped to the read curve's 256 KiB .. 256 MiB); the result's
// readCurve holds that one point and its bandwidth is that point's, so its rooflineMs() uses
// them at any footprint.
MachineLimits measureCaseLimits(int threads, const MachineLimits& run, double footprint);

}  // namespace loralab
