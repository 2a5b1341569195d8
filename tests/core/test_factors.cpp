// Factors: scale, ΔW, merge, and the peft / gaussian / SVD initializations.
#include "loralab/factors.h"
#include "loralab/target.h"

#include "dense_reference.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <stdexcept>

using namespace loralab;

TEST(Factors, InitNamesRoundTrip) {
    for (Init i : {Init::Peft, Init::Gaussian, Init::Svd}) EXPECT_EQ(parseInit(initName(i)), i);
    EXPECT_STREQ(initName(Init::Peft), "peft");
    EXPECT_THROW(parseInit("kaiming"), std::invalid_argument);
    EXPECT_THROW(parseInit(""), std::invalid_argument);
}

TEST(Factors, ScaleIsAlphaOverRankOrRootRank) {
    EXPECT_DOUBLE_EQ(loraScale(16.0, 8, false), 2.0);
    EXPECT_DOUBLE_EQ(loraScale(16.0, 16, true), 4.0);
    EXPECT_DOUBLE_EQ(loraScale(1.0, 1, true), 1.0);
    EXPECT_THROW(loraScale(1.0, 0, false), std::invalid_argument);
    EXPECT_THROW(loraScale(NAN, 4, false), std::invalid_argument);
    EXPECT_THROW(loraScale(INFINITY, 4, true), std::invalid_argument);
}

TEST(Factors, PeftInitGivesExactlyZeroDeltaW) {
    const Factors f = makeFactors(40, 30, 6, 12.0, false, Init::Peft, 3);
    ASSERT_EQ(f.B.rows(), 40);
    ASSERT_EQ(f.B.cols(), 6);
    ASSERT_EQ(f.A.rows(), 6);
    ASSERT_EQ(f.A.cols(), 30);
    EXPECT_TRUE((f.B.array() == 0.0f).all());
    const Matrix dw = f.deltaW();
    EXPECT_TRUE((dw.array() == 0.0f).all()) << "max |ΔW| = " << dw.cwiseAbs().maxCoeff();
    // A ~ U(−1/√k, 1/√k): inside the bound and spread across it.
    const float bound = 1.0f / std::sqrt(30.0f);
    EXPECT_LE(f.A.cwiseAbs().maxCoeff(), bound);
    EXPECT_GT(f.A.maxCoeff(), 0.9f * bound);
    EXPECT_LT(f.A.minCoeff(), -0.9f * bound);
    EXPECT_NEAR(f.A.mean(), 0.0f, 0.05f * bound);
}

TEST(Factors, GaussianInitHasVarianceOneOverRank) {
    const Factors f = makeFactors(8, 4000, 4, 4.0, false, Init::Gaussian, 11);
    EXPECT_TRUE((f.B.array() == 0.0f).all());
    const double var = f.A.cast<double>().squaredNorm() / static_cast<double>(f.A.size());
    EXPECT_NEAR(var, 0.25, 0.01);  // 16000 draws: sd of the variance ≈ 0.0028
}

TEST(Factors, RankOneOuterProductGivesRowsBiTimesA) {
    Factors f;
    f.B.resize(4, 1);
    f.B << 2, 1, 0, -1;
    f.A.resize(1, 4);
    f.A << 1, 0, -1, 2;
    f.alpha = 1.0;  // s = α/r = 1
    ASSERT_DOUBLE_EQ(f.scale(), 1.0);
    Matrix expected(4, 4);
    expected << 2, 0, -2, 4,
                1, 0, -1, 2,
                0, 0, 0, 0,
               -1, 0, 1, -2;
    EXPECT_TRUE(f.deltaW() == expected) << f.deltaW();

    Matrix W = Matrix::Ones(4, 4);
    const Matrix merged = f.merge(W);
    EXPECT_TRUE(merged == expected + W);
    EXPECT_THROW(f.merge(Matrix::Ones(3, 4)), std::invalid_argument);

    f.alpha = 3.0;  // s = 3
    EXPECT_TRUE(f.deltaW() == 3.0f * expected);
    f.rslora = true;  // s = 3/√1
    EXPECT_TRUE(f.deltaW() == 3.0f * expected);
}

TEST(Factors, AllFiniteDetectsNanAndInf) {
    Factors f = makeFactors(3, 3, 2, 2.0, false, Init::Peft, 1);
    EXPECT_TRUE(f.allFinite());
    f.A(1, 2) = NAN;
    EXPECT_FALSE(f.allFinite());
    f.A(1, 2) = 0.0f;
    f.B(0, 0) = INFINITY;
    EXPECT_FALSE(f.allFinite());
}

// The vectorized check (types.h): one non-finite value (NaN, +inf, −inf) at any position of
// matrices whose sizes end in partial vectors reads false; finite extremes there (±FLT_MAX,
// the smallest denormal, −0) read true.
TEST(Factors, VectorizedAllFiniteAgreesWithIsFiniteEverywhere) {
    const float bad[] = {NAN, INFINITY, -INFINITY};
    const float extreme[] = {FLT_MAX, -FLT_MAX, std::numeric_limits<float>::denorm_min(), -0.0f};
    for (const Index rows : {Index{1}, Index{7}, Index{17}, Index{33}})
        for (const Index cols : {Index{1}, Index{3}}) {
            Matrix m = Matrix::Constant(rows, cols, 0.5f);
            EXPECT_TRUE(allFinite(m));
            for (Index i = 0; i < m.size(); ++i) {
                for (const float x : extreme) {
                    m(i) = x;
                    EXPECT_TRUE(allFinite(m)) << rows << "x" << cols << " at " << i << ": " << x;
                }
                for (const float x : bad) {
                    m(i) = x;
                    EXPECT_FALSE(allFinite(m)) << rows << "x" << cols << " at " << i << ": " << x;
                }
                m(i) = 0.5f;
            }
        }
    EXPECT_TRUE(allFinite(Matrix(0, 3)));  // nothing to be non-finite
}

TEST(Factors, SvdInitIsTheBestRankRApproximationSplitEvenly) {
    TargetSpec spec;
    spec.d = 24;
    spec.k = 17;
    spec.seed = 5;
    const Matrix T = makeTarget(spec);
    for (bool rslora : {false, true}) {
        const Index r = 5;
        const Factors f = svdInitFactors(T, r, 7.0, rslora);
        const double s = f.scale();
        // Independent truth: JacobiSVD in double, truncated.
        const loralab::test::DenseSvd svd = loralab::test::jacobiSvd(T.cast<double>());
        const MatrixD best = svd.matrixU().leftCols(r) *
                             svd.singularValues().head(r).asDiagonal() *
                             svd.matrixV().leftCols(r).transpose();
        const MatrixD dw = f.deltaW().cast<double>();
        EXPECT_LT((dw - best).cwiseAbs().maxCoeff(), 1e-5 * best.cwiseAbs().maxCoeff());
        // Balanced: s·BᵀB = s·AAᵀ = Σ_r.
        const MatrixD sig = svd.singularValues().head(r).asDiagonal();
        const MatrixD BtB = s * f.B.cast<double>().transpose() * f.B.cast<double>();
        const MatrixD AAt = s * f.A.cast<double>() * f.A.cast<double>().transpose();
        EXPECT_LT((BtB - sig).cwiseAbs().maxCoeff(), 1e-5 * sig(0, 0));
        EXPECT_LT((AAt - sig).cwiseAbs().maxCoeff(), 1e-5 * sig(0, 0));
    }
    EXPECT_THROW(svdInitFactors(T, 0, 1.0, false), std::invalid_argument);
    EXPECT_THROW(svdInitFactors(T, 18, 1.0, false), std::invalid_argument);
    EXPECT_THROW(svdInitFactors(T, 2, 0.0, false), std::invalid_argument);
    EXPECT_THROW(svdInitFactors(T, 2, NAN, false), std::invalid_argument);
    Matrix bad = T;
    bad(3, 3) = NAN;
    EXPECT_THROW(svdInitFactors(bad, 2, 1.0, false), std::invalid_argument);
}

TEST(Factors, InitARowsFillsOnlyTheNewRows) {
    Matrix A = Matrix::Constant(6, 25, 7.0f);
    initARows(A, 4, Init::Peft, 99);
    EXPECT_TRUE((A.topRows(4).array() == 7.0f).all());
    EXPECT_LE(A.bottomRows(2).cwiseAbs().maxCoeff(), 1.0f / 5.0f);  // 1/√k, k = 25
    Matrix again = Matrix::Constant(6, 25, 7.0f);
    initARows(again, 4, Init::Peft, 99);
    EXPECT_TRUE(A == again);  // deterministic from the seed
    Matrix other = Matrix::Constant(6, 25, 7.0f);
    initARows(other, 4, Init::Peft, 100);
    EXPECT_FALSE(A == other);

    initARows(A, 6, Init::Gaussian, 1);  // nothing to fill
    EXPECT_TRUE(A == again);
    EXPECT_THROW(initARows(A, 7, Init::Peft, 1), std::invalid_argument);
    EXPECT_THROW(initARows(A, -1, Init::Peft, 1), std::invalid_argument);
    EXPECT_THROW(initARows(A, 2, Init::Svd, 1), std::invalid_argument);
}

TEST(Factors, MakeFactorsIsDeterministicAndValidates) {
    const Factors a = makeFactors(9, 7, 3, 1.0, false, Init::Gaussian, 8);
    const Factors b = makeFactors(9, 7, 3, 1.0, false, Init::Gaussian, 8);
    EXPECT_TRUE(a.A == b.A);
    EXPECT_THROW(makeFactors(0, 7, 1, 1.0, false, Init::Peft, 1), std::invalid_argument);
    EXPECT_THROW(makeFactors(9, 0, 1, 1.0, false, Init::Peft, 1), std::invalid_argument);
    EXPECT_THROW(makeFactors(9, 7, 0, 1.0, false, Init::Peft, 1), std::invalid_argument);
    EXPECT_THROW(makeFactors(9, 7, 8, 1.0, false, Init::Peft, 1), std::invalid_argument);
    EXPECT_THROW(makeFactors(9, 7, 2, NAN, false, Init::Peft, 1), std::invalid_argument);
    EXPECT_THROW(makeFactors(9, 7, 2, 1.0, false, Init::Svd, 1), std::invalid_argument);
    try {
        makeFactors(9, 7, 8, 1.0, false, Init::Peft, 1);
    } catch (const std::invalid_argument& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("rank = 8"), std::string::npos) << msg;
        EXPECT_NE(msg.find("1..7"), std::string::npos) << msg;
    }
}
