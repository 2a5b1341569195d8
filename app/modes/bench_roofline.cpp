// Peak GEMM rate and triad bandwidth, measured the way the bench times its cases (best of a few
// repetitions after a warm-up; the best, because a limit is what the machine can reach).
#include "modes/bench_roofline.h"

#include "loralab/types.h"

#include <Eigen/Dense>
#include <dlfcn.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>

namespace loralab {

namespace {

constexpr int kMaxGemm = 2048;
constexpr double kGemmBudget = 1.0;  // seconds one product of the next size may take
constexpr std::size_t kTriadFloats = std::size_t{1} << 24;  // 64 MiB per array, 3 arrays
constexpr int kTimedReps = 3;

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

// cblas_sgemm from an OpenBLAS that is already linked into the process (looked up, never loaded).
struct OpenBlas {
    using Sgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*,
                           int, float, float*, int);
    using SetThreads = void (*)(int);
    using GetThreads = int (*)();
    Sgemm sgemm = nullptr;
    SetThreads setThreads = nullptr;
    GetThreads getThreads = nullptr;

    static OpenBlas find() {
        OpenBlas b;
        if (!dlsym(RTLD_DEFAULT, "openblas_get_corename")) return b;  // some other BLAS, or none
        b.sgemm = reinterpret_cast<Sgemm>(dlsym(RTLD_DEFAULT, "cblas_sgemm"));
        b.setThreads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
        b.getThreads = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
        if (!b.setThreads || !b.getThreads) return OpenBlas{};
        return b;
    }
};

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

}  // namespace

double MachineLimits::rooflineMs(double flops, double bytes) const {
    const double computeMs = peakFlops > 0.0 ? 1e3 * flops / peakFlops : 0.0;
    const double memoryMs = bandwidth > 0.0 ? 1e3 * bytes / bandwidth : 0.0;
    return std::max(computeMs, memoryMs);
}

std::int64_t limitsMemoryBytes() {
    const std::int64_t gemm = 3LL * kMaxGemm * kMaxGemm * static_cast<std::int64_t>(sizeof(float));
    const std::int64_t triad = 3LL * static_cast<std::int64_t>(kTriadFloats * sizeof(float));
    return std::max(gemm, triad);
}

int setOpenBlasThreads(int threads) {
    const OpenBlas blas = OpenBlas::find();
    if (!blas.setThreads || !blas.getThreads) return 0;
    const int before = blas.getThreads();
    blas.setThreads(threads);
    return before;
}

MachineLimits measureLimits(int threads) {
    require(threads >= 1, "measureLimits", "threads = " + std::to_string(threads) + "; must be >= 1");
    MachineLimits lim;
    const int eigenBefore = Eigen::nbThreads();
    const int ompBefore = omp_get_max_threads();
    Eigen::setNbThreads(threads);
    omp_set_num_threads(threads);

    // Eigen's GEMM: n grows to kMaxGemm unless a product of the next size would take over
    // kGemmBudget (a debug build stops early).
    int n = 256;
    double best = 0.0;
    while (true) {
        Matrix A = Matrix::Random(n, n), B = Matrix::Random(n, n), C(n, n);
        const double once = bestSeconds(1, [&] { C.noalias() = A * B; });
        if (n < kMaxGemm && 8.0 * once < kGemmBudget) {  // the next size costs 8×
            n *= 2;
            continue;
        }
        best = bestSeconds(kTimedReps, [&] { C.noalias() = A * B; });
        break;
    }
    const double gemmFlops = 2.0 * n * static_cast<double>(n) * n;
    lim.gemmSize = n;
    lim.eigenFlops = gemmFlops / best;
    lim.peakFlops = lim.eigenFlops;
    lim.peakSource = "eigen";

    // OpenBLAS, when linked, with the same thread count and size.
    const OpenBlas blas = OpenBlas::find();
    if (blas.sgemm) {
        const int before = blas.getThreads();
        blas.setThreads(threads);
        Matrix A = Matrix::Random(n, n), B = Matrix::Random(n, n), C(n, n);
        auto gemm = [&] {
            blas.sgemm(kCblasColMajor, kCblasNoTrans, kCblasNoTrans, n, n, n, 1.0f, A.data(), n,
                       B.data(), n, 0.0f, C.data(), n);
        };
        gemm();  // warm-up (starts its thread pool)
        lim.openblasFlops = gemmFlops / bestSeconds(kTimedReps, gemm);
        blas.setThreads(before);
        if (lim.openblasFlops > lim.peakFlops) {
            lim.peakFlops = lim.openblasFlops;
            lim.peakSource = "openblas";
        }
        // Let OpenBLAS's worker threads stop spinning before anything else is timed.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }

    lim.bandwidth = triadBandwidth(threads);
    lim.triadBytes = 3LL * static_cast<std::int64_t>(kTriadFloats * sizeof(float));
    Eigen::setNbThreads(eigenBefore);
    omp_set_num_threads(ompBefore);
    return lim;
}

}  // namespace loralab
