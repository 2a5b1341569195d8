// The bench's cases and their cost model (app/bench/bench_workloads.h): the plan's order and
// the bytes, flops and memory of a case against closed forms.
#include "bench/bench_workloads.h"

#include <gtest/gtest.h>

using namespace loralab;

TEST(BenchWorkloads, PlanGroupsCasesBySize) {
    BenchOptions o;  // workload "all"
    o.sizes = {64, 128};
    o.ranks = {1, 8};
    o.batch = 64;
    const std::vector<BenchCase> cases = planCases(o);
    ASSERT_EQ(cases.size(), 10u);  // per size: 2 fit + 2 layer + 1 full
    EXPECT_EQ(cases[0].workload, Workload::Fit);
    EXPECT_EQ(cases[0].batch, 0);
    EXPECT_EQ(cases[2].workload, Workload::Layer);
    EXPECT_EQ(cases[4].workload, Workload::Full);
    EXPECT_EQ(cases[4].rank, 0);
    EXPECT_EQ(cases[4].batch, 64);
    EXPECT_EQ(cases[5].d, 128);
    o.d = 96;
    o.k = 32;  // explicit --d/--k replace --sizes
    const std::vector<BenchCase> one = planCases(o);
    ASSERT_EQ(one.size(), 5u);
    EXPECT_EQ(one[0].d, 96);
    EXPECT_EQ(one[0].k, 32);
}

TEST(BenchWorkloads, CostModelClosedForms) {
    // Fit at d = k = 1024, r = 16 with SGD: T read once plus B, A read+written and their
    // gradients written+read; the flop count is dominated by 4·d·k·r.
    const BenchCase fit{Workload::Fit, 1024, 1024, 16, 0};
    EXPECT_DOUBLE_EQ(caseBytesMoved(fit, OptimizerKind::Sgd), 4.0 * (1024.0 * 1024 + 4 * 16 * 2048));
    const double flops = fitFlopsPerStep(1024, 1024, 16, OptimizerKind::Adam);
    EXPECT_GT(flops, 4.0 * 1024 * 1024 * 16);
    EXPECT_LT(flops, 1.1 * 4.0 * 1024 * 1024 * 16);
    // Memory: full fine-tuning with Adam holds W0, W, dW, m, v (5·d·k floats) at least.
    const BenchCase full{Workload::Full, 1024, 1024, 0, 8};
    EXPECT_GE(sizeMemoryEstimate({full}, OptimizerKind::Adam), 4.0 * 5 * 1024 * 1024);
    EXPECT_GE(sizeMemoryEstimate({fit}, OptimizerKind::Adam), 4.0 * 1024 * 1024);
}
