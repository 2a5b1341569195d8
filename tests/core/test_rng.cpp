// Rng: xoshiro256** seeded by splitmix64, 53-bit uniforms, Box–Muller normals; deterministic.
#include "loralab/rng.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

using loralab::Matrix;
using loralab::Rng;

namespace {

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

// splitmix64 from seed 0 gives the published stream 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4,
// 0x06c45d188009454f, 0xf88bb8a8724c81ec; xoshiro256**'s output is rotl(s1·5, 7)·9, then the
// state update of the reference implementation.
TEST(Rng, MatchesReferenceXoshiroFromSplitmixSeed) {
    std::uint64_t s[4] = {0xe220a8397b1dcdafull, 0x6e789e6aa1b965f4ull, 0x06c45d188009454full,
                          0xf88bb8a8724c81ecull};
    Rng rng(0);
    for (int i = 0; i < 8; ++i) {
        const std::uint64_t expected = rotl(s[1] * 5, 7) * 9;
        const std::uint64_t t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        EXPECT_EQ(rng.nextU64(), expected) << "draw " << i;
    }
}

TEST(Rng, SameSeedSameBitsDifferentSeedDifferentBits) {
    Rng a(42), b(42), c(43);
    int differences = 0;
    for (int i = 0; i < 1000; ++i) {
        const std::uint64_t x = a.nextU64();
        EXPECT_EQ(x, b.nextU64());
        differences += x != c.nextU64();
    }
    EXPECT_GT(differences, 990);

    Matrix m1(7, 5), m2(7, 5);
    Rng(9).fillNormal(m1, 2.0);
    Rng(9).fillNormal(m2, 2.0);
    EXPECT_EQ(std::memcmp(m1.data(), m2.data(), sizeof(float) * m1.size()), 0);
}

TEST(Rng, UniformIsFiftyThreeBitGridInUnitInterval) {
    Rng rng(7);
    double sum = 0.0, minV = 1.0, maxV = 0.0;
    int oddLowBit = 0;  // all 53 bits are random: the lowest is set half of the time
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
        const double u = rng.uniform01();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        const double scaled = u * 0x1.0p53;
        ASSERT_EQ(scaled, std::floor(scaled)) << "not a multiple of 2^-53: " << u;
        oddLowBit += static_cast<std::uint64_t>(scaled) & 1u;
        sum += u;
        minV = std::min(minV, u);
        maxV = std::max(maxV, u);
    }
    // Mean of U(0,1) has sd 1/sqrt(12n) ≈ 6.5e-4: 5e-3 is more than 7 sd.
    EXPECT_NEAR(sum / n, 0.5, 5e-3);
    EXPECT_NEAR(static_cast<double>(oddLowBit) / n, 0.5, 5e-3);
    EXPECT_LT(minV, 1e-3);
    EXPECT_GT(maxV, 1.0 - 1e-3);

    for (int i = 0; i < 1000; ++i) {
        const double x = rng.uniform(-3.0, 5.0);
        EXPECT_GE(x, -3.0);
        EXPECT_LT(x, 5.0);
    }
}

TEST(Rng, NormalHasStandardMomentsAndMass) {
    Rng rng(123);
    const int n = 200000;
    double sum = 0.0, sumSq = 0.0, sum4 = 0.0;
    int withinOne = 0;
    for (int i = 0; i < n; ++i) {
        const double x = rng.normal();
        ASSERT_TRUE(std::isfinite(x));
        sum += x;
        sumSq += x * x;
        sum4 += x * x * x * x;
        withinOne += std::abs(x) < 1.0;
    }
    const double mean = sum / n, var = sumSq / n - mean * mean;
    EXPECT_NEAR(mean, 0.0, 0.01);       // sd of the mean ≈ 0.0022
    EXPECT_NEAR(var, 1.0, 0.02);        // sd of the variance ≈ 0.0032
    EXPECT_NEAR(sum4 / n, 3.0, 0.1);    // Gaussian kurtosis
    EXPECT_NEAR(static_cast<double>(withinOne) / n, 0.682689, 0.005);
}

TEST(Rng, FillsAreColumnMajorDrawsWithTheGivenSpread) {
    Matrix m(3, 4);
    Rng(5).fillNormal(m, 0.5);
    Rng ref(5);
    for (loralab::Index j = 0; j < m.cols(); ++j)
        for (loralab::Index i = 0; i < m.rows(); ++i)
            EXPECT_EQ(m(i, j), static_cast<float>(0.5 * ref.normal())) << i << "," << j;

    Matrix u(50, 40);
    Rng(6).fillUniform(u, 2.0, 3.0);
    EXPECT_GE(u.minCoeff(), 2.0f);
    EXPECT_LE(u.maxCoeff(), 3.0f);
    Rng ref2(6);
    EXPECT_EQ(u(0, 0), static_cast<float>(ref2.uniform(2.0, 3.0)));
    EXPECT_EQ(u(1, 0), static_cast<float>(ref2.uniform(2.0, 3.0)));
}

TEST(Rng, FillsRejectBadArguments) {
    Rng rng(1);
    Matrix m(2, 2);
    EXPECT_THROW(rng.fillUniform(m, 1.0, 0.0), std::invalid_argument);
    EXPECT_THROW(rng.fillUniform(m, NAN, 1.0), std::invalid_argument);
    EXPECT_THROW(rng.fillUniform(m, 0.0, INFINITY), std::invalid_argument);
    EXPECT_THROW(rng.fillNormal(m, -1.0), std::invalid_argument);
    EXPECT_THROW(rng.fillNormal(m, NAN), std::invalid_argument);
}
