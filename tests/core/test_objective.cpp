// Objective: central-difference gradient checks on every element for the naive and the Gram
// paths, agreement between them, and the exact-fit regime.
//
// The loss is a quadratic polynomial in any single entry of B or A (the others fixed), so a
// central difference is exact up to the rounding of the double-precision oracle: with
// h ≈ 1e-2 the difference quotient is accurate to ~1e-13 relative. The perturbation is applied
// to a float parameter, so the step used is the actual float difference.
#include "loralab/factors.h"
#include "loralab/objective.h"
#include "loralab/optimizer.h"
#include "loralab/rng.h"
#include "loralab/target.h"

#include "gradcheck.h"
#include "malloc_counter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <tuple>

using namespace loralab;

namespace {

struct Case {
    Index d, k, r;
    double s;
};

using test::centralDiff;
using test::maxRelErr;

void randomFactors(Index d, Index k, Index r, std::uint64_t seed, Matrix& B, Matrix& A) {
    Rng rng(seed);
    B.resize(d, r);
    A.resize(r, k);
    rng.fillNormal(B, 0.7);
    rng.fillNormal(A, 0.7);
}

const Case kCases[] = {{8, 6, 3, 1.0}, {5, 9, 1, 2.0}, {7, 7, 2, 0.5}, {16, 12, 4, 1.5},
                       {1, 4, 1, 1.0}, {11, 3, 3, 0.25}};

}  // namespace

TEST(Objective, NaiveGradientMatchesCentralDifferencesEverywhere) {
    for (const Case& c : kCases) {
        const Matrix T = makeTarget({TargetKind::Full, c.d, c.k, 1, 1.0, 17});
        Matrix B, A, dB, dA;
        randomFactors(c.d, c.k, c.r, 5, B, A);
        const double loss = lossGradNaive(T, B, A, c.s, dB, dA);
        EXPECT_NEAR(loss, lossNaive(T, B, A, c.s), 1e-14 * loss);
        auto f = [&] { return lossNaive(T, B, A, c.s); };
        const MatrixD gB = centralDiff(B, f), gA = centralDiff(A, f);
        // dB, dA are the double gradient rounded to float: 1e-6 covers that rounding.
        const double eB = maxRelErr(gB, dB), eA = maxRelErr(gA, dA);
        EXPECT_LT(eB, 1e-6) << c.d << "x" << c.k << " r=" << c.r << " max rel error dB " << eB;
        EXPECT_LT(eA, 1e-6) << c.d << "x" << c.k << " r=" << c.r << " max rel error dA " << eA;
    }
}

TEST(Objective, GramGradientMatchesCentralDifferencesEverywhere) {
    for (const Case& c : kCases) {
        const Matrix T = makeTarget({TargetKind::Full, c.d, c.k, 1, 1.0, 23});
        Matrix B, A, dB, dA;
        randomFactors(c.d, c.k, c.r, 6, B, A);
        GramObjective obj(T);
        obj.evaluate(B, A, c.s, &dB, &dA);
        auto f = [&] { return lossNaive(T, B, A, c.s); };
        const MatrixD gB = centralDiff(B, f), gA = centralDiff(A, f);
        // The Gram path runs in float and subtracts two terms of the gradient's size; its error
        // is a few float ulps of the largest term, well under 1e-4 of the largest gradient.
        const double eB = maxRelErr(gB, dB), eA = maxRelErr(gA, dA);
        EXPECT_LT(eB, 1e-4) << c.d << "x" << c.k << " r=" << c.r << " max rel error dB " << eB;
        EXPECT_LT(eA, 1e-4) << c.d << "x" << c.k << " r=" << c.r << " max rel error dA " << eA;
    }
}

TEST(Objective, NaiveAndGramAgree) {
    for (const Case& c : kCases) {
        const Matrix T = makeTarget({TargetKind::Decay, c.d, c.k, 1, 1.0, 29});
        Matrix B, A, nB, nA, gB, gA;
        randomFactors(c.d, c.k, c.r, 8, B, A);
        const double naive = lossGradNaive(T, B, A, c.s, nB, nA);
        GramObjective obj(T);
        const double gram = obj.evaluate(B, A, c.s, &gB, &gA);
        EXPECT_NEAR(gram, naive, 1e-5 * naive);
        EXPECT_NEAR(obj.evaluate(B, A, c.s), naive, 1e-5 * naive);
        EXPECT_LT(maxRelErr(nB.cast<double>(), gB), 1e-4);
        EXPECT_LT(maxRelErr(nA.cast<double>(), gA), 1e-4);
    }
}

// Large enough for the kernel's team, which then also makes the Grams and the gradients (each
// thread its columns of dA and rows of dB): the naive oracle's gradients on teams of 1-3, odd
// r, a partial last row vector, a thread without rows (d = 20), on the spinning team (r = 5
// and 1: Grams too small for Eigen to fork) and on OpenMP's (r = 27 and 60); the fixed-rank
// loops of r = 1, 2 and 4; the SIMD kernels' ranks (small_products.h: r = 8, 16 and 32, a
// multiple of the vector width); and a pass over T too small for a team with Grams large
// enough for their own (100×120, r = 64). The loss alone is the same to the bit.
TEST(Objective, GramPathMatchesNaiveOnEveryTeam) {
    for (auto [d, k, r] : {std::tuple<Index, Index, Index>{300, 700, 5}, {20, 53000, 1},
                           {301, 900, 4}, {300, 1801, 2}, {300, 260, 27}, {20, 2000, 60},
                           {257, 300, 16}, {300, 260, 8}, {40, 1500, 32}, {100, 120, 64}})
        for (int threads : {1, 2, 3}) {
            const Matrix T = makeTarget({TargetKind::Decay, d, k, 1, 1.0, 31});
            Matrix B, A, nB, nA, gB, gA;
            randomFactors(d, k, r, 5, B, A);
            const double naive = lossGradNaive(T, B, A, 0.75, nB, nA);
            GramObjective obj(T, threads);
            const double gram = obj.evaluate(B, A, 0.75, &gB, &gA);
            const std::string what = std::to_string(d) + "x" + std::to_string(k) + " r=" +
                                     std::to_string(r) + " threads " + std::to_string(threads);
            EXPECT_NEAR(gram, naive, 1e-5 * naive) << what;
            EXPECT_EQ(obj.evaluate(B, A, 0.75), gram) << what;
            EXPECT_LT(maxRelErr(nB.cast<double>(), gB), 1e-4) << what;
            EXPECT_LT(maxRelErr(nA.cast<double>(), gA), 1e-4) << what;
        }
}

TEST(Objective, LossAtZeroDeltaWIsTargetMeanSquare) {
    const Matrix T = makeTarget({TargetKind::Full, 20, 10, 1, 1.0, 2});
    const Factors f = makeFactors(20, 10, 3, 3.0, false, Init::Peft, 4);
    GramObjective obj(T);
    EXPECT_NEAR(obj.targetNormSq(), T.cast<double>().squaredNorm(), 1e-9);
    const double expected = T.cast<double>().squaredNorm() / 200.0;
    EXPECT_NEAR(lossNaive(T, f.B, f.A, f.scale()), expected, 1e-12);
    EXPECT_NEAR(obj.evaluate(f.B, f.A, f.scale()), expected, 1e-9);
    Matrix dB, dA;
    obj.evaluate(f.B, f.A, f.scale(), &dB, &dA);
    EXPECT_TRUE((dA.array() == 0.0f).all());  // B = 0 ⇒ ∂L/∂A = 0
    EXPECT_GT(dB.cwiseAbs().maxCoeff(), 0.0f);
}

TEST(Objective, ExactFitLossIsResolvedBelowGramRounding) {
    // At the SVD init of a rank-3 target the true loss is ~1e-14; the Gram difference alone
    // would be noise of ~1e-7. The objective must agree with the double oracle absolutely.
    TargetSpec spec{TargetKind::LowRank, 40, 30, 3, 1.0, 5};
    const Matrix T = makeTarget(spec);
    const Factors f = svdInitFactors(T, 3, 3.0, false);
    GramObjective obj(T);
    Matrix dB, dA;
    const double naive = lossNaive(T, f.B, f.A, f.scale());
    EXPECT_LT(naive, 1e-11);
    EXPECT_NEAR(obj.evaluate(f.B, f.A, f.scale(), &dB, &dA), naive, 1e-12);
    EXPECT_NEAR(obj.evaluate(f.B, f.A, f.scale()), naive, 1e-12);
    EXPECT_GE(obj.evaluate(f.B, f.A, f.scale()), 0.0);
}

TEST(Objective, EvaluateReusesOutputStorage) {
    const Matrix T = makeTarget({TargetKind::Full, 30, 20, 1, 1.0, 2});
    Matrix B, A;
    randomFactors(30, 20, 4, 3, B, A);
    GramObjective obj(T);
    Matrix dB, dA;
    obj.evaluate(B, A, 1.0, &dB, &dA);
    const float* pB = dB.data();
    const float* pA = dA.data();
    for (int i = 0; i < 3; ++i) obj.evaluate(B, A, 1.0, &dB, &dA);
    EXPECT_EQ(dB.data(), pB);
    EXPECT_EQ(dA.data(), pA);
    EXPECT_EQ(&obj.target(), &T);
}

TEST(Objective, MismatchedShapesThrow) {
    const Matrix T = Matrix::Ones(6, 5);
    Matrix B = Matrix::Ones(6, 2), A = Matrix::Ones(2, 5), dB, dA;
    GramObjective obj(T);
    EXPECT_NO_THROW(obj.evaluate(B, A, 1.0, &dB, &dA));
    EXPECT_THROW(obj.evaluate(Matrix::Ones(5, 2), A, 1.0, &dB, &dA), std::invalid_argument);
    EXPECT_THROW(obj.evaluate(B, Matrix::Ones(2, 4), 1.0, &dB, &dA), std::invalid_argument);
    EXPECT_THROW(obj.evaluate(B, Matrix::Ones(3, 5), 1.0, &dB, &dA), std::invalid_argument);
    EXPECT_THROW(obj.evaluate(B, A, NAN, &dB, &dA), std::invalid_argument);
    EXPECT_THROW(obj.evaluate(Matrix::Ones(6, 0), Matrix::Ones(0, 5), 1.0), std::invalid_argument);
    EXPECT_THROW(lossNaive(T, Matrix::Ones(6, 3), A, 1.0), std::invalid_argument);
    EXPECT_THROW(lossNaive(T, B, A, INFINITY), std::invalid_argument);
    EXPECT_THROW(lossGradNaive(Matrix(0, 0), B, A, 1.0, dB, dA), std::invalid_argument);
    GramObjective empty;
    EXPECT_THROW(empty.evaluate(B, A, 1.0), std::invalid_argument);
    EXPECT_THROW(empty.setTarget(Matrix(0, 3)), std::invalid_argument);
}

#ifdef LORALAB_COUNT_MALLOC
TEST(Objective, GramEvaluateAllocatesNothingOnceShapesAreFixed) {
    // The exact-fit path, and both sides of the work at which a step moves from the spinning
    // team to OpenMP's (16²·390 < 100,000 < 16²·600), on two threads.
    for (auto [d, k, r] : {std::tuple<Index, Index, Index>{48, 64, 4}, {390, 380, 16},
                           {600, 520, 16}}) {
        Factors exact;  // T = B₀·A₀ exactly (in double, rounded once to float)
        exact.alpha = 3.0;
        randomFactors(d, k, 3, 9, exact.B, exact.A);
        const Matrix T = (exact.B.cast<double>() * exact.A.cast<double>()).cast<float>();
        Matrix B, A, dB, dA;
        randomFactors(d, k, r, 3, B, A);
        GramObjective obj(T, 2);
        obj.evaluate(B, A, 1.0, &dB, &dA);  // sizes the workspaces
        Matrix eB, eA;
        obj.evaluate(exact.B, exact.A, exact.scale(), &eB, &eA);
        obj.evaluate(B, A, 1.0, &dB, &dA);
        double loss = 0.0, lossOnly = 0.0;
        EXPECT_EQ(test::allocationsDuring([&] {
                      loss = obj.evaluate(B, A, 1.0, &dB, &dA);
                      lossOnly = obj.evaluate(B, A, 1.0);
                  }),
                  0)
            << d << "x" << k << " r=" << r;
        EXPECT_EQ(loss, lossOnly);

        // The rest of a fit step: the optimizer's update.
        Optimizer opt(OptimizerConfig{OptimizerKind::Adam, 1e-3}, {{d, r}, {r, k}}, 2);
        opt.beginStep();
        opt.updatePair(B, dB, A, dA);  // the first call may start the team's thread
        EXPECT_EQ(test::allocationsDuring([&] {
                      opt.beginStep();
                      opt.updatePair(B, dB, A, dA);
                      opt.update(0, B, dB);
                  }),
                  0)
            << "optimizer " << d << "x" << k << " r=" << r;
        // The trainer's out-of-place update (it reserves the second buffers beforehand).
        Matrix nextB(d, r), nextA(r, k);
        opt.reserveUndo();
        EXPECT_EQ(test::allocationsDuring([&] {
                      opt.beginStep();
                      opt.updatePairInto(B, dB, nextB, A, dA, nextA);
                      opt.undoStep();
                  }),
                  0)
            << "optimizer out of place " << d << "x" << k << " r=" << r;

        obj.evaluate(exact.B, exact.A, exact.scale(), &eB, &eA);
        double tiny = 0.0;
        EXPECT_EQ(test::allocationsDuring(
                      [&] { tiny = obj.evaluate(exact.B, exact.A, exact.scale(), &eB, &eA); }),
                  0)
            << "exact path " << d << "x" << k;
        EXPECT_LT(tiny, 1e-10);
    }
}
#endif
