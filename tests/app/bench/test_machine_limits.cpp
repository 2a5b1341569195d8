// The machine's limits (app/bench/machine_limits.h): the roofline against closed forms, the
// bandwidth at a working set interpolated in log size, and one case's own limits.
#include "bench/machine_limits.h"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace loralab;

TEST(MachineLimits, RooflineIsTheSlowerOfComputeAndMemory) {
    MachineLimits l;
    l.peakFlops = 100e9;
    l.bandwidth = 50e9;
    EXPECT_DOUBLE_EQ(l.rooflineMs(1e9, 1e6), 10.0);   // compute-bound: 1e9 / 1e11 s
    EXPECT_DOUBLE_EQ(l.rooflineMs(1e6, 1e9), 20.0);   // memory-bound: 1e9 / 5e10 s
}

TEST(MachineLimits, BandwidthFollowsTheWorkingSet) {
    MachineLimits l;
    l.peakFlops = 100e9;
    l.bandwidth = 20e9;  // main memory
    l.readCurve = {{1 << 20, 100e9}, {4 << 20, 50e9}, {16 << 20, 10e9}};
    EXPECT_DOUBLE_EQ(l.bandwidthFor(1 << 19), 100e9);           // below the smallest buffer
    EXPECT_DOUBLE_EQ(l.bandwidthFor(1 << 20), 100e9);
    EXPECT_NEAR(l.bandwidthFor(2 << 20), 75e9, 1e-3);           // halfway in log(size)
    EXPECT_DOUBLE_EQ(l.bandwidthFor(4 << 20), 50e9);
    EXPECT_DOUBLE_EQ(l.bandwidthFor(16 << 20), 20e9);           // never below main memory
    EXPECT_DOUBLE_EQ(l.bandwidthFor(1e12), 20e9);               // beyond the largest buffer
    EXPECT_DOUBLE_EQ(l.rooflineMs(1e3, 2e6, 4 << 20), 0.04);    // 2e6 B / 5e10 B/s
    EXPECT_DOUBLE_EQ(l.rooflineMs(1e3, 2e6), 0.1);              // main memory: 2e6 / 2e10
}

TEST(MachineLimits, CaseLimitsRepeatTheRunsGemmAndReadTheCasesWorkingSet) {
    MachineLimits run;  // what measureLimits found at the start of a run (a small GEMM here)
    run.gemmSize = 256;
    run.peakSource = "eigen";
    const MachineLimits l = measureCaseLimits(1, run, 3.0 * (1 << 20));
    EXPECT_FALSE(l.isolated);
    EXPECT_EQ(l.gemmSize, 256);
    EXPECT_EQ(l.peakSource, "eigen");
    EXPECT_GT(l.peakFlops, 0.0);
    EXPECT_DOUBLE_EQ(l.peakFlops, l.eigenFlops);
    ASSERT_EQ(l.readCurve.size(), 1u);
    EXPECT_EQ(l.readCurve[0].first, 3 << 20);  // a buffer of the case's working set
    EXPECT_GT(l.bandwidth, 0.0);
    EXPECT_DOUBLE_EQ(l.bandwidth, l.readCurve[0].second);
    // Its roofline uses that one bandwidth at any working set.
    EXPECT_DOUBLE_EQ(l.bandwidthFor(1.0), l.bandwidth);
    EXPECT_DOUBLE_EQ(l.bandwidthFor(1e12), l.bandwidth);
    EXPECT_DOUBLE_EQ(l.rooflineMs(0.0, 1e9, 1e9), 1e3 * 1e9 / l.bandwidth);

    // Working sets outside the read curve's range are read at its ends.
    EXPECT_EQ(measureCaseLimits(1, run, 1000.0).readCurve.at(0).first, 256 << 10);

    MachineLimits unmeasured;
    EXPECT_THROW(measureCaseLimits(1, unmeasured, 1e6), std::invalid_argument);
    EXPECT_THROW(measureCaseLimits(0, run, 1e6), std::invalid_argument);
}

TEST(MachineLimits, MemoryEstimatesCoverWhatTheMeasurementsAllocate) {
    // The GEMM's three 2048² float matrices and the largest read-stream buffer, 256 MiB.
    EXPECT_GE(caseLimitsMemoryBytes(), 3LL * 2048 * 2048 * 4 + (256LL << 20));
    EXPECT_GE(limitsMemoryBytes(), 256LL << 20);
}
