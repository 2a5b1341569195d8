// Measurements in a child process (app/bench/isolated_measurement.h): they work after OpenMP
// has started its threads, report what the child measured, and the one-line encoding the
// child uses is exact.
#include "bench/isolated_measurement.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

using namespace loralab;

TEST(IsolatedMeasurement, LimitsAreMeasuredInAChildEvenAfterOpenMPHasRun) {
    // A child forked with OpenMP's worker threads alive would hang in its first parallel
    // region; measureLimitsIsolated releases the pool first.
    int sum = 0;
#pragma omp parallel num_threads(2) reduction(+ : sum)
    sum += 1;
    ASSERT_GE(sum, 1);
    const MachineLimits l = measureLimitsIsolated(2);
    EXPECT_TRUE(l.isolated);
    EXPECT_GT(l.peakFlops, 0.0);
    EXPECT_GT(l.bandwidth, 0.0);
    EXPECT_FALSE(l.readCurve.empty());
    // And this process's OpenMP still works afterwards.
    sum = 0;
#pragma omp parallel num_threads(2) reduction(+ : sum)
    sum += 1;
    EXPECT_GE(sum, 1);
}

TEST(IsolatedMeasurement, CaseLimitsComeFromTheChild) {
    MachineLimits run;
    run.gemmSize = 256;
    run.peakSource = "eigen";
    const MachineLimits l = measureCaseLimitsIsolated(1, run, 3.0 * (1 << 20));
    EXPECT_TRUE(l.isolated);
    EXPECT_EQ(l.gemmSize, 256);
    EXPECT_EQ(l.peakSource, "eigen");
    ASSERT_EQ(l.readCurve.size(), 1u);
    EXPECT_EQ(l.readCurve[0].first, 3 << 20);
    EXPECT_DOUBLE_EQ(l.bandwidth, l.readCurve[0].second);

    MachineLimits unmeasured;
    EXPECT_THROW(measureCaseLimitsIsolated(1, unmeasured, 1e6), std::invalid_argument);
    EXPECT_THROW(measureCaseLimitsIsolated(0, run, 1e6), std::invalid_argument);
}

TEST(IsolatedMeasurement, TheChildsReportIsExact) {
    MachineLimits l;
    l.peakFlops = 1.0 / 3.0 * 1e11;  // not a short decimal: hex floats must carry every bit
    l.eigenFlops = std::nextafter(2.5e10, 3e10);
    l.openblasFlops = 0.0;
    l.bandwidth = 4.1e10;
    l.triadBandwidth = 3.3e10;
    l.gemmSize = 1024;
    l.triadBytes = 3LL << 26;
    l.readCurve = {{256 << 10, 1.7e11}, {1LL << 28, std::sqrt(2.0) * 1e10}};
    l.peakSource = "eigen";
    MachineLimits back;
    ASSERT_TRUE(decodeLimits(encodeLimits(l), back));
    EXPECT_EQ(back.peakFlops, l.peakFlops);
    EXPECT_EQ(back.eigenFlops, l.eigenFlops);
    EXPECT_EQ(back.openblasFlops, l.openblasFlops);
    EXPECT_EQ(back.bandwidth, l.bandwidth);
    EXPECT_EQ(back.triadBandwidth, l.triadBandwidth);
    EXPECT_EQ(back.gemmSize, l.gemmSize);
    EXPECT_EQ(back.triadBytes, l.triadBytes);
    EXPECT_EQ(back.readCurve, l.readCurve);
    EXPECT_EQ(back.peakSource, l.peakSource);
    // A truncated or garbled report is refused (the parent then measures by itself).
    const std::string line = encodeLimits(l);
    EXPECT_FALSE(decodeLimits(line.substr(0, line.size() / 2), back));
    EXPECT_FALSE(decodeLimits("", back));
    EXPECT_FALSE(decodeLimits("not limits at all", back));
}
