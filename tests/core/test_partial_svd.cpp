// topSvd: the top singular triplets and the tail energy against a dense double SVD of the same
// float matrix, on random, low-rank, decaying, flat and picture-like targets; warm starts,
// progress, cancellation and bad arguments.
#include "loralab/partial_svd.h"
#include "loralab/rng.h"
#include "loralab/target.h"

#include "dense_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

using namespace loralab;

namespace {

// A grayscale picture in [0, 1] with 8-bit levels, as the app loads PNGs: a shaded background,
// a few flat disks (sharp edges: a slowly decaying spectrum) and a little sensor noise.
Matrix picture(Index d, Index k, std::uint64_t seed) {
    Rng rng(seed);
    double cx[5], cy[5], rad[5], level[5];
    for (int c = 0; c < 5; ++c) {
        cx[c] = rng.uniform01();
        cy[c] = rng.uniform01();
        rad[c] = 0.05 + 0.3 * rng.uniform01();
        level[c] = rng.uniform01();
    }
    Matrix T(d, k);
    for (Index j = 0; j < k; ++j)
        for (Index i = 0; i < d; ++i) {
            const double x = static_cast<double>(j) / k, y = static_cast<double>(i) / d;
            double g = 0.3 * x + 0.2 * y + 0.1 * std::sin(40.0 * x * y);
            for (int c = 0; c < 5; ++c)
                if ((x - cx[c]) * (x - cx[c]) + (y - cy[c]) * (y - cy[c]) < rad[c] * rad[c])
                    g = level[c];
            g = std::clamp(g + 0.02 * rng.normal(), 0.0, 1.0);
            T(i, j) = static_cast<float>(std::round(g * 255.0) / 255.0);
        }
    return T;
}

// Σ_{i>r} σᵢ² from the dense SVD, and from the partial result (valid for r <= n).
double denseTail(const VectorD& sigma, Index r) { return sigma.tail(sigma.size() - r).squaredNorm(); }
double partialTail(const TopSvd& s, Index r) {
    return s.restSq + s.sigma.tail(s.sigma.size() - r).squaredNorm();
}

// Floors within 1e-6 relative for every r <= n (a floor the dense SVD calls exactly zero within
// 1e-12 of ‖T‖²), singular values within 1e-7 of σ₁, and orthonormal singular vectors.
void expectMatchesDense(const Matrix& T, Index n, const TopSvd& s, const char* what) {
    const loralab::test::DenseSvd dense = loralab::test::bdcSvd(T.cast<double>());
    const VectorD& ref = dense.singularValues();
    ASSERT_EQ(s.sigma.size(), n) << what;
    ASSERT_EQ(s.U.rows(), T.rows()) << what;
    ASSERT_EQ(s.U.cols(), n) << what;
    ASSERT_EQ(s.V.rows(), T.cols()) << what;
    ASSERT_EQ(s.V.cols(), n) << what;
    const double normSq = ref.squaredNorm();
    EXPECT_NEAR(s.normSq, normSq, 1e-12 * normSq) << what;
    double worst = 0.0;
    Index worstAt = -1;
    for (Index r = 0; r <= n; ++r) {
        const double truth = denseTail(ref, r), mine = partialTail(s, r);
        const double err = truth > 0.0 ? std::abs(mine - truth) / truth
                                        : std::abs(mine) / (1e-6 * 1e-12 * normSq);
        if (err > worst) {
            worst = err;
            worstAt = r;
        }
    }
    EXPECT_LE(worst, 1e-6) << what << ": worst floor error at r = " << worstAt << ": dense "
                           << denseTail(ref, worstAt) << ", partial " << partialTail(s, worstAt);
    EXPECT_LE((s.sigma - ref.head(n)).cwiseAbs().maxCoeff(), 1e-7 * ref[0]) << what;
    const MatrixD U = s.U.cast<double>(), V = s.V.cast<double>();
    EXPECT_LT((U.transpose() * U - MatrixD::Identity(n, n)).cwiseAbs().maxCoeff(), 1e-5) << what;
    EXPECT_LT((V.transpose() * V - MatrixD::Identity(n, n)).cwiseAbs().maxCoeff(), 1e-5) << what;
    // Uᵀ·T = Σ·Vᵀ (V spans what U sees of T), so the rank-n product U·Σ·Vᵀ is T's projection
    // onto U and misses exactly the tail energy: what an svd init starts from. (Where that
    // tail is below float rounding of U and V, only the first relation can be checked.)
    const MatrixD Td = T.cast<double>();
    EXPECT_LT((U.transpose() * Td - s.sigma.asDiagonal() * V.transpose()).norm(), 1e-5 * ref[0])
        << what;
    const double tail = denseTail(ref, n);
    if (tail > 1e-6 * normSq) {
        const double rebuilt = (Td - U * s.sigma.asDiagonal() * V.transpose()).squaredNorm();
        EXPECT_NEAR(rebuilt, tail, 1e-5 * tail) << what;
    }
}

Matrix target(TargetKind kind, Index d, Index k, Index targetRank, double power, std::uint64_t seed) {
    TargetSpec spec;
    spec.kind = kind;
    spec.d = d;
    spec.k = k;
    spec.targetRank = targetRank;
    spec.decayPower = power;
    spec.seed = seed;
    return makeTarget(spec);
}

}  // namespace

TEST(PartialSvd, RandomTargetsMatchDenseSvd) {
    for (auto [d, k, n] : {std::tuple<Index, Index, Index>{300, 300, 16}, {400, 180, 4},
                           {150, 420, 8}, {500, 500, 40}}) {
        const Matrix T = target(TargetKind::Full, d, k, 1, 1.0, 3);
        expectMatchesDense(T, n, topSvd(T, n), "full");
    }
}

// A float-rounded rank-3 target: σ₄.. are rounding noise near 1e-7·σ₁ and the floor at
// r >= 3 is about 1e-15 of ‖T‖²; the residual keeps its digits where ‖T‖² − Σσᵢ² could not.
TEST(PartialSvd, LowRankTargetsKeepTheirTinyFloors) {
    const Matrix T = target(TargetKind::LowRank, 360, 240, 3, 1.0, 5);
    for (Index n : {2, 3, 8, 20}) {
        const TopSvd s = topSvd(T, n);
        expectMatchesDense(T, n, s, "lowrank");
        if (n >= 3) {
            EXPECT_GT(s.restSq, 0.0);
            EXPECT_LT(s.restSq, 1e-10 * s.normSq);
        }
    }
}

TEST(PartialSvd, DecayingTargetsMatchDenseSvd) {
    for (double p : {0.5, 1.0, 2.0, 4.0}) {
        const Matrix T = target(TargetKind::Decay, 320, 280, 1, p, 7);
        expectMatchesDense(T, 16, topSvd(T, 16), "decay");
    }
}

TEST(PartialSvd, PictureTargetsMatchDenseSvd) {
    const Matrix T = picture(384, 256, 11);
    EXPECT_GE(T.minCoeff(), 0.0f);
    EXPECT_LE(T.maxCoeff(), 1.0f);
    for (Index n : {1, 10, 32}) expectMatchesDense(T, n, topSvd(T, n), "picture");
}

// Every singular value equal (the identity) and an exactly rank-1 picture (one gray level):
// blocks that collapse into the basis are replaced, and the floors stay exact.
TEST(PartialSvd, FlatAndExactlyRankDeficientTargets) {
    const Matrix I = target(TargetKind::Identity, 200, 200, 1, 1.0, 1);
    const TopSvd s = topSvd(I, 16);
    for (Index r = 0; r <= 16; ++r)
        EXPECT_NEAR(partialTail(s, r), static_cast<double>(200 - r), 1e-9 * 200) << r;
    const Matrix gray = Matrix::Constant(180, 150, 0.5f);
    const TopSvd g = topSvd(gray, 6);
    EXPECT_NEAR(g.sigma[0], 0.5 * std::sqrt(180.0 * 150.0), 1e-9 * g.sigma[0]);
    EXPECT_LE(partialTail(g, 1), 1e-20 * g.normSq);
    EXPECT_LE(g.sigma.tail(5).maxCoeff(), 1e-9 * g.sigma[0]);
}

// Too small for the Krylov bases to grow: one block of every direction, exact at once.
TEST(PartialSvd, SmallMatricesTakeOneExactBlock) {
    const Matrix T = target(TargetKind::Full, 40, 30, 1, 1.0, 2);
    expectMatchesDense(T, 10, topSvd(T, 10), "small");
    expectMatchesDense(T, 30, topSvd(T, 30), "all");
}

// Extending: a run for 24 values seeded with the vectors of a run for 8 gives the same
// answer as a cold run, in no more passes over T.
TEST(PartialSvd, WarmStartExtendsTheSpectrum) {
    const Matrix T = target(TargetKind::Decay, 400, 300, 1, 0.7, 9);
    const TopSvd first = topSvd(T, 8);
    const TopSvd warm = topSvd(T, 24, {}, &first.V);
    expectMatchesDense(T, 24, warm, "warm");
    const TopSvd cold = topSvd(T, 24);
    EXPECT_LE(warm.passes, cold.passes);
    EXPECT_NEAR(warm.restSq, cold.restSq, 1e-9 * cold.restSq);
}

TEST(PartialSvd, ProgressRisesToOne) {
    const Matrix T = target(TargetKind::Full, 300, 260, 1, 1.0, 4);
    std::vector<double> seen;
    SvdControl control;
    control.progress = [&](double f) { seen.push_back(f); };
    topSvd(T, 12, control);
    ASSERT_GE(seen.size(), 2u);
    for (std::size_t i = 0; i < seen.size(); ++i) {
        EXPECT_GE(seen[i], 0.0);
        EXPECT_LE(seen[i], 1.0);
        if (i > 0) {
            EXPECT_GT(seen[i], seen[i - 1]);
        }
    }
    EXPECT_EQ(seen.back(), 1.0);
}

TEST(PartialSvd, CancellationStopsBetweenPasses) {
    const Matrix T = target(TargetKind::Full, 300, 260, 1, 1.0, 4);
    int polls = 0;
    bool finished = false;
    SvdControl control;
    control.cancelled = [&] { return ++polls >= 4; };
    control.progress = [&](double f) { finished = finished || f == 1.0; };
    EXPECT_THROW(topSvd(T, 12, control), Cancelled);
    EXPECT_EQ(polls, 4);  // not polled again once it said so
    EXPECT_FALSE(finished);
    polls = 0;
    control.cancelled = [&] { return ++polls >= 1; };
    EXPECT_THROW(topSvd(T, 12, control), Cancelled);  // before the first pass
    EXPECT_EQ(polls, 1);
    control.cancelled = [] { return false; };
    EXPECT_NO_THROW(topSvd(T, 12, control));
    EXPECT_TRUE(finished);
}

TEST(PartialSvd, BadArgumentsThrow) {
    const Matrix T = Matrix::Ones(20, 10);
    EXPECT_THROW(topSvd(T, 0), std::invalid_argument);
    EXPECT_THROW(topSvd(T, 11), std::invalid_argument);
    EXPECT_THROW(topSvd(Matrix(0, 5), 1), std::invalid_argument);
    Matrix nan = T;
    nan(3, 4) = NAN;
    EXPECT_THROW(topSvd(nan, 2), std::invalid_argument);
    const Matrix warm = Matrix::Ones(20, 2);  // k = 10 rows needed
    EXPECT_THROW(topSvd(T, 2, {}, &warm), std::invalid_argument);
}

TEST(PartialSvd, MemoryEstimateGrowsWithTheShape) {
    const double small = topSvdMemoryBytes(1024, 1024, 16, 2);
    EXPECT_GT(small, 0.0);
    EXPECT_GT(topSvdMemoryBytes(4096, 4096, 16, 2), 3.0 * small);
    EXPECT_GT(topSvdMemoryBytes(4096, 4096, 64, 2), topSvdMemoryBytes(4096, 4096, 16, 2));
    // The bases alone: at least (2d + k) doubles per kept vector.
    EXPECT_GE(topSvdMemoryBytes(8192, 4096, 64, 1), 8.0 * (2 * 8192 + 4096) * 64);
}
