// The fit kernel's plan (fit_plan.h): each rule of core/README.md's table chosen where it says,
// as a pure function of shape, ISA and caches; and each plan of the active kernels (CTest runs
// this file once per kernel the CPU has) run on a shape that picks it, against double.
#include "fit_plan.h"

#include "loralab/isa.h"
#include "loralab/rng.h"
#include "thin_products.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

using namespace loralab;

namespace {

constexpr Index MiB = Index(1) << 20;
const CacheInfo kZen5{1 * MiB, false};  // 1 MiB of L2 a core, an L3 faster than memory
const CacheInfo kIntel{2 * MiB, true};  // 2 MiB of L2 a core, a mesh L3 as slow as memory

FitPlan plan(Index d, Index k, Index r, int threads, Isa isa, const CacheInfo& c = kZen5) {
    return planFitPass({d, k, r, threads}, isa, c);
}

}  // namespace

TEST(FitPlan, Avx512RulesAreChosenWhereTheTableSays) {
    const Isa I = Isa::Avx512;
    FitPlan p = plan(1024, 1024, 1, 2, I);  // T in the caches, r = 1: 4 columns, spread
    EXPECT_STREQ(p.rule, "r1-cached");
    EXPECT_EQ(p.J, 4);
    EXPECT_TRUE(p.spreadColumns);
    p = plan(4096, 4096, 1, 2, I);  // T from memory: 8 columns keep more lines in flight
    EXPECT_STREQ(p.rule, "r1-stream");
    EXPECT_EQ(p.J, 8);
    EXPECT_EQ(p.prefetch, 0);
    p = plan(1024, 1024, 4, 2, I);  // from L3, B and the partial in L1: one block of all ranks
    EXPECT_STREQ(p.rule, "one-block");
    EXPECT_EQ(p.P, 4);
    EXPECT_EQ(p.J, 3);
    EXPECT_EQ(p.prefetch, 0);
    EXPECT_EQ(plan(1024, 1024, 4, 2, I, kIntel).prefetch, 16);  // ... prefetched from a slow L3
    EXPECT_STREQ(plan(2048, 2048, 4, 2, I).rule, "l2-tile");    // B and partial past L1
    p = plan(1024, 1024, 16, 2, I);  // a J-column tile of T stays in L1: 2 × 6
    EXPECT_STREQ(p.rule, "l1-tile");
    EXPECT_EQ(p.P, 2);
    EXPECT_EQ(p.J, 6);
    EXPECT_EQ(p.stretch, 64);  // whole columns
    p = plan(4096, 4096, 16, 2, I);  // the tile spills L1: 4 × 6, T prefetched from memory
    EXPECT_STREQ(p.rule, "l2-tile");
    EXPECT_EQ(p.P, 4);
    EXPECT_EQ(p.prefetch, 16);
    EXPECT_TRUE(p.aRegisters);
    p = plan(4096, 4096, 2, 2, I);  // streaming at r = 2: A's values from memory
    EXPECT_STREQ(p.rule, "r2");
    EXPECT_FALSE(p.aRegisters);
    EXPECT_TRUE(plan(1500, 1500, 2, 1, I).aRegisters);  // in cache: A in registers
    p = plan(4096, 4096, 64, 2, I);  // short stretches keep the tile in L1; T still streams
    EXPECT_STREQ(p.rule, "l1-tile");
    EXPECT_EQ(p.stretch, 64);
    EXPECT_EQ(p.prefetch, 16);
    // A thread's share of 14 MiB or more spills L3 too: prefetched as when streaming.
    EXPECT_EQ(plan(2048, 2048, 16, 1, I).prefetch, 16);
    EXPECT_EQ(plan(2048, 2048, 16, 2, I).prefetch, 0);
    for (Index r : {1, 2, 4, 16, 64}) EXPECT_FALSE(plan(1024, 1024, r, 2, I).rankBlocks) << r;
}

TEST(FitPlan, NarrowRulesAreChosenWhereTheTableSays) {
    for (Isa I : {Isa::Avx2, Isa::Generic}) {
        FitPlan p = plan(1024, 1024, 1, 2, I);
        EXPECT_STREQ(p.rule, "r1-narrow");
        EXPECT_EQ(p.J, 4);
        p = plan(1024, 1024, 16, 2, I);
        EXPECT_STREQ(p.rule, "narrow");
        EXPECT_EQ(p.P, 2);
        EXPECT_EQ(p.J, 3);
        EXPECT_TRUE(p.rankBlocks);  // no prefetching: every full block of ranks in one call
        EXPECT_FALSE(p.askNextColumns);
        for (Index r : {2, 3, 4}) {  // streaming, one stretch: ask for the next columns
            p = plan(4096, 4096, r, 2, I);
            EXPECT_STREQ(p.rule, "narrow-stream") << r;
            EXPECT_TRUE(p.askNextColumns);
            EXPECT_FALSE(p.rankBlocks);
        }
        EXPECT_STREQ(plan(4096, 4096, 8, 2, I).rule, "narrow");
        EXPECT_STREQ(plan(2048, 2048, 4, 2, I).rule, "narrow");  // T in L3
    }
}

TEST(FitPlan, BlockingCoversEveryRowInEqualStretchesThatFitL2) {
    for (Isa I : {Isa::Generic, Isa::Avx2, Isa::Avx512})
        for (Index d : {1, 17, 1000, 4200, 11008})
            for (Index r : {1, 2, 5, 16, 65}) {
                const FitPlan p = plan(d, 300, r, 2, I);
                const Index W = isaWidth(I), vectors = (d + W - 1) / W;
                const std::string what = std::string(isaName(I)) + " d=" + std::to_string(d) +
                                         " r=" + std::to_string(r);
                ASSERT_GE(p.stretch, 1) << what;
                ASSERT_LE(p.stretch, vectors) << what;
                // Whole columns, or stretches of at most 4096 rows whose last is nearly full.
                if (p.stretch < vectors) {
                    EXPECT_LE(p.stretch * W, 4096) << what;
                    const Index count = (vectors + p.stretch - 1) / p.stretch;
                    EXPECT_GT(vectors - (count - 1) * p.stretch, p.stretch - count) << what;
                }
                EXPECT_EQ(p.panel % p.J, 0) << what;
                EXPECT_GE(p.P, 1);
            }
}

// Each rule the active kernels have, run on a shape that picks it (on this machine's caches),
// against double precision.
TEST(FitPlan, EveryPlanOfTheActiveKernelsComputesTheProducts) {
    struct Case {
        Index d, k, r;
        int threads;
    };
    const Isa isa = activeIsa();
    const Case cases[] = {{1024, 1024, 1, 2}, {4096, 4096, 1, 2}, {1024, 1024, 4, 2},
                          {2048, 2048, 4, 2}, {1024, 1024, 16, 2}, {4096, 4096, 16, 2},
                          {4096, 4096, 2, 2}, {2048, 2048, 16, 1}, {4096, 4096, 4, 2},
                          {4096, 4096, 64, 2}};
    std::set<std::string> seen;
    ThinProducts thin;
    for (const Case& c : cases) {
        const std::string want = planFitPass({c.d, c.k, c.r, c.threads}, isa,
                                             CacheInfo::ofThisMachine()).rule;
        if (!seen.insert(want).second) continue;  // one shape per rule
        Rng rng(c.d + c.r);
        Matrix T(c.d, c.k), B(c.d, c.r), A(c.r, c.k);
        rng.fillNormal(T);
        rng.fillNormal(B);
        rng.fillNormal(A);
        Matrix TAt(c.d, c.r), BtT(c.r, c.k);
        thin.compute(T, B, A, TAt, BtT, true, c.threads);
        EXPECT_EQ(thin.lastPlan().rule, want);
        const MatrixD wantTAt = T.cast<double>() * A.cast<double>().transpose();
        const MatrixD wantBtT = B.cast<double>().transpose() * T.cast<double>();
        const double tol = 1e-5 * std::sqrt(static_cast<double>(std::max(c.d, c.k)));
        EXPECT_LT((TAt.cast<double>() - wantTAt).norm() / wantTAt.norm(), tol) << want;
        EXPECT_LT((BtT.cast<double>() - wantBtT).norm() / wantBtT.norm(), tol) << want;
    }
    EXPECT_GE(seen.size(), isa == Isa::Avx512 ? 6u : 3u) << "rules run";
}
