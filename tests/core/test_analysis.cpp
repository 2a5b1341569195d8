// Analysis: spectrum and Eckart–Young floor of T, SVD of ΔW through QR, numerical rank,
// subspace similarity — each against an independent dense computation or a closed form.
#include "loralab/analysis.h"
#include "loralab/rng.h"
#include "loralab/target.h"

#include "dense_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

using namespace loralab;

namespace {

Matrix gaussian(Index rows, Index cols, std::uint64_t seed) {
    Matrix m(rows, cols);
    Rng(seed).fillNormal(m);
    return m;
}

}  // namespace

TEST(Analysis, SpectrumMatchesJacobiSvd) {
    for (auto [d, k] : {std::pair<Index, Index>{30, 20}, {15, 40}, {12, 12}}) {
        const Matrix T = gaussian(d, k, 3);
        const Spectrum sp = analyzeTarget(T, 5);
        const VectorD ref = loralab::test::jacobiSvd(T.cast<double>(), false).sigma;
        ASSERT_EQ(sp.sigma.size(), std::min(d, k));
        EXPECT_LT((sp.sigma - ref).cwiseAbs().maxCoeff(), 1e-10 * ref[0]);
        EXPECT_EQ(sp.d, d);
        EXPECT_EQ(sp.k, k);
        // U: orthonormal columns that are left singular vectors (‖Tᵀuᵢ‖ = σᵢ).
        ASSERT_EQ(sp.U.rows(), d);
        ASSERT_EQ(sp.U.cols(), 5);
        const MatrixD U = sp.U.cast<double>();
        EXPECT_LT((U.transpose() * U - MatrixD::Identity(5, 5)).cwiseAbs().maxCoeff(), 1e-6);
        for (Index i = 0; i < 5; ++i)
            EXPECT_NEAR((T.cast<double>().transpose() * U.col(i)).norm(), ref[i], 1e-5 * ref[0]);
        // V: the matching right singular vectors (T·vᵢ = σᵢ·uᵢ).
        ASSERT_EQ(sp.V.rows(), k);
        ASSERT_EQ(sp.V.cols(), 5);
        const MatrixD V = sp.V.cast<double>();
        for (Index i = 0; i < 5; ++i)
            EXPECT_LT((T.cast<double>() * V.col(i) - ref[i] * U.col(i)).norm(), 1e-5 * ref[0]);
        EXPECT_TRUE(sp.complete);
    }
}

TEST(Analysis, FloorEqualsDirectBestRankRError) {
    const Index d = 24, k = 18;
    const Matrix T = makeTarget({TargetKind::Full, d, k, 1, 1.0, 7});
    const Spectrum sp = analyzeTarget(T);
    const loralab::test::DenseSvd svd = loralab::test::jacobiSvd(T.cast<double>());
    for (Index r = 0; r <= k; ++r) {
        const MatrixD best = svd.matrixU().leftCols(r) *
                             svd.singularValues().head(r).asDiagonal() *
                             svd.matrixV().leftCols(r).transpose();
        const double direct = (T.cast<double>() - best).squaredNorm() / (d * k);
        EXPECT_NEAR(sp.floor(r), direct, 1e-10) << "r = " << r;
    }
    EXPECT_NEAR(sp.floor(0), 1.0, 1e-6);  // unit RMS target: nothing fitted
    EXPECT_EQ(sp.floor(k), 0.0);
    EXPECT_EQ(sp.floor(k + 50), 0.0);
    EXPECT_THROW(sp.floor(-1), std::invalid_argument);
    for (Index r = 1; r <= k; ++r) EXPECT_LE(sp.floor(r), sp.floor(r - 1));
}

TEST(Analysis, LowRankTargetHasZeroFloorFromItsRank) {
    const Spectrum sp = analyzeTarget(makeTarget({TargetKind::LowRank, 32, 20, 3, 1.0, 2}));
    EXPECT_GT(sp.floor(2), 1e-3);
    EXPECT_LT(sp.floor(3), 1e-10);
    EXPECT_EQ(numericalRank(sp.sigma), 3);
}

TEST(Analysis, IdentityFloorIsLinear) {
    const Index n = 16;
    const Spectrum sp = analyzeTarget(makeTarget({TargetKind::Identity, n, n, 1, 1.0, 1}));
    for (Index r = 0; r <= n; ++r)
        EXPECT_NEAR(sp.floor(r), static_cast<double>(n - r) / (n * n), 1e-12) << r;
}

TEST(Analysis, DeltaSvdMatchesSvdOfTheFormedProduct) {
    for (auto [d, k, r] : {std::tuple<Index, Index, Index>{20, 14, 4}, {9, 30, 1}, {12, 12, 12}}) {
        const Matrix B = gaussian(d, r, 5), A = gaussian(r, k, 6);
        const double s = 0.75;
        const DeltaSvd ds = deltaSvd(B, A, s);
        const MatrixD dw = s * B.cast<double>() * A.cast<double>();
        const loralab::test::DenseSvd ref = loralab::test::jacobiSvd(dw);
        ASSERT_EQ(ds.sigma.size(), r);
        ASSERT_EQ(ds.U.rows(), d);
        ASSERT_EQ(ds.U.cols(), r);
        ASSERT_EQ(ds.V.rows(), k);
        ASSERT_EQ(ds.V.cols(), r);
        EXPECT_LT((ds.sigma - ref.singularValues().head(r)).cwiseAbs().maxCoeff(),
                  1e-6 * ref.singularValues()[0])
            << d << "x" << k << " r=" << r;
        const MatrixD U = ds.U.cast<double>(), V = ds.V.cast<double>();
        EXPECT_LT((U.transpose() * U - MatrixD::Identity(r, r)).cwiseAbs().maxCoeff(), 1e-6);
        EXPECT_LT((V.transpose() * V - MatrixD::Identity(r, r)).cwiseAbs().maxCoeff(), 1e-6);
        const MatrixD rebuilt = U * ds.sigma.asDiagonal() * V.transpose();
        EXPECT_LT((rebuilt - dw).cwiseAbs().maxCoeff(), 1e-5 * dw.cwiseAbs().maxCoeff());
    }
}

TEST(Analysis, DeltaSvdSeesRankDeficiency) {
    Matrix B = gaussian(10, 3, 1), A = gaussian(3, 8, 2);
    B.col(2).setZero();
    const DeltaSvd ds = deltaSvd(B, A, 1.0);
    EXPECT_GT(ds.sigma[1], 1e-3);
    EXPECT_LT(ds.sigma[2], 1e-6 * ds.sigma[0]);
    EXPECT_EQ(numericalRank(ds.sigma), 2);
    const DeltaSvd zero = deltaSvd(Matrix::Zero(10, 3), A, 1.0);
    EXPECT_EQ(zero.sigma.maxCoeff(), 0.0);
    EXPECT_EQ(numericalRank(zero.sigma), 0);
}

TEST(Analysis, NumericalRankClosedForms) {
    VectorD s(4);
    s << 3.0, 2.0, 1e-4, 1e-7;
    EXPECT_EQ(numericalRank(s), 3);         // 1e-4 > 1e-5·3
    EXPECT_EQ(numericalRank(s, 1e-3), 2);
    EXPECT_EQ(numericalRank(s, 0.0), 4);
    EXPECT_EQ(numericalRank(VectorD::Zero(5)), 0);
    EXPECT_EQ(numericalRank(VectorD()), 0);
    EXPECT_THROW(numericalRank(s, -1.0), std::invalid_argument);
    EXPECT_THROW(numericalRank(s, NAN), std::invalid_argument);
}

TEST(Analysis, SubspaceSimilarityClosedForms) {
    const Matrix Q = randomOrthonormal(12, 6, 4);
    // Identical subspaces: 1 for every (i, j) (the smaller is contained in the larger).
    for (Index i = 1; i <= 6; ++i)
        for (Index j = 1; j <= 6; ++j)
            EXPECT_NEAR(subspaceSimilarity(Q, i, Q, j), 1.0, 1e-6) << i << "," << j;
    // Orthogonal subspaces: 0.
    const Matrix U = Q.leftCols(3), V = Q.rightCols(3);
    EXPECT_NEAR(subspaceSimilarity(U, 3, V, 3), 0.0, 1e-12);
    // Half overlap: span(e1, e2) against span(e1, e3) → ‖UᵀV‖² = 1, φ = 1/2.
    Matrix E = Matrix::Zero(5, 2), F = Matrix::Zero(5, 2);
    E(0, 0) = E(1, 1) = 1.0f;
    F(0, 0) = F(2, 1) = 1.0f;
    EXPECT_DOUBLE_EQ(subspaceSimilarity(E, 2, F, 2), 0.5);
    EXPECT_DOUBLE_EQ(subspaceSimilarity(E, 1, F, 1), 1.0);
    EXPECT_DOUBLE_EQ(subspaceSimilarity(E, 2, F, 1), 1.0);
    // A 45° rotation: cos² = 1/2.
    Matrix G = Matrix::Zero(5, 1);
    G(0, 0) = G(3, 0) = static_cast<float>(std::sqrt(0.5));
    EXPECT_NEAR(subspaceSimilarity(E, 1, G, 1), 0.5, 1e-7);

    EXPECT_THROW(subspaceSimilarity(E, 0, F, 1), std::invalid_argument);
    EXPECT_THROW(subspaceSimilarity(E, 3, F, 1), std::invalid_argument);
    EXPECT_THROW(subspaceSimilarity(E, 1, F, 3), std::invalid_argument);
    EXPECT_THROW(subspaceSimilarity(E, 1, Q, 1), std::invalid_argument);  // 5 vs 12 rows
}

TEST(Analysis, BadArgumentsThrow) {
    EXPECT_THROW(analyzeTarget(Matrix(0, 4)), std::invalid_argument);
    EXPECT_THROW(analyzeTarget(Matrix::Ones(3, 3), -1), std::invalid_argument);
    Matrix nan = Matrix::Ones(3, 3);
    nan(1, 1) = NAN;
    EXPECT_THROW(analyzeTarget(nan), std::invalid_argument);
    EXPECT_THROW(deltaSvd(Matrix::Ones(4, 2), Matrix::Ones(3, 5), 1.0), std::invalid_argument);
    EXPECT_THROW(deltaSvd(Matrix::Ones(4, 3), Matrix::Ones(3, 2), 1.0), std::invalid_argument);
    EXPECT_THROW(deltaSvd(Matrix::Ones(4, 2), Matrix::Ones(2, 5), NAN), std::invalid_argument);
    EXPECT_THROW(deltaSvd(Matrix(4, 0), Matrix(0, 5), 1.0), std::invalid_argument);
    const Spectrum none = analyzeTarget(Matrix::Ones(4, 3), 0);
    EXPECT_EQ(none.U.cols(), 0);
    EXPECT_EQ(none.V.cols(), 0);
    EXPECT_NEAR(none.sigma[0], std::sqrt(12.0), 1e-6);
    Spectrum empty;
    EXPECT_THROW(empty.floor(1), std::invalid_argument);
}

// ---- partial spectra (topSpectrum, extendSpectrum) ---------------------------------------------

namespace {

// Floors of `sp` for r = 0..computed() against a dense double SVD, within 1e-6 relative.
void expectFloorsMatchDense(const Spectrum& sp, const Matrix& T, const char* what) {
    const VectorD ref = loralab::test::bdcSvd(T.cast<double>()).sigma;
    const double dk = static_cast<double>(T.rows()) * static_cast<double>(T.cols());
    for (Index r = 0; r <= sp.computed(); ++r) {
        const double truth = ref.tail(ref.size() - r).squaredNorm() / dk;
        EXPECT_NEAR(sp.floor(r), truth, 1e-6 * truth + 1e-300) << what << " r = " << r;
    }
    EXPECT_LE((sp.sigma - ref.head(sp.computed())).cwiseAbs().maxCoeff(), 1e-7 * ref[0]) << what;
    EXPECT_NEAR(sp.normSq, ref.squaredNorm(), 1e-12 * ref.squaredNorm()) << what;
}

}  // namespace

TEST(Analysis, SpectrumMethodThresholds) {
    EXPECT_EQ(spectrumMethodFor(256, 4096, 4), SpectrumMethod::Dense);  // min(d, k) <= 256
    EXPECT_EQ(spectrumMethodFor(257, 4096, 4), SpectrumMethod::Partial);
    EXPECT_EQ(spectrumMethodFor(1000, 1000, 249), SpectrumMethod::Partial);
    EXPECT_EQ(spectrumMethodFor(1000, 1000, 250), SpectrumMethod::Dense);  // 4·values >= min
    EXPECT_EQ(spectrumMethodFor(8192, 28672, 16), SpectrumMethod::Partial);
}

// Both sides of kDenseSpectrumMaxDim: complete and dense at 256, partial at 257, and the same
// floors either way.
TEST(Analysis, TopSpectrumIsDenseUpToTheThresholdAndPartialPastIt) {
    const Matrix small = makeTarget({TargetKind::Full, 256, 300, 1, 1.0, 3});
    const Spectrum dense = topSpectrum(small, 16);
    EXPECT_TRUE(dense.complete);
    EXPECT_EQ(dense.computed(), 256);
    EXPECT_EQ(dense.U.cols(), 64);
    EXPECT_EQ(dense.V.cols(), 64);
    EXPECT_EQ(dense.restSq, 0.0);
    expectFloorsMatchDense(dense, small, "dense");
    EXPECT_EQ(dense.floor(256), 0.0);
    EXPECT_EQ(dense.floor(1000), 0.0);

    const Matrix large = makeTarget({TargetKind::Full, 257, 300, 1, 1.0, 3});
    const Spectrum part = topSpectrum(large, 16);
    EXPECT_FALSE(part.complete);
    EXPECT_EQ(part.computed(), 16);
    EXPECT_EQ(part.U.rows(), 257);
    EXPECT_EQ(part.U.cols(), 16);
    EXPECT_EQ(part.V.rows(), 300);
    EXPECT_EQ(part.V.cols(), 16);
    expectFloorsMatchDense(part, large, "partial");
    EXPECT_NEAR(part.restSq, part.floor(16) * 257.0 * 300.0, 1e-12 * part.restSq);
    EXPECT_TRUE(part.covers(16));
    EXPECT_FALSE(part.covers(17));
    EXPECT_THROW(part.floor(17), std::invalid_argument);
    // Forcing either method on the same matrix gives the same floors.
    const Spectrum forced = topSpectrum(large, 16, {}, SpectrumMethod::Dense);
    EXPECT_TRUE(forced.complete);
    for (Index r = 0; r <= 16; ++r) EXPECT_NEAR(part.floor(r), forced.floor(r), 1e-6 * forced.floor(r));
    EXPECT_THROW(topSpectrum(large, 0), std::invalid_argument);
    EXPECT_THROW(topSpectrum(large, 258), std::invalid_argument);
}

// The low-rank case the partial method exists for: floors near 1e-15 of ‖T‖² from the residual.
TEST(Analysis, PartialSpectrumOfALowRankTargetKeepsTheTinyFloors) {
    const Matrix T = makeTarget({TargetKind::LowRank, 400, 300, 3, 1.0, 2});
    const Spectrum sp = topSpectrum(T, 16);
    ASSERT_FALSE(sp.complete);
    expectFloorsMatchDense(sp, T, "lowrank");
    EXPECT_GT(sp.floor(2), 1e-3);
    EXPECT_LT(sp.floor(3), 1e-12);
    EXPECT_GT(sp.floor(3), 0.0);
}

TEST(Analysis, ExtendSpectrumGrowsACopy) {
    const Matrix T = makeTarget({TargetKind::Decay, 420, 380, 1, 0.8, 5});
    const Spectrum sp = topSpectrum(T, 12);
    const Spectrum more = extendSpectrum(sp, T, 40);
    EXPECT_EQ(sp.computed(), 12);  // the original is untouched
    EXPECT_GE(more.computed(), 40);
    EXPECT_GE(more.U.cols(), 40);
    EXPECT_FALSE(more.complete);
    expectFloorsMatchDense(more, T, "extended");
    for (Index r = 0; r <= 12; ++r) EXPECT_NEAR(more.floor(r), sp.floor(r), 1e-6 * sp.floor(r));
    // Already covered: returned as it is.
    const Spectrum same = extendSpectrum(more, T, 20);
    EXPECT_EQ(same.computed(), more.computed());
    EXPECT_TRUE(same.sigma == more.sigma);
    // So many values that a dense SVD is cheaper: the complete spectrum.
    const Spectrum all = extendSpectrum(sp, T, 100);
    EXPECT_TRUE(all.complete);
    expectFloorsMatchDense(all, T, "dense extension");
    EXPECT_THROW(extendSpectrum(sp, Matrix::Ones(420, 379), 20), std::invalid_argument);
}

TEST(Analysis, TopSpectrumReportsProgressAndCancels) {
    for (Index d : {200, 300}) {  // dense, then partial
        const Matrix T = makeTarget({TargetKind::Full, d, 280, 1, 1.0, 1});
        double last = -1.0;
        SvdControl control;
        control.progress = [&](double f) { last = f; };
        topSpectrum(T, 8, control);
        EXPECT_EQ(last, 1.0) << d;
        control.cancelled = [] { return true; };
        last = -1.0;
        EXPECT_THROW(topSpectrum(T, 8, control), Cancelled) << d;
        EXPECT_EQ(last, -1.0) << d;
    }
}

TEST(Analysis, SpectrumMemoryFollowsTheMethod) {
    // Dense: T in double and its SVD's matrices, several times d·k doubles.
    EXPECT_GE(spectrumMemoryBytes(256, 256, 16, 2), 8.0 * 2 * 256 * 256);
    // Partial: a few bases of the kept vectors, far below one d×k double copy at 16384².
    const double partial = spectrumMemoryBytes(16384, 16384, 16, 2);
    EXPECT_GT(partial, 8.0 * 3 * 16384 * 16);
    EXPECT_LT(partial, 8.0 * 16384.0 * 16384.0 / 10);
}
