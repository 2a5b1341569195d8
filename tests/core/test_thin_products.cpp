// The one pass over T (thin_products.h), the active SIMD kernels (LORALAB_KERNEL: CTest runs
// this file once per kernel) and the Eigen path, against double-precision products.
#include "thin_products.h"

#include "loralab/isa.h"
#include "loralab/rng.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
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
                            std::string(kernel == ThinProducts::Kernel::Best ? isaName(activeIsa()) : "eigen") +
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


