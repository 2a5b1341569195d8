// The method-generic loop and the comparison: full fine-tuning reaches zero where LoRA stops at
// its floor, LoRA+'s rates, DoRA under LoRA's floor, steps to the threshold, determinism, order.
#include "loralab/method_trainer.h"

#include "loralab/rng.h"
#include "loralab/target.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace loralab {
namespace {

Matrix gaussian(Index rows, Index cols, std::uint64_t seed) {
    Matrix m(rows, cols);
    Rng(seed).fillNormal(m);
    return m;
}

// A base and a full-rank change of unit RMS: LoRA's floor at a small rank is well above zero.
std::shared_ptr<const MethodProblem> fullRankProblem(Index d, Index k) {
    const Matrix W0 = gaussian(d, k, 3);
    return makeProblem(W0, W0 + gaussian(d, k, 4));
}

MethodTrainerConfig trainerConfig(MethodKind kind, OptimizerKind opt, double lr) {
    MethodTrainerConfig c;
    c.method.kind = kind;
    c.method.rank = 2;
    c.method.alpha = 2.0;
    c.method.threads = 1;
    c.optimizer.kind = opt;
    c.optimizer.lr = lr;
    return c;
}

TEST(MethodTrainer, FullFineTuningReachesZeroWhereLoraStopsAtItsFloor) {
    const auto p = fullRankProblem(16, 12);
    // SGD on ‖D − T‖²/(dk) shrinks the residual by 1 − 2·lr/(dk) a step: 0.5 here.
    MethodTrainer full(trainerConfig(MethodKind::Full, OptimizerKind::Sgd, 48.0), p);
    const double initial = full.currentLoss();
    full.step(60);
    EXPECT_LT(full.currentLoss(), 1e-12 * initial);
    MethodTrainer lora(trainerConfig(MethodKind::Lora, OptimizerKind::Adam, 0.05), p);
    lora.step(400);
    EXPECT_GT(lora.loraFloor(), 0.3 * initial);
    EXPECT_GE(lora.currentLoss(), lora.loraFloor() * (1 - 1e-4));
    EXPECT_LT(lora.currentLoss(), 1.05 * lora.loraFloor());
}

// One SGD step: B (and DoRA's magnitude) move by ratio·lr·g, A by lr·g; VeRA ignores the ratio.
TEST(MethodTrainer, LoraPlusGivesTheFastBlocksRatioTimesTheRate) {
    const auto p = fullRankProblem(10, 8);
    for (MethodKind kind : {MethodKind::Lora, MethodKind::Dora, MethodKind::Pissa,
                            MethodKind::Vera}) {
        MethodTrainerConfig c = trainerConfig(kind, OptimizerKind::Sgd, 0.1);
        c.lrRatio = 4.0;
        MethodTrainer t(c, p);
        auto probe = makeMethod(c.method, p);  // the same init, for the first gradients
        std::vector<Matrix> g;
        probe->evaluate(&g);
        t.step(1);
        for (std::size_t b = 0; b < t.method().blockCount(); ++b) {
            const bool fast = kind != MethodKind::Vera && t.method().fastBlock(b);
            const Matrix expected = probe->block(b) - (fast ? 0.4f : 0.1f) * g[b];
            EXPECT_LT((t.method().block(b) - expected).cwiseAbs().maxCoeff(),
                      1e-6f * (1 + expected.cwiseAbs().maxCoeff()))
                << methodName(kind) << " " << t.method().blockName(b);
        }
    }
}

// W* = diag(g)·W0: a row rescaling, full rank as a change, so LoRA has a floor; DoRA's magnitude
// alone expresses it, and DoRA goes under LoRA's floor.
TEST(MethodTrainer, DoraGoesUnderLorasFloorOnARowRescaling) {
    const Index d = 12, k = 10;
    const Matrix W0 = gaussian(d, k, 5);
    Vector g(d);
    for (Index i = 0; i < d; ++i) g(i) = 0.5f + 0.1f * static_cast<float>(i);
    const auto p = makeProblem(W0, g.asDiagonal() * W0);
    CompareConfig c;
    c.methods = {MethodKind::Lora, MethodKind::Dora};
    c.trainer = trainerConfig(MethodKind::Lora, OptimizerKind::Adam, 0.02);
    const auto results = runCompare(c, p, 1500);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_GT(results[0].loraFloor, 0.0);
    EXPECT_FALSE(results[0].belowFloor);
    EXPECT_TRUE(results[1].belowFloor);
    EXPECT_LT(results[1].finalLoss, 0.1 * results[1].loraFloor);
    EXPECT_GE(results[1].stepsToThreshold, 1);
}

TEST(MethodTrainer, CompareIsDeterministicAndInTheOrderGiven) {
    const auto p = fullRankProblem(14, 9);
    CompareConfig c;
    c.methods = {MethodKind::Vera, MethodKind::Full, MethodKind::Dora, MethodKind::Lora,
                 MethodKind::Pissa};
    c.trainer = trainerConfig(MethodKind::Lora, OptimizerKind::Adam, 0.02);
    c.trainer.lrRatio = 2.0;
    const auto a = runCompare(c, p, 50);
    const auto b = runCompare(c, p, 50);
    ASSERT_EQ(a.size(), 5u);
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].method, c.methods[i]);
        EXPECT_EQ(a[i].trainableParams, trainableCount(c.methods[i], 14, 9, 2));
        EXPECT_EQ(a[i].finalLoss, b[i].finalLoss) << methodName(a[i].method);  // to the bit
        EXPECT_EQ(a[i].stepsToThreshold, b[i].stepsToThreshold);
        EXPECT_EQ(a[i].steps, 50);
        EXPECT_LT(a[i].finalLoss, a[i].initialLoss) << methodName(a[i].method);
        EXPECT_NEAR(a[i].initialLoss, a[0].initialLoss, 1e-5 * a[0].initialLoss);
    }
}

TEST(MethodTrainer, StepsToThresholdIsTheFirstStepUnderIt) {
    const auto p = fullRankProblem(12, 12);
    CompareConfig c;
    c.methods = {MethodKind::Lora, MethodKind::Full};
    c.trainer = trainerConfig(MethodKind::Lora, OptimizerKind::Adam, 0.05);
    CompareRun run(c, p);
    run.step(300);
    const auto results = run.results();
    for (std::size_t m = 0; m < results.size(); ++m) {
        const auto& r = results[m];
        EXPECT_DOUBLE_EQ(r.threshold, 1.1 * r.loraFloor);
        ASSERT_GE(r.stepsToThreshold, 1) << methodName(r.method);
        for (const HistoryPoint& h : run.trainer(m).history()) {
            if (h.step < r.stepsToThreshold) {
                EXPECT_GT(h.loss, r.threshold);
            }
            if (h.step == r.stepsToThreshold) {
                EXPECT_LE(h.loss, r.threshold);
            }
        }
    }
    EXPECT_LT(results[1].stepsToThreshold, 300);  // full fine-tuning passes LoRA's floor
}

TEST(MethodTrainer, DivergenceRestoresTheStateBeforeIt) {
    const auto p = fullRankProblem(8, 8);
    MethodTrainer t(trainerConfig(MethodKind::Dora, OptimizerKind::Sgd, 1e30), p);
    const StepReport r = t.step(20);
    EXPECT_TRUE(r.diverged);
    EXPECT_EQ(r.divergedAtStep, r.stepsDone + 1);
    for (std::size_t b = 0; b < t.method().blockCount(); ++b)
        EXPECT_TRUE(allFinite(t.method().block(b)));
    EXPECT_TRUE(std::isfinite(t.currentLoss()));
}

TEST(MethodTrainer, CompareNamesTheMethodThatRefuses) {
    const auto none = makeProblem(Matrix::Zero(6, 5), gaussian(6, 5, 9));
    CompareConfig c;
    c.methods = {MethodKind::Lora, MethodKind::Pissa};
    c.trainer = trainerConfig(MethodKind::Lora, OptimizerKind::Adam, 0.01);
    try {
        CompareRun run(c, none);
        FAIL() << "pissa accepted a zero base";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).rfind("pissa: ", 0), 0u) << e.what();
    }
    c.methods.clear();
    EXPECT_THROW(CompareRun(c, none), std::invalid_argument);
    MethodTrainerConfig bad = trainerConfig(MethodKind::Lora, OptimizerKind::Adam, 0.01);
    bad.lrRatio = 0.0;
    EXPECT_THROW(MethodTrainer(bad, none), std::invalid_argument);
}

}  // namespace
}  // namespace loralab
