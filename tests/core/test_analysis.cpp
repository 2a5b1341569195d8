// Analysis: spectrum and Eckart–Young floor of T, SVD of ΔW through QR, numerical rank,
// subspace similarity — each against an independent dense computation or a closed form.
#include "loralab/analysis.h"
#include "loralab/rng.h"
#include "loralab/target.h"

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
        const VectorD ref = Eigen::JacobiSVD<MatrixD>(T.cast<double>()).singularValues();
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
    }
}

TEST(Analysis, FloorEqualsDirectBestRankRError) {
    const Index d = 24, k = 18;
    const Matrix T = makeTarget({TargetKind::Full, d, k, 1, 1.0, 7});
    const Spectrum sp = analyzeTarget(T);
    Eigen::JacobiSVD<MatrixD> svd(T.cast<double>(), Eigen::ComputeThinU | Eigen::ComputeThinV);
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
        Eigen::JacobiSVD<MatrixD> ref(dw, Eigen::ComputeThinU | Eigen::ComputeThinV);
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
    EXPECT_NEAR(none.sigma[0], std::sqrt(12.0), 1e-6);
    Spectrum empty;
    EXPECT_THROW(empty.floor(1), std::invalid_argument);
}
