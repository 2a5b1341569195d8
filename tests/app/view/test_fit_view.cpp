// The window's view of a fit (app/view/fit_view.h) without ImGui: every figure against an
// independent double-precision computation (explicit products, dense Jacobi SVDs).
#include "view/fit_view.h"

#include "dense_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace loralab;

namespace {

TrainerConfig config(Index d, Index k, Index rank, TargetKind target = TargetKind::Full) {
    TrainerConfig c;
    c.target.kind = target;
    c.target.d = d;
    c.target.k = k;
    c.target.targetRank = 2;
    c.target.seed = 7;
    c.rank = rank;
    c.alpha = 2.0 * static_cast<double>(rank);  // s = 2: a scale that is not 1 must show
    c.optimizer.kind = OptimizerKind::Adam;
    c.optimizer.lr = 0.02;
    return c;
}

double largestAbs(const MatrixD& m) { return m.cwiseAbs().maxCoeff(); }

// s·B·A in double, by explicit sums.
MatrixD product(const Factors& f) {
    MatrixD W = MatrixD::Zero(f.d(), f.k());
    for (Index i = 0; i < f.d(); ++i)
        for (Index j = 0; j < f.k(); ++j)
            for (Index l = 0; l < f.rank(); ++l)
                W(i, j) += f.scale() * static_cast<double>(f.B(i, l)) * static_cast<double>(f.A(l, j));
    return W;
}

}  // namespace

TEST(FitView, MatricesLossAndFloorMatchClosedForms) {
    Trainer t(config(14, 9, 3));
    t.step(40);
    FitView v;
    updateFitMatrices(v, t.factors(), t);
    const MatrixD T = t.target().cast<double>();
    const MatrixD W = product(t.factors());
    const MatrixD R = T - W;
    EXPECT_DOUBLE_EQ(v.scale, 2.0);
    ASSERT_EQ(v.deltaW.rows(), 14);
    ASSERT_EQ(v.deltaW.cols(), 9);
    EXPECT_LT((v.deltaW.cast<double>() - W).cwiseAbs().maxCoeff(), 1e-5 * largestAbs(W));
    EXPECT_LT((v.residual.cast<double>() - R).cwiseAbs().maxCoeff(), 1e-5 * largestAbs(T));
    EXPECT_NEAR(v.maxAbs[ShownB], largestAbs(t.factors().B.cast<double>()), 1e-6);
    EXPECT_NEAR(v.maxAbs[ShownA], largestAbs(t.factors().A.cast<double>()), 1e-6);
    EXPECT_NEAR(v.maxAbs[ShownDeltaW], largestAbs(W), 1e-5 * largestAbs(W));
    EXPECT_NEAR(v.maxAbs[ShownTarget], largestAbs(T), 1e-6);
    EXPECT_NEAR(v.maxAbs[ShownResidual], largestAbs(R), 1e-5 * largestAbs(T));
    float most = 0;
    for (float m : v.maxAbs) most = std::max(most, m);
    EXPECT_EQ(v.sharedMax, most);
    // Loss ‖ΔW − T‖²/(dk); floor Σ_{i>r} σᵢ(T)²/(dk) from a dense SVD; zero level 1e-12·mean(T²).
    const double dk = 14.0 * 9.0;
    EXPECT_NEAR(v.loss, R.squaredNorm() / dk, 1e-5 * v.loss);
    const Eigen::VectorXd s = loralab::test::jacobiSvd(T, false).sigma;
    EXPECT_NEAR(v.floor, s.tail(s.size() - 3).squaredNorm() / dk, 1e-9 * s.squaredNorm());
    EXPECT_NEAR(v.zeroLevel, 1e-12 * T.squaredNorm() / dk, 1e-18 * T.squaredNorm() / dk);
    EXPECT_FALSE(v.floorIsZero());
}

TEST(FitView, ShowsTheFactorsItIsGivenNotTheTrainers) {
    Trainer t(config(4, 4, 1));
    Factors shown;
    shown.B = Matrix(4, 1);
    shown.B << 2, 1, 0, -1;
    shown.A = Matrix(1, 4);
    shown.A << 1, 0, -1, 2;
    shown.alpha = 1.0;
    FitView v;
    updateFitMatrices(v, shown, t);
    EXPECT_EQ(v.B, shown.B);
    EXPECT_EQ(v.A, shown.A);
    EXPECT_FLOAT_EQ(v.deltaW(0, 3), 4.0f);   // B₀·A₃ = 2·2
    EXPECT_FLOAT_EQ(v.deltaW(3, 3), -2.0f);  // row 4 is −A
    EXPECT_FLOAT_EQ(v.maxAbs[ShownDeltaW], 4.0f);
}

TEST(FitView, SpectrumAndSimilarityMatchDenseSvds) {
    Trainer t(config(20, 16, 4));
    t.step(60);
    FitView v;
    updateFitMatrices(v, t.factors(), t);
    ASSERT_TRUE(updateFitSpectrum(v, t.factors(), t.spectrum(), true));
    const MatrixD W = product(t.factors());
    const loralab::test::DenseSvd svdW = loralab::test::jacobiSvd(W);
    ASSERT_EQ(v.deltaSigma.size(), 4);
    for (Index i = 0; i < 4; ++i)
        EXPECT_NEAR(v.deltaSigma[i], svdW.singularValues()[i], 1e-4 * svdW.singularValues()[0]) << i;
    // φ(4, 4) = ‖U_ΔWᵀ U_T‖²_F / 4 over the top-4 left singular vectors of each.
    const loralab::test::DenseSvd svdT = loralab::test::jacobiSvd(t.target().cast<double>());
    const MatrixD overlap = svdW.matrixU().leftCols(4).transpose() * svdT.matrixU().leftCols(4);
    EXPECT_EQ(v.similarityDim, 4);
    EXPECT_NEAR(v.similarity, overlap.squaredNorm() / 4.0, 1e-4);
    EXPECT_GT(v.similarity, 0.0);
    EXPECT_LE(v.similarity, 1.0 + 1e-9);
    EXPECT_FALSE(v.spectrumSkipped);
}

TEST(FitView, ZeroDeltaWHasNoSpectrumToAnalyse) {
    Trainer t(config(10, 8, 3));  // peft init: B = 0, so ΔW = 0
    FitView v;
    updateFitMatrices(v, t.factors(), t);
    EXPECT_EQ(v.maxAbs[ShownB], 0.0f);
    EXPECT_EQ(v.maxAbs[ShownDeltaW], 0.0f);
    EXPECT_FALSE(updateFitSpectrum(v, t.factors(), t.spectrum(), true));
    EXPECT_EQ(v.deltaSigma, VectorD::Zero(3));
    EXPECT_LT(v.similarity, 0.0);
    EXPECT_EQ(v.similarityDim, 0);
    // The shared colour scale comes from the other matrices.
    EXPECT_EQ(v.sharedMax, std::max({v.maxAbs[ShownA], v.maxAbs[ShownTarget], v.maxAbs[ShownResidual]}));
}

TEST(FitView, TheSpectrumWaitsUntilItIsDue) {
    Trainer t(config(12, 12, 2));
    t.step(20);
    FitView v;
    updateFitMatrices(v, t.factors(), t);
    ASSERT_TRUE(updateFitSpectrum(v, t.factors(), t.spectrum(), true));
    const VectorD before = v.deltaSigma;
    t.step(20);
    updateFitMatrices(v, t.factors(), t);
    EXPECT_FALSE(updateFitSpectrum(v, t.factors(), t.spectrum(), false));
    EXPECT_EQ(v.deltaSigma, before);
    EXPECT_TRUE(updateFitSpectrum(v, t.factors(), t.spectrum(), true));
    EXPECT_NE(v.deltaSigma, before);
}

TEST(FitView, RanksAboveTheLimitSkipTheSpectrum) {
    for (const Index rank : {kMaxSpectrumRank, kMaxSpectrumRank + 1}) {
        Trainer t(config(kMaxSpectrumRank + 4, kMaxSpectrumRank + 4, rank));
        t.step(1);  // ΔW ≠ 0
        FitView v;
        updateFitMatrices(v, t.factors(), t);
        const bool ran = updateFitSpectrum(v, t.factors(), t.spectrum(), true);
        EXPECT_EQ(ran, rank <= kMaxSpectrumRank) << rank;
        EXPECT_EQ(v.spectrumSkipped, rank > kMaxSpectrumRank) << rank;
        EXPECT_EQ(v.deltaSigma.size(), rank <= kMaxSpectrumRank ? rank : 0) << rank;
    }
}

TEST(FitView, AnInfiniteValueFallsBackToAUnitColourScale) {
    Trainer t(config(4, 4, 1));
    Factors f = t.factors();
    f.B(0, 0) = std::numeric_limits<float>::infinity();
    FitView v;
    updateFitMatrices(v, f, t);
    EXPECT_TRUE(std::isinf(v.maxAbs[ShownB]));
    EXPECT_EQ(v.sharedMax, 1.0f);
}

TEST(FitView, ALowRankTargetFitExactlyHasAZeroFloor) {
    TrainerConfig c = config(16, 16, 2, TargetKind::LowRank);  // r* = 2 = r
    c.init = Init::Svd;                                        // starts at the fit
    Trainer t(c);
    FitView v;
    updateFitMatrices(v, t.factors(), t);
    EXPECT_TRUE(v.floorIsZero()) << v.floor << " vs " << v.zeroLevel;
    EXPECT_LE(v.loss, 1e-6 * v.maxAbs[ShownTarget] * v.maxAbs[ShownTarget]);
}

// Pooling keeps, per block, the entry of largest magnitude with its sign: a thin diagonal and a
// lone negative spike survive an 8:1 reduction, and the colour scales stay the full matrices'.
TEST(FitView, PoolingKeepsTheLargestEntryOfEachBlock) {
    EXPECT_EQ(poolFactor(512), 1);
    EXPECT_EQ(poolFactor(513), 2);
    EXPECT_EQ(poolFactor(4096), 8);
    Matrix m = Matrix::Identity(20, 12) * 0.5f;
    m(13, 2) = -3.0f;
    const Matrix p = poolMaxAbs(m, 8, 5);  // blocks of 8 rows x 5 columns, the last ones partial
    ASSERT_EQ(p.rows(), 3);
    ASSERT_EQ(p.cols(), 3);
    for (Index bi = 0; bi < 3; ++bi)
        for (Index bj = 0; bj < 3; ++bj) {
            float want = 0;  // the naive definition, block by block
            for (Index i = 8 * bi; i < std::min<Index>(20, 8 * bi + 8); ++i)
                for (Index j = 5 * bj; j < std::min<Index>(12, 5 * bj + 5); ++j)
                    if (std::fabs(m(i, j)) > std::fabs(want)) want = m(i, j);
            EXPECT_EQ(p(bi, bj), want) << bi << "," << bj;
        }
    EXPECT_EQ(p(1, 0), -3.0f);
    EXPECT_EQ(p(0, 0), 0.5f);  // the diagonal, not its 1/8 average
}

// Past kMaxFitShownCells the view holds pooled matrices whose cells equal the pooled full
// products, and whose largest values are the full matrices' largest values.
TEST(FitView, LargeFitsArePooledWithExactScales) {
    Trainer t(config(1100, 600, 3));
    t.step(5);
    FitView v;
    updateFitMatrices(v, t.factors(), t, 1);
    EXPECT_EQ(v.d, 1100);
    EXPECT_EQ(v.k, 600);
    EXPECT_EQ(v.poolRows, 3);
    EXPECT_EQ(v.poolCols, 2);
    const Matrix W = t.factors().deltaW();
    const Matrix R = t.target() - W;
    const Matrix pw = poolMaxAbs(W, 3, 2), pr = poolMaxAbs(R, 3, 2);
    ASSERT_EQ(v.deltaW.rows(), pw.rows());
    ASSERT_EQ(v.deltaW.cols(), pw.cols());
    EXPECT_LE((v.deltaW - pw).cwiseAbs().maxCoeff(), 1e-5f * W.cwiseAbs().maxCoeff());
    EXPECT_LE((v.residual - pr).cwiseAbs().maxCoeff(), 1e-5f * R.cwiseAbs().maxCoeff());
    EXPECT_EQ(v.target, poolMaxAbs(t.target(), 3, 2));
    EXPECT_EQ(v.B.rows(), 367);
    EXPECT_EQ(v.A.cols(), 300);
    EXPECT_NEAR(v.maxAbs[ShownDeltaW], W.cwiseAbs().maxCoeff(), 1e-5 * W.cwiseAbs().maxCoeff());
    EXPECT_EQ(v.maxAbs[ShownTarget], t.target().cwiseAbs().maxCoeff());
}

// A refresh in slices shows the factors as they were when it started, whatever training does
// meanwhile, and ends with the very view a refresh in one call gives for those factors.
TEST(FitView, ARefreshInSlicesEqualsOneInOneCall) {
    Trainer t(config(1100, 600, 3));
    t.step(5);
    const Factors then = t.factors();
    FitView whole;
    updateFitMatrices(whole, then, t, 1);
    PooledRefresh refresh;
    EXPECT_FALSE(refresh.active());
    refresh.start(t.factors(), t.target());
    EXPECT_TRUE(refresh.active());
    t.step(3);  // training goes on between slices
    int slices = 1;
    while (!refresh.advance(0.0)) ++slices;
    EXPECT_GT(slices, 1);
    EXPECT_LE(slices, (367 + 7) / 8);  // 367 bands of 3 rows, at least eight a call
    FitView sliced;
    sliced.target = whole.target;  // T pooled is kept from before, as the window keeps it
    refresh.finish(sliced, t);
    EXPECT_FALSE(refresh.active());
    EXPECT_TRUE(sliced.deltaW == whole.deltaW);
    EXPECT_TRUE(sliced.residual == whole.residual);
    EXPECT_TRUE(sliced.B == whole.B);
    EXPECT_TRUE(sliced.A == whole.A);
    for (int m = 0; m < ShownCount; ++m) EXPECT_EQ(sliced.maxAbs[m], whole.maxAbs[m]) << m;
    EXPECT_DOUBLE_EQ(sliced.loss, t.currentLoss());  // the loss is the trainer's, now
    EXPECT_TRUE(refresh.factors().B == then.B);
}
