// The fit kernel (thin_products.h), gemm() and huge pages, against double-precision products;
// the page-granular buffers the kernel keeps per thread (page_buffer.h).
#include "loralab/gemm.h"
#include "loralab/huge_pages.h"
#include "loralab/page_buffer.h"
#include "loralab/rng.h"
#include "loralab/thin_products.h"

#include "malloc_counter.h"
#include "omp_threads.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

using namespace loralab;

namespace {

Matrix randomMatrix(Index rows, Index cols, std::uint64_t seed) {
    Matrix m(rows, cols);
    Rng rng(seed);
    rng.fillNormal(m);
    return m;
}

// max |got − want| relative to the scale of the terms summed: a float dot product of length n
// of unit-scale terms is good to ~n·2⁻²⁴ of Σ|terms|, far below 1e-4 of it.
void expectClose(const Matrix& got, const MatrixD& want, const MatrixD& scale,
                 const std::string& what) {
    ASSERT_EQ(got.rows(), want.rows()) << what;
    ASSERT_EQ(got.cols(), want.cols()) << what;
    for (Index j = 0; j < want.cols(); ++j)
        for (Index i = 0; i < want.rows(); ++i)
            ASSERT_LE(std::abs(got(i, j) - want(i, j)), 1e-5 * (scale(i, j) + 1e-30))
                << what << " at (" << i << ", " << j << ")";
}

}  // namespace

// Every shape class the kernel distinguishes: rows that are not a multiple of the vector width
// (and d < width), column counts that leave partial column blocks, every rank blocking
// (r = 1 alone, else blocks of 2 with an odd tail), 1–3 threads, both kernels.
TEST(ThinProducts, MatchDoublePrecisionProductsOnEveryShapeClass) {
    const Index ds[] = {1, 5, 16, 17, 33, 300};
    const Index ks[] = {1, 7, 9, 11, 14, 40};  // every last-block width (1-5 of 6, 1-7 of 8)
    const Index rs[] = {1, 2, 3, 4, 5, 7, 17};
    ThinProducts thin;  // one object throughout: workspaces must cope with changing shapes
    std::uint64_t seed = 1;
    for (Index d : ds)
        for (Index k : ks)
            for (Index r : rs) {
                const Matrix T = randomMatrix(d, k, ++seed);
                const Matrix B = randomMatrix(d, r, ++seed), A = randomMatrix(r, k, ++seed);
                const MatrixD TAt = T.cast<double>() * A.cast<double>().transpose();
                const MatrixD BtT = B.cast<double>().transpose() * T.cast<double>();
                const MatrixD TAtScale =
                    T.cast<double>().cwiseAbs() * A.cast<double>().cwiseAbs().transpose();
                const MatrixD BtTScale =
                    B.cast<double>().cwiseAbs().transpose() * T.cast<double>().cwiseAbs();
                for (auto kernel : {ThinProducts::Kernel::Best, ThinProducts::Kernel::Eigen})
                    for (int threads : {1, 2, 3}) {
                        const std::string what =
                            std::string(kernel == ThinProducts::Kernel::Best ? "best" : "eigen") +
                            " d=" + std::to_string(d) + " k=" + std::to_string(k) +
                            " r=" + std::to_string(r) + " threads=" + std::to_string(threads);
                        Matrix gotTAt = Matrix::Constant(d, r, NAN);
                        Matrix gotBtT = Matrix::Constant(r, k, NAN);
                        thin.compute(T, B, A, gotTAt, gotBtT, true, threads, kernel);
                        expectClose(gotTAt, TAt, TAtScale, "TAt " + what);
                        expectClose(gotBtT, BtT, BtTScale, "BtT " + what);

                        // Loss-only: BtT bit for bit the same, TAt not touched.
                        Matrix untouched = Matrix::Constant(d, r, 7.0f);
                        Matrix onlyBtT = Matrix::Constant(r, k, NAN);
                        thin.compute(T, B, A, untouched, onlyBtT, false, threads, kernel);
                        EXPECT_TRUE((onlyBtT.array() == gotBtT.array()).all()) << what;
                        EXPECT_TRUE((untouched.array() == 7.0f).all()) << what;
                    }
            }
}

namespace {

// TAt and BtT (and the loss-only BtT, bit for bit) against double precision, on `threads`.
void expectLargeProductsMatch(Index d, Index k, Index r, int threads) {
    const Matrix T = randomMatrix(d, k, 11), B = randomMatrix(d, r, 12), A = randomMatrix(r, k, 13);
    const MatrixD TAt = T.cast<double>() * A.cast<double>().transpose();
    const MatrixD BtT = B.cast<double>().transpose() * T.cast<double>();
    ThinProducts thin;
    Matrix gotTAt(d, r), gotBtT(r, k), onlyBtT(r, k);
    thin.compute(T, B, A, gotTAt, gotBtT, true, threads);
    thin.compute(T, B, A, gotTAt, onlyBtT, false, threads);
    const double tol = 1e-5 * std::sqrt(static_cast<double>(std::max(d, k)));
    const std::string what = "d = " + std::to_string(d) + ", k = " + std::to_string(k) +
                             ", r = " + std::to_string(r);
    EXPECT_LT((gotTAt.cast<double>() - TAt).norm() / TAt.norm(), tol) << what;
    EXPECT_LT((gotBtT.cast<double>() - BtT).norm() / BtT.norm(), tol) << what;
    EXPECT_TRUE((onlyBtT.array() == gotBtT.array()).all()) << what;
}

}  // namespace

TEST(ThinProducts, LargeProblemsMatchDoubleAcrossStretchesAndPanels) {
    // d = 4200: a J-column tile of T no longer fits in L1, so ranks go in blocks of 4 (r = 4;
    // r = 5 and 6 end in blocks of 1 and 2), down whole columns. r = 16: two row stretches
    // (B and the partial of a whole column would outgrow L2), several column blocks per thread.
    // r = 65: five stretches of 848 rows, the last with a partial vector, the tile fits in L1
    // again (blocks of 2), panels of several column blocks end in single columns, and the last
    // rank block is odd.
    for (const Index r : {Index{4}, Index{5}, Index{6}, Index{16}, Index{65}})
        expectLargeProductsMatch(4200, 300, r, 2);
}

// T past 32 MiB streams from memory: the kernel prefetches it during the first block of ranks
// (r = 2: blocks of 2 that read A's values from memory, the last column block narrower; r = 3
// and 4: one block of every rank; r = 7: blocks of 4 ending in one of 3; r = 48: blocks of 2
// down stretches of 61 row vectors, the last one 60, whose tiles stay in L1), on one thread
// and two. r = 1 takes 8 columns spread over each thread's share at a time, and the share's last
// (width mod 8) columns side by side. With AVX2 (2 × 3 blocks), r = 2-4 ask for the next
// block's columns while they read the current one (r = 3: two blocks of ranks, the second
// one rank wide, each asking for its own columns), r = 7 does not.
TEST(ThinProducts, MemorySizedProblemsMatchDouble) {
    for (const Index r : {Index{1}, Index{2}, Index{3}, Index{4}, Index{7}, Index{48}})
        for (const int threads : {1, 2}) expectLargeProductsMatch(2900, 2900, r, threads);
}

// A thread's share of 14 MiB or more below 32 MiB in all: on one thread the kernel prefetches
// T as when streaming (r = 2 with A's values in registers, r = 5 in blocks of 4 and 1); on two
// (7.6 MiB each) it does not.
TEST(ThinProducts, LargeSharesOfCachedProblemsMatchDouble) {
    for (const Index r : {Index{2}, Index{5}})
        for (const int threads : {1, 2}) expectLargeProductsMatch(2000, 2000, r, threads);
}

// T larger than a thread's L2 but cached: r = 3 and 4 in one block of every rank, 3 columns at
// a time (B and the partial of d = 1000 stay in L1), the last block of columns 1 wide
// somewhere in each thread's share; r = 2 in 2 × 6 blocks whose tile stays in L1; r = 1 in 4
// columns. Teams of 1-3. On Intel with AVX-512, where such a T comes from an L3 about as slow
// as memory, r = 2-4 prefetch it where a thread's share outgrows L2 (with 2 MiB of L2: on 1
// and 2 threads, 4.2 and 2.1 MiB shares, not on 3).
TEST(ThinProducts, L3SizedProblemsMatchDouble) {
    for (const Index r : {Index{1}, Index{2}, Index{3}, Index{4}})
        for (const int threads : {1, 2, 3}) expectLargeProductsMatch(1000, 1100, r, threads);
}

// TeamWork: over the team, partial() and finish() see every column of BtT and every row of TAt
// exactly once; a thread's BtT columns are final when its partial() runs and its TAt rows when
// its finish() runs; without TAt only partial() runs. Teams of 1-3, both kernels, on the
// spinning team and on OpenMP's (TeamWork::onOpenMpTeam), with a thread left without rows
// (d = 20 is two row vectors).
TEST(ThinProducts, TeamWorkSeesEachRowAndColumnOnceAndFinal) {
    struct Recorder final : ThinProducts::TeamWork {
        const Matrix* TAt = nullptr;
        const Matrix* BtT = nullptr;
        MatrixD wantTAt, wantBtT;
        std::vector<int> colSeen, rowSeen;  // one slot per column / row: written by one thread
        bool partialFinal = true, finishFinal = true;
        int finishes = 0;  // only checked with one thread
        bool forks = false;
        bool onOpenMpTeam() const override { return forks; }

        bool close(const Matrix& got, const MatrixD& want) const {
            return got.size() == 0 ||
                   (got.cast<double>() - want).norm() <= 1e-4 * (1.0 + want.norm());
        }
        void partial(int, int, Range cols, Range rows) override {
            for (Index j = cols.first; j < cols.second; ++j) ++colSeen[j];
            for (Index i = rows.first; i < rows.second; ++i) ++rowSeen[i];
            const Index w = cols.second - cols.first;
            if (!close(BtT->middleCols(cols.first, w), wantBtT.middleCols(cols.first, w)))
                partialFinal = false;
        }
        void finish(int, int n, Range, Range rows) override {
            const Index h = rows.second - rows.first;
            if (!close(TAt->middleRows(rows.first, h), wantTAt.middleRows(rows.first, h)))
                finishFinal = false;
            if (n == 1) ++finishes;
        }
    };
    for (auto [d, k, r] : {std::tuple<Index, Index, Index>{300, 260, 5}, {20, 200, 3}})
        for (bool withTAt : {true, false})
            for (auto kernel : {ThinProducts::Kernel::Best, ThinProducts::Kernel::Eigen})
                for (int threads : {1, 2, 3})
                    for (bool forks : {false, true}) {
                        const Matrix T = randomMatrix(d, k, 21), B = randomMatrix(d, r, 22),
                                     A = randomMatrix(r, k, 23);
                        Matrix TAt(d, r), BtT(r, k);
                        Recorder rec;
                        rec.forks = forks;
                        rec.TAt = &TAt;
                        rec.BtT = &BtT;
                        rec.wantTAt = T.cast<double>() * A.cast<double>().transpose();
                        rec.wantBtT = B.cast<double>().transpose() * T.cast<double>();
                        rec.colSeen.assign(static_cast<std::size_t>(k), 0);
                        rec.rowSeen.assign(static_cast<std::size_t>(d), 0);
                        ThinProducts thin;
                        thin.compute(T, B, A, TAt, BtT, withTAt, threads, kernel, &rec);
                        const std::string what = std::to_string(d) + "x" + std::to_string(k) +
                                                 " r=" + std::to_string(r) + " threads " +
                                                 std::to_string(threads) +
                                                 (withTAt ? " with TAt" : " BtT only") +
                                                 (forks ? " OpenMP team" : " spinning team");
                        EXPECT_TRUE(std::all_of(rec.colSeen.begin(), rec.colSeen.end(),
                                                [](int c) { return c == 1; }))
                            << what;
                        EXPECT_TRUE(std::all_of(rec.rowSeen.begin(), rec.rowSeen.end(),
                                                [](int c) { return c == 1; }))
                            << what;
                        EXPECT_TRUE(rec.partialFinal) << what;
                        EXPECT_TRUE(rec.finishFinal) << what;
                        if (threads == 1) {
                            EXPECT_EQ(rec.finishes, withTAt ? 1 : 0) << what;
                        }
                    }
}

TEST(ThinProducts, OneThreadInsideACallersParallelRegionWaitsForNobody) {
    // A caller's own two-thread region, where only thread 0 runs the products (on one thread,
    // so inline). A barrier in the inline path would bind to the caller's region and wait for
    // thread 1, which waits for thread 0: thread 1 gives up after 20 s and joins that barrier,
    // so a regression fails here instead of hanging.
    const Index d = 300, k = 260, r = 5;
    const Matrix T = randomMatrix(d, k, 31), B = randomMatrix(d, r, 32), A = randomMatrix(r, k, 33);
    const MatrixD wantTAt = T.cast<double>() * A.cast<double>().transpose();
    for (auto kernel : {ThinProducts::Kernel::Best, ThinProducts::Kernel::Eigen}) {
        Matrix TAt(d, r), BtT(r, k);
        ThinProducts thin;
        bool done = false, gaveUp = false;
#pragma omp parallel num_threads(2)
        {
            if (omp_get_thread_num() == 0) {
                thin.compute(T, B, A, TAt, BtT, true, 1, kernel);
                __atomic_store_n(&done, true, __ATOMIC_RELEASE);
            } else if (omp_get_num_threads() == 2) {
                const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
                while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE) &&
                       std::chrono::steady_clock::now() < deadline)
                    std::this_thread::yield();
                if (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
                    gaveUp = true;
#pragma omp barrier
                }
            }
        }
        EXPECT_FALSE(gaveUp) << "the inline pass waited at a barrier of the caller's team";
        EXPECT_LE((TAt.cast<double>() - wantTAt).norm(), 1e-4 * (1.0 + wantTAt.norm()));
    }
}

TEST(ThinProducts, RejectsMismatchedShapes) {
    ThinProducts thin;
    const Matrix T = Matrix::Ones(6, 5), B = Matrix::Ones(6, 2), A = Matrix::Ones(2, 5);
    Matrix TAt(6, 2), BtT(2, 5), wrong(3, 3);
    EXPECT_THROW(thin.compute(T, B, A, wrong, BtT, true, 1), std::invalid_argument);
    EXPECT_THROW(thin.compute(T, B, A, TAt, wrong, true, 1), std::invalid_argument);
    EXPECT_THROW(thin.compute(T, Matrix::Ones(5, 2), A, TAt, BtT, true, 1),
                 std::invalid_argument);
    EXPECT_THROW(thin.compute(T, B, A, TAt, BtT, true, 0), std::invalid_argument);
    EXPECT_NO_THROW(thin.compute(T, B, A, wrong, BtT, false, 1));  // TAt unused
}

TEST(ThinProducts, NamesItsKernel) {
    const std::string name = ThinProducts::bestKernelName();
    EXPECT_TRUE(name == "avx512" || name == "avx2" || name == "eigen") << name;
}

// ---- gemm ---------------------------------------------------------------------------------------

TEST(Gemm, AllTransposeCombinationsMatchDoubleOnEveryTeamSplit) {
    // One small product (one thread does it), products large enough for the team to split C by
    // rows (m >= n) or by columns, with fewer than 16 rows or columns on one side, an empty
    // inner dimension (C = beta·C), and a long inner dimension with both sides short (slices
    // under 16 wide). Each on teams of 1, 2 and 3 threads.
    struct Shape {
        Index m, n, kk;
    };
    const Shape shapes[] = {{37, 29, 45}, {300, 70, 40}, {50, 333, 41}, {3, 2000, 64},
                            {2000, 3, 64}, {17, 999, 33}, {40, 30, 0}, {20, 12, 1500}};
    test::OmpThreads team(1);
    std::uint64_t seed = 0;
    for (const Shape& sh : shapes)
        for (int threads : {1, 2, 3})
            for (Op opA : {Op::N, Op::T})
                for (Op opB : {Op::N, Op::T}) {
                    team.set(threads);
                    const Index m = sh.m, n = sh.n, kk = sh.kk;
                    const Matrix A = opA == Op::N ? randomMatrix(m, kk, ++seed)
                                                  : randomMatrix(kk, m, ++seed);
                    const Matrix B = opB == Op::N ? randomMatrix(kk, n, ++seed)
                                                  : randomMatrix(n, kk, ++seed);
                    const MatrixD Ad = opA == Op::N ? MatrixD(A.cast<double>())
                                                    : MatrixD(A.cast<double>().transpose());
                    const MatrixD Bd = opB == Op::N ? MatrixD(B.cast<double>())
                                                    : MatrixD(B.cast<double>().transpose());
                    const Matrix C0 = randomMatrix(m, n, ++seed);
                    const std::string where = std::to_string(m) + "x" + std::to_string(n) + "x" +
                                              std::to_string(kk) + " threads " +
                                              std::to_string(threads) + " " + gemmBackend();
                    // The classic float bound: |error| <= (kk + 2)·u·(|α|·|A|·|B| + |β|·|C0|)
                    // entrywise, u = 2⁻²⁴ (a little slack: 2u).
                    const MatrixD absAB = Ad.cwiseAbs() * Bd.cwiseAbs();
                    const double u2 = 2.0 * std::ldexp(1.0, -24) * static_cast<double>(kk + 2);
                    // beta = 0 must ignore C entirely (NaN stays out); beta ≠ 0 accumulates.
                    Matrix C = Matrix::Constant(m, n, NAN);
                    gemm(opA, opB, 1.5f, A, B, 0.0f, C);
                    const MatrixD want0 = 1.5 * Ad * Bd;
                    const MatrixD bound0 = (u2 * 1.5) * absAB;
                    EXPECT_TRUE(((C.cast<double>() - want0).cwiseAbs().array() <=
                                 bound0.array() + 1e-30)
                                    .all())
                        << where;
                    C = C0;
                    gemm(opA, opB, -0.5f, A, B, 2.0f, C);
                    const MatrixD want1 = -0.5 * Ad * Bd + 2.0 * C0.cast<double>();
                    const MatrixD bound1 =
                        u2 * (0.5 * absAB + 2.0 * C0.cast<double>().cwiseAbs());
                    EXPECT_TRUE(((C.cast<double>() - want1).cwiseAbs().array() <= bound1.array())
                                    .all())
                        << where;
                }
}

#ifdef LORALAB_COUNT_MALLOC
TEST(Gemm, AllocatesNothingOnATeam) {
    if (std::string(gemmBackend()) == "eigen")
        GTEST_SKIP() << "built without OpenBLAS: Eigen's GEMM allocates its packing buffers";
    const test::OmpThreads team(2);
    for (auto [m, n, kk] : {std::tuple<Index, Index, Index>{300, 70, 40}, {3, 2000, 64},
                            {37, 29, 45}, {20, 12, 1500}, {520, 16, 200}})
        for (Op opA : {Op::N, Op::T})
            for (Op opB : {Op::N, Op::T}) {
                const Matrix A = opA == Op::N ? randomMatrix(m, kk, 1) : randomMatrix(kk, m, 1);
                const Matrix B = opB == Op::N ? randomMatrix(kk, n, 2) : randomMatrix(n, kk, 2);
                Matrix C = Matrix::Zero(m, n);
                gemm(opA, opB, 1.0f, A, B, 0.5f, C);  // OpenBLAS sets up its buffers once
                EXPECT_EQ(test::allocationsDuring([&] { gemm(opA, opB, 1.0f, A, B, 0.5f, C); }),
                          0)
                    << m << "x" << n << "x" << kk << " " << (opA == Op::N ? "N" : "T")
                    << (opB == Op::N ? "N" : "T");
            }
}
#endif

TEST(Gemm, RejectsMismatchedShapesWithoutTouchingC) {
    const Matrix A = Matrix::Ones(3, 4), B = Matrix::Ones(4, 5);
    Matrix C = Matrix::Constant(3, 5, 9.0f), wrong = Matrix::Constant(5, 3, 9.0f);
    EXPECT_THROW(gemm(Op::N, Op::N, 1.0f, A, B, 0.0f, wrong), std::invalid_argument);
    EXPECT_THROW(gemm(Op::T, Op::N, 1.0f, A, B, 0.0f, C), std::invalid_argument);
    EXPECT_TRUE((C.array() == 9.0f).all());
    EXPECT_TRUE((wrong.array() == 9.0f).all());
    const std::string backend = gemmBackend();
    EXPECT_TRUE(backend == "openblas" || backend == "eigen") << backend;
}

// ---- huge pages ---------------------------------------------------------------------------------

namespace {

bool hugePagesOnRequest() {
    std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string line;
    std::getline(f, line);
    return line.find("[madvise]") != std::string::npos ||
           line.find("[always]") != std::string::npos;
}

// kB of AnonHugePages in the mapping that contains address p (from /proc/self/smaps).
long hugeKiBAt(const void* p) {
    std::ifstream smaps("/proc/self/smaps");
    const auto addr = reinterpret_cast<std::uintptr_t>(p);
    std::string line;
    bool inside = false;
    while (std::getline(smaps, line)) {
        std::uintptr_t lo = 0, hi = 0;
        char dash = 0;
        std::istringstream head(line);
        if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
            inside = lo <= addr && addr < hi;
            continue;
        }
        if (inside && line.compare(0, 14, "AnonHugePages:") == 0)
            return std::stol(line.substr(14));
    }
    return -1;
}

}  // namespace

TEST(HugePages, HugeMatrixHasTheShapeAndIsWritable) {
    Matrix m = hugeMatrix(3, 2);
    EXPECT_EQ(m.rows(), 3);
    EXPECT_EQ(m.cols(), 2);
    m.setConstant(1.0f);
    EXPECT_EQ(m.sum(), 6.0f);
    adviseHugePages(nullptr, 1 << 30);  // ignored
    adviseHugePages(m.data(), 24);      // below 2 MiB: ignored
}

TEST(HugePages, LargeMatrixIsBackedByHugePagesWhereTheKernelOffersThem) {
    if (!hugePagesOnRequest())
        GTEST_SKIP() << "transparent huge pages are off on this machine";
    Matrix m = hugeMatrix(2048, 2048);  // 16 MiB
    m.setZero();                        // first touch, after the advice
    // The advice covers whole pages inside the matrix: look at the mapping of its middle.
    const long kib = hugeKiBAt(m.data() + m.size() / 2);
    // The kernel may be short of free 2 MiB blocks (a busy machine's memory is fragmented: 6 of
    // 16 MiB were huge once while a build ran beside the test), so ask for one; without the
    // advice, in THP's madvise mode, there would be none.
    EXPECT_GE(kib, 2 * 1024) << "AnonHugePages " << kib << " kB in the matrix's mapping";
}

TEST(PageBuffer, EachBufferHasWholePagesOfItsOwn) {
    // Buffers of less than, exactly and more than a page, alive together: each starts on a page
    // boundary, so no two of them (nor anything else the allocator hands out) share a page.
    std::vector<PageFloats> buffers;
    for (std::size_t n : {std::size_t{1}, std::size_t{1023}, std::size_t{1024}, std::size_t{1025},
                          std::size_t{5000}, std::size_t{1}})
        buffers.emplace_back(n, 1.0f);
    std::vector<std::pair<std::uintptr_t, std::uintptr_t>> pages;  // [first, last] page numbers
    for (const PageFloats& b : buffers) {
        const auto at = reinterpret_cast<std::uintptr_t>(b.data());
        EXPECT_EQ(at % kPageBytes, 0u) << "a buffer of " << b.size() << " floats";
        pages.emplace_back(at / kPageBytes, (at + b.size() * sizeof(float) - 1) / kPageBytes);
    }
    for (std::size_t i = 0; i < pages.size(); ++i)
        for (std::size_t j = i + 1; j < pages.size(); ++j)
            EXPECT_TRUE(pages[i].second < pages[j].first || pages[j].second < pages[i].first)
                << "buffers " << i << " and " << j << " share a page";
    // A small ordinary allocation made now does not land inside any of them either.
    const auto other = std::make_unique<float[]>(4);
    const auto page = reinterpret_cast<std::uintptr_t>(other.get()) / kPageBytes;
    for (const auto& [first, last] : pages) EXPECT_TRUE(page < first || page > last);
}

TEST(PageBuffer, RefusesSizesThatOverflow) {
    PageAllocator<float> allocator;
    EXPECT_THROW((void)allocator.allocate(std::numeric_limits<std::size_t>::max() / 2),
                 std::bad_array_new_length);
}
