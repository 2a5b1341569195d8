// Peak GEMM rate, triad and read-stream bandwidth. The GEMM and the triad count the best of a
// few repetitions after a warm-up (a limit is what the machine can reach); the read stream the
// median sweep, as the bench counts the median step (see readBandwidth).
#include "bench/machine_limits.h"

#include "bench/thread_control.h"

#include "huge_pages.h"
#include "loralab/types.h"

#include <Eigen/Dense>
#include <dlfcn.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

namespace loralab {

namespace {

constexpr int kMaxGemm = 2048;
constexpr double kGemmBudget = 1.0;  // seconds one product of the next size may take
constexpr std::size_t kTriadFloats = std::size_t{1} << 24;  // 64 MiB per array, 3 arrays
constexpr int kTimedReps = 3;
constexpr std::int64_t kReadMin = std::int64_t{256} << 10;  // read-stream buffers: 256 KiB ..
constexpr std::int64_t kReadMax = std::int64_t{256} << 20;  // .. 256 MiB, ×4 each step
constexpr double kReadSeconds = 0.05;  // sweeps of each read-stream buffer, at least

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

template <class F>
double bestSeconds(int reps, F f) {
    double best = 1e300;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = Clock::now();
        f();
        best = std::min(best, seconds(t0, Clock::now()));
    }
    return best;
}

// The median of at least `reps` timings of f() that together take at least `budget` seconds.
template <class F>
double medianSecondsFor(double budget, int reps, F f) {
    std::vector<double> times;
    double spent = 0.0;
    for (int i = 0; i < reps || spent < budget; ++i) {
        const auto t0 = Clock::now();
        f();
        times.push_back(seconds(t0, Clock::now()));
        spent += times.back();
    }
    const auto mid = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
    std::nth_element(times.begin(), mid, times.end());
    return *mid;
}

// cblas_sgemm from an OpenBLAS that is already linked into the process (looked up, never
// loaded); nullptr when it is not.
using Sgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int,
                       float, float*, int);
Sgemm linkedSgemm() {
    if (!dlsym(RTLD_DEFAULT, "openblas_get_corename")) return nullptr;  // another BLAS, or none
    return reinterpret_cast<Sgemm>(dlsym(RTLD_DEFAULT, "cblas_sgemm"));
}

constexpr int kCblasColMajor = 102, kCblasNoTrans = 111;

double triadBandwidth(int threads) {
    const std::size_t n = kTriadFloats;
    std::unique_ptr<float[]> a(new float[n]), b(new float[n]), c(new float[n]);
    float* pa = a.get();
    float* pb = b.get();
    float* pc = c.get();
    const auto count = static_cast<std::ptrdiff_t>(n);
    // First touch by the threads that will use each part.
#pragma omp parallel for num_threads(threads) schedule(static)
    for (std::ptrdiff_t i = 0; i < count; ++i) {
        pa[i] = 0.0f;
        pb[i] = 1.0f;
        pc[i] = 2.0f;
    }
    const float s = 0.5f;
    auto triad = [&] {
#pragma omp parallel for num_threads(threads) schedule(static)
        for (std::ptrdiff_t i = 0; i < count; ++i) pa[i] = pb[i] + s * pc[i];
    };
    triad();  // warm-up
    const double t = bestSeconds(2 * kTimedReps, triad);
    return 3.0 * sizeof(float) * static_cast<double>(n) / t;
}

// Sum of p[0, n), n a multiple of 64·Parts, read as Parts equal parts side by side: 64
// independent partial sums per part (the compiler keeps them in vector registers), so the loop
// is limited by the loads and not by the adds' latency.
template <int Parts>
float streamSum(const float* p, std::size_t n) {
    const std::size_t m = n / Parts;
    float acc[Parts][64] = {};
    for (std::size_t i = 0; i < m; i += 64)
        for (int part = 0; part < Parts; ++part)
            for (int l = 0; l < 64; ++l) acc[part][l] += p[part * m + i + l];
    float s = 0.0f;
    for (const auto& a : acc)
        for (float x : a) s += x;
    return s;
}

// Read bandwidth over one buffer of `bytes`, each thread summing its own part (first touched
// by that thread), repeated so that one timing reads at least 64 MiB: the median of as many
// timings as fit in kReadSeconds (at least 6), the statistic the bench reports for steps. A
// training step re-reads its target every step, so a buffer about the size of the last-level
// caches is partly read from them once the sweeps settle; a few sweeps after one warm-up miss
// that steady state and set the limit below what the steps themselves reach.
//
// Each thread reads its part as one stream and, separately timed, as four side by side; the
// faster counts. Four streams keep more lines in flight from memory, one is faster from L2.
// The fit kernel reads several columns of T at once, and a limit below what it can reach
// would put its efficiency above 1.
constexpr int kReadParts = 4;

double readBandwidth(std::int64_t bytes, int threads) {
    const std::size_t unit = std::size_t{64} * kReadParts * static_cast<std::size_t>(threads);
    const std::size_t n = static_cast<std::size_t>(bytes) / sizeof(float) / unit * unit;
    const std::size_t per = n / threads;
    Matrix buffer = hugeMatrix(static_cast<Index>(n), 1);
    float* p = buffer.data();
#pragma omp parallel num_threads(threads)
    {
        const std::size_t t = static_cast<std::size_t>(omp_get_thread_num());
        std::fill(p + t * per, p + (t + 1) * per, 1.0f);
    }
    const int passes = static_cast<int>(std::max<std::int64_t>(1, (std::int64_t{64} << 20) / bytes));
    volatile float sink = 0.0f;
    auto sweep = [&](auto sum) {
        float total = 0.0f;
#pragma omp parallel num_threads(threads) reduction(+ : total)
        {
            const std::size_t t = static_cast<std::size_t>(omp_get_thread_num());
            for (int pass = 0; pass < passes; ++pass) {
                total += sum(p + t * per, per);
                // Every pass sums the same unchanged memory: without this the compiler may
                // compute one and reuse it.
                asm volatile("" ::: "memory");
            }
        }
        sink = sink + total;
    };
    auto oneStream = [&] { sweep(streamSum<1>); };
    auto parts = [&] { sweep(streamSum<kReadParts>); };
    oneStream();  // warm-up
    parts();
    const double t = std::min(medianSecondsFor(kReadSeconds, 2 * kTimedReps, oneStream),
                              medianSecondsFor(kReadSeconds, 2 * kTimedReps, parts));
    return static_cast<double>(passes) * sizeof(float) * static_cast<double>(n) / t;
}

// FLOP/s of Eigen's n×n×n GEMM on Eigen's current thread count: best of kTimedReps.
double eigenGemmFlops(int n) {
    Matrix A = Matrix::Random(n, n), B = Matrix::Random(n, n), C(n, n);
    C.noalias() = A * B;  // warm-up
    const double best = bestSeconds(kTimedReps, [&] { C.noalias() = A * B; });
    return 2.0 * n * static_cast<double>(n) * n / best;
}

// The same for a linked OpenBLAS's cblas_sgemm on `threads` threads; 0 when it is not linked.
double openBlasGemmFlops(int n, int threads) {
    const Sgemm sgemm = linkedSgemm();
    if (!sgemm) return 0.0;
    const int before = setOpenBlasThreads(threads);
    if (before == 0) return 0.0;  // no thread control: not the OpenBLAS this build links
    Matrix A = Matrix::Random(n, n), B = Matrix::Random(n, n), C(n, n);
    auto gemm = [&] {
        sgemm(kCblasColMajor, kCblasNoTrans, kCblasNoTrans, n, n, n, 1.0f, A.data(), n, B.data(), n,
              0.0f, C.data(), n);
    };
    gemm();  // warm-up (starts its thread pool)
    const double flops = 2.0 * n * static_cast<double>(n) * n / bestSeconds(kTimedReps, gemm);
    setOpenBlasThreads(before);
    return flops;
}

}  // namespace

double MachineLimits::bandwidthFor(double footprint) const {
    if (readCurve.empty() || footprint >= static_cast<double>(readCurve.back().first))
        return bandwidth;
    if (footprint <= static_cast<double>(readCurve.front().first))
        return std::max(readCurve.front().second, bandwidth);
    // Between two measured sizes: linear in log(size).
    for (std::size_t i = 1; i < readCurve.size(); ++i) {
        const double lo = static_cast<double>(readCurve[i - 1].first);
        const double hi = static_cast<double>(readCurve[i].first);
        if (footprint > hi) continue;
        const double w = std::log(footprint / lo) / std::log(hi / lo);
        const double bw = readCurve[i - 1].second + w * (readCurve[i].second - readCurve[i - 1].second);
        return std::max(bw, bandwidth);
    }
    return bandwidth;
}

double MachineLimits::rooflineMs(double flops, double bytes) const {
    const double computeMs = peakFlops > 0.0 ? 1e3 * flops / peakFlops : 0.0;
    const double memoryMs = bandwidth > 0.0 ? 1e3 * bytes / bandwidth : 0.0;
    return std::max(computeMs, memoryMs);
}

double MachineLimits::rooflineMs(double flops, double bytes, double footprint) const {
    const double bw = bandwidthFor(footprint);
    const double computeMs = peakFlops > 0.0 ? 1e3 * flops / peakFlops : 0.0;
    const double memoryMs = bw > 0.0 ? 1e3 * bytes / bw : 0.0;
    return std::max(computeMs, memoryMs);
}

std::int64_t caseLimitsMemoryBytes() {
    return 3LL * kMaxGemm * kMaxGemm * static_cast<std::int64_t>(sizeof(float)) + kReadMax;
}

std::int64_t limitsMemoryBytes() {
    const std::int64_t gemm = 3LL * kMaxGemm * kMaxGemm * static_cast<std::int64_t>(sizeof(float));
    const std::int64_t triad = 3LL * static_cast<std::int64_t>(kTriadFloats * sizeof(float));
    return std::max({gemm, triad, kReadMax});
}

MachineLimits measureLimits(int threads) {
    require(threads >= 1, "measureLimits", "threads = " + std::to_string(threads) + "; must be >= 1");
    MachineLimits lim;
    const ThreadScope scope(threads, false);  // OpenBLAS's count is set per measurement

    // Eigen's GEMM: n grows to kMaxGemm unless a product of the next size would take over
    // kGemmBudget (a debug build stops early).
    int n = 256;
    while (n < kMaxGemm) {
        Matrix A = Matrix::Random(n, n), B = Matrix::Random(n, n), C(n, n);
        const double once = bestSeconds(1, [&] { C.noalias() = A * B; });
        if (8.0 * once >= kGemmBudget) break;  // the next size costs 8×
        n *= 2;
    }
    lim.gemmSize = n;
    lim.eigenFlops = eigenGemmFlops(n);
    lim.peakFlops = lim.eigenFlops;
    lim.peakSource = "eigen";
    // OpenBLAS, when linked, with the same thread count and size.
    lim.openblasFlops = openBlasGemmFlops(n, threads);
    if (lim.openblasFlops > lim.peakFlops) {
        lim.peakFlops = lim.openblasFlops;
        lim.peakSource = "openblas";
    }
    // Let OpenBLAS's worker threads stop spinning before anything else is timed.
    if (lim.openblasFlops > 0.0) std::this_thread::sleep_for(std::chrono::milliseconds(200));

    lim.triadBandwidth = triadBandwidth(threads);
    lim.triadBytes = 3LL * static_cast<std::int64_t>(kTriadFloats * sizeof(float));
    for (std::int64_t bytes = kReadMin; bytes <= kReadMax; bytes *= 4)
        lim.readCurve.emplace_back(bytes, readBandwidth(bytes, threads));
    lim.bandwidth = std::max(lim.triadBandwidth, lim.readCurve.back().second);
    return lim;
}

namespace {

void requireCaseLimits(int threads, const MachineLimits& run) {
    require(threads >= 1, "measureCaseLimits",
            "threads = " + std::to_string(threads) + "; must be >= 1");
    require(run.gemmSize > 0 && !run.peakSource.empty(), "measureCaseLimits",
            "the run's limits must be measured first");
}

}  // namespace

MachineLimits measureCaseLimits(int threads, const MachineLimits& run, double footprint) {
    requireCaseLimits(threads, run);
    MachineLimits lim;
    const ThreadScope scope(threads, false);  // OpenBLAS's count is set per measurement
    // The read stream first: after OpenBLAS its workers would spin beside it for a while.
    const double clamped = std::clamp(footprint, static_cast<double>(kReadMin),
                                      static_cast<double>(kReadMax));
    const auto bytes = static_cast<std::int64_t>(clamped);
    lim.bandwidth = readBandwidth(bytes, threads);
    lim.readCurve.emplace_back(bytes, lim.bandwidth);
    lim.gemmSize = run.gemmSize;
    lim.peakSource = run.peakSource;
    if (run.peakSource == "openblas") lim.openblasFlops = openBlasGemmFlops(run.gemmSize, threads);
    if (lim.openblasFlops > 0.0) {
        lim.peakFlops = lim.openblasFlops;
    } else {  // Eigen won at the start of the run
        lim.eigenFlops = eigenGemmFlops(run.gemmSize);
        lim.peakFlops = lim.eigenFlops;
        lim.peakSource = "eigen";
    }
    return lim;
}

}  // namespace loralab
