// Layer workload: gradient checks (LoRA and full fine-tuning) by central differences against
// the double-precision naive loss, production trainers against the naive reference, training.
//
// As in the fit objective, the layer loss is quadratic in any single parameter entry, so the
// central difference is exact up to double rounding.
#include "gemm.h"
#include "loralab/layer.h"
#include "loralab/rng.h"

#include "gradcheck.h"
#include "malloc_counter.h"

#include "dense_reference.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>

using namespace loralab;

namespace {

using test::centralDiff;
using test::maxRelErr;

struct Shape {
    Index d, k, n, r;
};
const Shape kShapes[] = {{6, 6, 5, 2}, {9, 5, 7, 1}, {4, 10, 3, 3}, {12, 8, 16, 4}};

Factors randomFactors(Index d, Index k, Index r, double alpha, std::uint64_t seed) {
    Factors f;
    f.alpha = alpha;
    f.B.resize(d, r);
    f.A.resize(r, k);
    Rng rng(seed);
    rng.fillNormal(f.B, 0.5);
    rng.fillNormal(f.A, 0.5);
    return f;
}

double layerLossFullNaive(const LayerProblem& p, const Matrix& W) {
    Matrix dW;
    return fullLossGradNaive(p, W, dW);
}

}  // namespace

TEST(Layer, LoraGradientsMatchCentralDifferencesEverywhere) {
    for (const Shape& sh : kShapes) {
        const LayerProblem p = makeLayerProblem(sh.d, sh.k, sh.n, 1, 3);
        Factors f = randomFactors(sh.d, sh.k, sh.r, 3.0, 4);
        const double s = f.scale();
        auto loss = [&] { return layerLossNaive(p, f.B, f.A, s); };
        const MatrixD gB = centralDiff(f.B, loss), gA = centralDiff(f.A, loss);

        Matrix dB, dA;
        const double naive = layerLossGradNaive(p, f.B, f.A, s, dB, dA);
        EXPECT_NEAR(naive, loss(), 1e-14 * naive);
        const double eB = maxRelErr(gB, dB), eA = maxRelErr(gA, dA);
        EXPECT_LT(eB, 1e-6) << sh.d << "x" << sh.k << " n=" << sh.n << " r=" << sh.r
                            << " naive max rel error dB " << eB;
        EXPECT_LT(eA, 1e-6) << sh.d << "x" << sh.k << " n=" << sh.n << " r=" << sh.r
                            << " naive max rel error dA " << eA;

        // Production path (float): a few ulps of the largest intermediate.
        LoraLayerTrainer t(p, f, LayerConfig{OptimizerConfig{}});
        const double prod = t.lossGrad();
        EXPECT_NEAR(prod, naive, 1e-5 * naive);
        const double pB = maxRelErr(gB, t.gradB()), pA = maxRelErr(gA, t.gradA());
        EXPECT_LT(pB, 1e-4) << sh.d << "x" << sh.k << " production max rel error dB " << pB;
        EXPECT_LT(pA, 1e-4) << sh.d << "x" << sh.k << " production max rel error dA " << pA;
    }
}

TEST(Layer, FullGradientMatchesCentralDifferencesEverywhere) {
    for (const Shape& sh : kShapes) {
        const LayerProblem p = makeLayerProblem(sh.d, sh.k, sh.n, 1, 5);
        Matrix W = p.W0;
        Rng rng(6);
        Matrix noise(sh.d, sh.k);
        rng.fillNormal(noise, 0.3);
        W += noise;  // away from the optimum so every gradient entry is informative
        auto loss = [&] { return layerLossFullNaive(p, W); };
        const MatrixD gW = centralDiff(W, loss);
        Matrix dW;
        fullLossGradNaive(p, W, dW);
        const double e = maxRelErr(gW, dW);
        EXPECT_LT(e, 1e-6) << sh.d << "x" << sh.k << " naive max rel error dW " << e;

        // The production trainer starts at W0: compare it there with the naive gradient.
        FullLayerTrainer t(p, LayerConfig{OptimizerConfig{}});
        Matrix dW0;
        const double naive0 = fullLossGradNaive(p, p.W0, dW0);
        EXPECT_NEAR(t.lossGrad(), naive0, 1e-5 * naive0);
        const double ep = maxRelErr(dW0.cast<double>(), t.gradW());
        EXPECT_LT(ep, 1e-4) << sh.d << "x" << sh.k << " production max rel error dW " << ep;
    }
}

// Shapes large enough that gemm() splits every product across the team (and the thin ones
// fall into OpenBLAS's small-matrix range), checked against the double-precision naive
// gradient on teams of 1, 2 and 3 threads.
const Shape kTeamShapes[] = {{300, 260, 128, 1}, {300, 260, 128, 4}, {520, 400, 200, 16}};

TEST(Layer, ProductionGradientsMatchTheNaiveOnesOnEveryTeam) {
    for (const Shape& sh : kTeamShapes)
        for (int threads : {1, 2, 3}) {
            const LayerProblem p = makeLayerProblem(sh.d, sh.k, sh.n, 2, 21);
            const Factors f = randomFactors(sh.d, sh.k, sh.r, 2.0, 22);
            Matrix dB, dA;
            const double naive = layerLossGradNaive(p, f.B, f.A, f.scale(), dB, dA);
            LoraLayerTrainer t(p, f, LayerConfig{OptimizerConfig{}, threads});
            EXPECT_NEAR(t.lossGrad(), naive, 1e-5 * naive);
            const double eB = maxRelErr(dB.cast<double>(), t.gradB());
            const double eA = maxRelErr(dA.cast<double>(), t.gradA());
            EXPECT_LT(eB, 1e-4) << sh.d << "x" << sh.k << " r=" << sh.r << " threads " << threads;
            EXPECT_LT(eA, 1e-4) << sh.d << "x" << sh.k << " r=" << sh.r << " threads " << threads;

            Matrix dW;
            const double naiveFull = fullLossGradNaive(p, p.W0, dW);
            FullLayerTrainer full(p, LayerConfig{OptimizerConfig{}, threads});
            EXPECT_NEAR(full.lossGrad(), naiveFull, 1e-5 * naiveFull);
            const double eW = maxRelErr(dW.cast<double>(), full.gradW());
            EXPECT_LT(eW, 1e-4) << sh.d << "x" << sh.k << " threads " << threads;
        }
}

#ifdef LORALAB_COUNT_MALLOC
TEST(Layer, TrainingStepsAllocateNothingOnceRunning) {
    if (std::string(gemmBackend()) == "eigen")
        GTEST_SKIP() << "built without OpenBLAS: Eigen's GEMM allocates its packing buffers";
    // OpenBLAS's own threading mallocs job descriptors on every call, and its small-matrix
    // kernel for N·N products under 16 rows mallocs a packing buffer: the steps avoid both.
    for (const Shape& sh : kTeamShapes) {
        const LayerProblem p = makeLayerProblem(sh.d, sh.k, sh.n, 2, 23);
        LoraLayerTrainer lora(p, randomFactors(sh.d, sh.k, sh.r, 2.0, 24),
                              LayerConfig{OptimizerConfig{OptimizerKind::Adam, 1e-3}, 2});
        FullLayerTrainer full(p, LayerConfig{OptimizerConfig{OptimizerKind::Adam, 1e-3}, 2});
        lora.step();  // first calls may set up thread-local buffers (OpenBLAS's, the team's)
        full.step();
        EXPECT_EQ(test::allocationsDuring([&] {
                      for (int i = 0; i < 3; ++i) lora.step();
                  }),
                  0)
            << "LoRA " << sh.d << "x" << sh.k << " r=" << sh.r;
        EXPECT_EQ(test::allocationsDuring([&] {
                      for (int i = 0; i < 3; ++i) full.step();
                  }),
                  0)
            << "full " << sh.d << "x" << sh.k;
    }
}
#endif

TEST(Layer, ProblemHasTheDocumentedTeacher) {
    const Index d = 12, k = 10, n = 40, rstar = 2;
    const LayerProblem p = makeLayerProblem(d, k, n, rstar, 9);
    ASSERT_EQ(p.W0.rows(), d);
    ASSERT_EQ(p.W0.cols(), k);
    ASSERT_EQ(p.X.rows(), k);
    ASSERT_EQ(p.X.cols(), n);
    ASSERT_EQ(p.Ystar.rows(), d);
    ASSERT_EQ(p.Ystar.cols(), n);
    // Recover ΔW* = (Y* − W0·X)·X⁺ (X has full row rank, n > k).
    const MatrixD X = p.X.cast<double>();
    const MatrixD D = p.Ystar.cast<double>() - p.W0.cast<double>() * X;
    const MatrixD dW = X.transpose().colPivHouseholderQr().solve(D.transpose()).transpose();
    const VectorD sv = loralab::test::jacobiSvd(dW, false).sigma;
    EXPECT_GT(sv[rstar - 1], 1e-2 * sv[0]);
    EXPECT_LT(sv[rstar], 1e-4 * sv[0]);  // rank r*
    const double rmsDw = std::sqrt(dW.squaredNorm() / (d * k));
    EXPECT_NEAR(rmsDw, 0.1 / std::sqrt(static_cast<double>(k)), 1e-3 / std::sqrt(10.0));
    // Deterministic.
    const LayerProblem q = makeLayerProblem(d, k, n, rstar, 9);
    EXPECT_TRUE(p.W0 == q.W0 && p.X == q.X && p.Ystar == q.Ystar);
}

TEST(Layer, LoraTrainingFitsTheTeacherAndLeavesW0Alone) {
    const LayerProblem p = makeLayerProblem(32, 24, 64, 2, 11);
    const Matrix W0 = p.W0;
    const Factors f = makeFactors(32, 24, 4, 4.0, false, Init::Peft, 12);
    LoraLayerTrainer t(p, f, LayerConfig{OptimizerConfig{OptimizerKind::Adam, 1e-2}});
    const double first = t.step();
    EXPECT_NEAR(first, layerLossNaive(p, f.B, f.A, f.scale()), 1e-5 * first);
    double last = first;
    for (int i = 0; i < 600; ++i) last = t.step();
    EXPECT_LT(last, 1e-3 * first) << "first " << first << " last " << last;
    EXPECT_TRUE(p.W0 == W0);
    EXPECT_NEAR(t.lossGrad(), layerLossNaive(p, t.factors().B, t.factors().A, t.factors().scale()),
                1e-4 * first);
}

TEST(Layer, FullFineTuningReducesTheLoss) {
    const LayerProblem p = makeLayerProblem(16, 12, 48, 2, 13);
    FullLayerTrainer t(p, LayerConfig{OptimizerConfig{OptimizerKind::Adam, 1e-2}});
    const double first = t.step();
    double last = first;
    for (int i = 0; i < 400; ++i) last = t.step();
    EXPECT_LT(last, 1e-2 * first) << "first " << first << " last " << last;
    EXPECT_FALSE(t.weight() == p.W0);
}

TEST(Layer, FlopCountsFollowTheShapes) {
    const Index d = 256, k = 192, n = 128, r = 4;
    const LayerProblem p = makeLayerProblem(d, k, n, 2, 1);
    LoraLayerTrainer lora(p, makeFactors(d, k, r, 4.0, false, Init::Peft, 1), LayerConfig{});
    FullLayerTrainer full(p, LayerConfig{OptimizerConfig{}});
    const double w0x = 2.0 * d * k * n;
    // LoRA: W0·X plus 4 thin products each way (2rkn + 2drn forward, 2drn + 2rkn backward)
    // and O(dn) elementwise work.
    const double thin = 4.0 * r * k * n + 6.0 * d * r * n;
    EXPECT_GE(lora.flopsPerStep(), w0x + thin);
    EXPECT_LE(lora.flopsPerStep(), w0x + thin + 10.0 * d * n + 20.0 * r * (d + k));
    // Full: forward and dW, each 2dkn.
    EXPECT_GE(full.flopsPerStep(), 2.0 * w0x);
    EXPECT_LE(full.flopsPerStep(), 2.0 * w0x + 10.0 * d * n + 20.0 * d * k);
}

TEST(Layer, BadArgumentsThrow) {
    EXPECT_THROW(makeLayerProblem(0, 4, 4, 1, 1), std::invalid_argument);
    EXPECT_THROW(makeLayerProblem(4, 4, 0, 1, 1), std::invalid_argument);
    EXPECT_THROW(makeLayerProblem(4, 3, 4, 4, 1), std::invalid_argument);
    EXPECT_THROW(makeLayerProblem(4, 3, 4, 0, 1), std::invalid_argument);
    const LayerProblem p = makeLayerProblem(6, 5, 4, 1, 1);
    Matrix dB, dA, dW;
    const Factors good = makeFactors(6, 5, 2, 2.0, false, Init::Peft, 1);
    const Factors wrong = makeFactors(5, 5, 2, 2.0, false, Init::Peft, 1);
    EXPECT_THROW(layerLossNaive(p, wrong.B, wrong.A, 1.0), std::invalid_argument);
    EXPECT_THROW(layerLossGradNaive(p, good.B, good.A, NAN, dB, dA), std::invalid_argument);
    EXPECT_THROW(fullLossGradNaive(p, Matrix::Zero(6, 4), dW), std::invalid_argument);
    EXPECT_THROW(LoraLayerTrainer(p, wrong, LayerConfig{}), std::invalid_argument);
    OptimizerConfig badLr;
    badLr.lr = -1.0;
    EXPECT_THROW(LoraLayerTrainer(p, good, LayerConfig{badLr}), std::invalid_argument);
    EXPECT_THROW(FullLayerTrainer(p, LayerConfig{badLr}), std::invalid_argument);
    LayerProblem broken = p;
    broken.X = Matrix::Zero(4, 4);  // k = 5 expected
    EXPECT_THROW(FullLayerTrainer(broken, LayerConfig{}), std::invalid_argument);
    EXPECT_THROW(LoraLayerTrainer(broken, good, LayerConfig{}), std::invalid_argument);
}
