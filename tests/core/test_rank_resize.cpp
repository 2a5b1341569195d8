// rank_resize.h against dense double-precision SVDs of the formed ΔW: singular values, energy
// ranks from closed forms, and truncations that reach the Eckart–Young error exactly.
#include "loralab/rank_resize.h"
#include "loralab/rng.h"

#include "dense_reference.h"

#include <gtest/gtest.h>

#include <Eigen/SVD>

#include <cmath>
#include <stdexcept>
#include <tuple>

using namespace loralab;

namespace {

Matrix gaussian(Index rows, Index cols, std::uint64_t seed) {
    Matrix m(rows, cols);
    Rng(seed).fillNormal(m);
    return m;
}

VectorD denseSigma(const MatrixD& m) { return loralab::test::jacobiSvd(m, false).sigma; }

}  // namespace

TEST(RankResize, AdapterSvdMatchesTheFormedProductForAnyRank) {
    // r <= min(d, k) goes through QR; r > min(d, k) (peft allows it) through ΔW itself.
    for (auto [d, k, r] : {std::tuple<Index, Index, Index>{30, 20, 6}, {5, 40, 9}, {12, 4, 7}}) {
        const Matrix B = gaussian(d, r, 11), A = gaussian(r, k, 12);
        const double s = 1.7;
        const DeltaSvd svd = adapterSvd(B, A, s);
        const MatrixD dw = s * B.cast<double>() * A.cast<double>();
        const VectorD ref = denseSigma(dw);
        const Index m = std::min({d, k, r});
        ASSERT_EQ(svd.sigma.size(), m) << d << "x" << k << " r " << r;
        EXPECT_LT((svd.sigma - ref.head(m)).cwiseAbs().maxCoeff(), 1e-5 * ref[0]);
        const MatrixD rebuilt = svd.U.cast<double>() * svd.sigma.asDiagonal() * svd.V.cast<double>().transpose();
        EXPECT_LT((rebuilt - dw).norm(), 1e-5 * dw.norm());
    }
    EXPECT_THROW(adapterSvd(Matrix::Ones(4, 2), Matrix::Ones(3, 5), 1.0), std::invalid_argument);
    EXPECT_THROW(adapterSvd(Matrix::Ones(4, 2), Matrix::Ones(2, 5), NAN), std::invalid_argument);
}

TEST(RankResize, EnergyRankClosedForms) {
    VectorD sigma(3);
    sigma << 3, 2, 1;  // energies 9, 4, 1 of 14
    EXPECT_EQ(energyRank(sigma, 0.5), 1);    // 9/14 = 0.64
    EXPECT_EQ(energyRank(sigma, 0.9), 2);    // 13/14 = 0.93
    EXPECT_EQ(energyRank(sigma, 0.99), 3);
    EXPECT_EQ(energyRank(sigma, 13.0 / 14.0), 2);  // exactly the share of two values
    EXPECT_EQ(energyRank(VectorD::Zero(4), 0.9), 0);
    EXPECT_NEAR(truncationError(sigma, 1), std::sqrt(5.0 / 14.0), 1e-15);
    EXPECT_EQ(truncationError(sigma, 3), 0.0);
    EXPECT_EQ(truncationError(VectorD::Zero(2), 1), 0.0);
    EXPECT_THROW(energyRank(sigma, 0.0), std::invalid_argument);
    EXPECT_THROW(energyRank(sigma, 1.5), std::invalid_argument);
}

// Eckart–Young: the truncated SVD is the closest rank-R matrix; its error is the tail of σ.
TEST(RankResize, TruncationReachesTheEckartYoungError) {
    const Index d = 40, k = 28, r = 10;
    const Matrix B = gaussian(d, r, 21), A = gaussian(r, k, 22);
    const double s = 0.5;
    const MatrixD dw = s * B.cast<double>() * A.cast<double>();
    const loralab::test::DenseSvd dense = loralab::test::jacobiSvd(dw);
    const DeltaSvd svd = adapterSvd(B, A, s);
    for (Index R : {1, 3, 7, 10}) {
        for (double newScale : {2.0 / R, -0.25, 16.0 / std::sqrt(static_cast<double>(R))}) {
            const TruncatedFactors t = truncateRank(svd, R, newScale);
            ASSERT_EQ(t.B.rows(), d);
            ASSERT_EQ(t.B.cols(), R);
            ASSERT_EQ(t.A.rows(), R);
            ASSERT_EQ(t.A.cols(), k);
            const MatrixD kept = newScale * t.B.cast<double>() * t.A.cast<double>();
            const MatrixD best = dense.matrixU().leftCols(R) * dense.singularValues().head(R).asDiagonal() *
                                 dense.matrixV().leftCols(R).transpose();
            EXPECT_LT((kept - best).norm(), 1e-5 * dw.norm()) << "R " << R << " s' " << newScale;
            const double tail = dense.singularValues().tail(std::min(d, k) - R).norm();
            EXPECT_NEAR((dw - kept).norm(), tail, 1e-5 * dw.norm());
            EXPECT_NEAR(t.relativeError, tail / dw.norm(), 1e-6);
        }
    }
    // R above the number of values keeps everything.
    const TruncatedFactors all = truncateRank(svd, 50, 1.0);
    EXPECT_EQ(all.B.cols(), r);
    EXPECT_EQ(all.relativeError, 0.0);
    EXPECT_THROW(truncateRank(svd, 0, 1.0), std::invalid_argument);
    EXPECT_THROW(truncateRank(svd, 2, 0.0), std::invalid_argument);
}
