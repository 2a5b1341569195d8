// Targets: determinism from the seed, scaling, rank and spectrum of each kind.
#include "loralab/rng.h"
#include "loralab/target.h"

#include "dense_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <stdexcept>

using namespace loralab;

namespace {

TargetSpec spec(TargetKind kind, Index d, Index k, std::uint64_t seed = 1) {
    TargetSpec s;
    s.kind = kind;
    s.d = d;
    s.k = k;
    s.seed = seed;
    return s;
}

bool sameBits(const Matrix& a, const Matrix& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() &&
           std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0;
}

VectorD singularValues(const Matrix& T) {
    return loralab::test::jacobiSvd(T.cast<double>(), false).sigma;
}

}  // namespace

TEST(Target, NamesRoundTrip) {
    for (TargetKind k : {TargetKind::Full, TargetKind::LowRank, TargetKind::Identity,
                         TargetKind::Decay, TargetKind::File})
        EXPECT_EQ(parseTargetKind(targetKindName(k)), k);
    EXPECT_STREQ(targetKindName(TargetKind::LowRank), "lowrank");
    EXPECT_THROW(parseTargetKind("gaussian"), std::invalid_argument);
}

TEST(Target, SameSeedSameBitsOtherSeedOtherMatrix) {
    for (TargetKind kind : {TargetKind::Full, TargetKind::LowRank, TargetKind::Decay}) {
        TargetSpec a = spec(kind, 20, 13, 77);
        a.targetRank = 3;
        const Matrix t1 = makeTarget(a), t2 = makeTarget(a);
        EXPECT_TRUE(sameBits(t1, t2)) << targetKindName(kind);
        a.seed = 78;
        EXPECT_FALSE(sameBits(t1, makeTarget(a))) << targetKindName(kind);
    }
}

TEST(Target, RandomKindsHaveUnitRms) {
    for (TargetKind kind : {TargetKind::Full, TargetKind::LowRank, TargetKind::Decay}) {
        TargetSpec s = spec(kind, 31, 45, 3);
        s.targetRank = 2;
        s.decayPower = 1.5;
        const Matrix T = makeTarget(s);
        ASSERT_EQ(T.rows(), 31);
        ASSERT_EQ(T.cols(), 45);
        EXPECT_NEAR(T.cast<double>().squaredNorm(), 31.0 * 45.0, 31.0 * 45.0 * 1e-5)
            << targetKindName(kind);
    }
}

TEST(Target, IdentityIsThePlainRectangularIdentity) {
    const Matrix T = makeTarget(spec(TargetKind::Identity, 5, 8));
    for (Index i = 0; i < 5; ++i)
        for (Index j = 0; j < 8; ++j) EXPECT_EQ(T(i, j), i == j ? 1.0f : 0.0f);
    const VectorD sv = singularValues(makeTarget(spec(TargetKind::Identity, 9, 6)));
    EXPECT_NEAR(sv.minCoeff(), 1.0, 1e-12);  // flat spectrum
    EXPECT_NEAR(sv.maxCoeff(), 1.0, 1e-12);
}

TEST(Target, LowRankHasExactlyTargetRank) {
    for (Index rstar : {1, 3, 7}) {
        TargetSpec s = spec(TargetKind::LowRank, 30, 22, 4);
        s.targetRank = rstar;
        const VectorD sv = singularValues(makeTarget(s));
        EXPECT_GT(sv[rstar - 1], 1e-2 * sv[0]) << "r* = " << rstar;
        ASSERT_LT(rstar, sv.size());
        EXPECT_LT(sv[rstar], 1e-5 * sv[0]) << "r* = " << rstar;
    }
}

TEST(Target, FullGaussianIsFullRankWithGaussianEntries) {
    const Matrix T = makeTarget(spec(TargetKind::Full, 60, 50, 9));
    const VectorD sv = singularValues(T);
    EXPECT_GT(sv[49], 1e-3 * sv[0]);
    EXPECT_NEAR(T.mean(), 0.0f, 0.05f);  // 3000 entries: sd of the mean ≈ 0.018
    const double fourth = T.cast<double>().array().pow(4).mean();
    EXPECT_NEAR(fourth, 3.0, 0.4);  // Gaussian kurtosis, sd ≈ 0.18 at n = 3000
}

TEST(Target, DecaySpectrumFollowsPowerLaw) {
    for (double p : {0.0, 0.5, 2.0}) {
        TargetSpec s = spec(TargetKind::Decay, 25, 40, 12);
        s.decayPower = p;
        const VectorD sv = singularValues(makeTarget(s));
        ASSERT_EQ(sv.size(), 25);
        for (Index i = 0; i < sv.size(); ++i)
            EXPECT_NEAR(sv[i] / sv[0], std::pow(static_cast<double>(i + 1), -p), 1e-5)
                << "p = " << p << ", i = " << i;
    }
}

TEST(Target, RandomOrthonormalIsQOfGaussianWithPositiveR) {
    const Index d = 12, n = 5;
    const std::uint64_t seed = 31;
    const MatrixD Q = randomOrthonormal(d, n, seed).cast<double>();
    EXPECT_LT((Q.transpose() * Q - MatrixD::Identity(n, n)).cwiseAbs().maxCoeff(), 1e-6);
    // The same Gaussian draw, column-major: G = Q·R with R upper triangular, diag(R) > 0.
    Rng rng(seed);
    MatrixD G(d, n);
    for (Index i = 0; i < G.size(); ++i) G.data()[i] = rng.normal();
    const MatrixD R = Q.transpose() * G;
    for (Index j = 0; j < n; ++j) {
        EXPECT_GT(R(j, j), 0.0) << "column " << j;
        for (Index i = j + 1; i < n; ++i) EXPECT_NEAR(R(i, j), 0.0, 1e-5) << i << "," << j;
    }
    EXPECT_LT((Q * R - G).cwiseAbs().maxCoeff(), 1e-5);
    EXPECT_TRUE(randomOrthonormal(d, n, seed) == randomOrthonormal(d, n, seed));
}

TEST(Target, BadSpecsThrow) {
    EXPECT_THROW(makeTarget(spec(TargetKind::Full, 0, 5)), std::invalid_argument);
    EXPECT_THROW(makeTarget(spec(TargetKind::Identity, 5, -1)), std::invalid_argument);
    TargetSpec s = spec(TargetKind::LowRank, 6, 4);
    s.targetRank = 0;
    EXPECT_THROW(makeTarget(s), std::invalid_argument);
    s.targetRank = 5;
    EXPECT_THROW(makeTarget(s), std::invalid_argument);
    s = spec(TargetKind::Decay, 6, 4);
    s.decayPower = -0.5;
    EXPECT_THROW(makeTarget(s), std::invalid_argument);
    s.decayPower = NAN;
    EXPECT_THROW(makeTarget(s), std::invalid_argument);
    EXPECT_THROW(makeTarget(spec(TargetKind::File, 4, 4)), std::invalid_argument);
    EXPECT_THROW(randomOrthonormal(3, 4, 1), std::invalid_argument);
    EXPECT_THROW(randomOrthonormal(3, 0, 1), std::invalid_argument);
    try {
        TargetSpec bad = spec(TargetKind::LowRank, 6, 4);
        bad.targetRank = 9;
        makeTarget(bad);
        FAIL() << "no throw";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("1..4"), std::string::npos) << e.what();
    }
}

TEST(Target, MemoryEstimateCoversWhatIsBuilt) {
    const TargetSpec full{TargetKind::Full, 1000, 600, 1, 1.0, 1};
    EXPECT_DOUBLE_EQ(targetMemoryBytes(full), 4.0 * 1000 * 600);  // T alone
    TargetSpec low = full;
    low.kind = TargetKind::LowRank;
    low.targetRank = 8;
    EXPECT_DOUBLE_EQ(targetMemoryBytes(low), 4.0 * (1000 * 600 + 8 * 1600));
    // Decay: the double factors and product besides T, and the QR's temporaries.
    TargetSpec decay = full;
    decay.kind = TargetKind::Decay;
    EXPECT_GE(targetMemoryBytes(decay), 8.0 * (1000 * 600 + 600 * 600 + 1000 * 600) + 4.0 * 1000 * 600);
}
