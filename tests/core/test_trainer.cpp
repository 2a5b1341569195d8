// Trainer: convergence to zero and to the Eckart–Young floor, SVD init, rank changes that keep
// ΔW, the divergence guard, determinism against the naive oracle, history, validation.
#include "loralab/trainer.h"

#include "dense_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>

using namespace loralab;

namespace {

TrainerConfig fitConfig(TargetKind kind, Index d, Index k, Index rank, double lr = 1e-2) {
    TrainerConfig c;
    c.target.kind = kind;
    c.target.d = d;
    c.target.k = k;
    c.target.targetRank = 3;
    c.target.seed = 1;
    c.rank = rank;
    c.alpha = static_cast<double>(rank);  // s = 1
    c.optimizer.kind = OptimizerKind::Adam;
    c.optimizer.lr = lr;
    c.seed = 1;
    return c;
}

double naiveLoss(const Trainer& t) {
    return lossNaive(t.target(), t.factors().B, t.factors().A, t.factors().scale());
}

double maxAbs(const Matrix& m) { return m.cwiseAbs().maxCoeff(); }

bool sameBits(const Matrix& a, const Matrix& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() &&
           std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0;
}

MatrixD bestRankApprox(const MatrixD& M, Index r) {
    return loralab::test::bestRankApprox(M, r);
}

}  // namespace

// ---- convergence -------------------------------------------------------------------------------

TEST(Trainer, LowRankTargetIsFittedToZeroAtRanksThreeAndFive) {
    // r* = 3. Adam at lr 2e-2: rank 3 is exact within ~1000 steps; rank 5 is over-parameterized
    // (the extra directions decay slowly) and gets 2000.
    for (auto [rank, steps] : {std::pair<Index, long long>{3, 1000}, {5, 2000}}) {
        Trainer t(fitConfig(TargetKind::LowRank, 64, 48, rank, 2e-2));
        EXPECT_LT(t.currentFloor(), 1e-12);
        const double start = t.currentLoss();
        EXPECT_NEAR(start, 1.0, 1e-6);  // unit RMS target, ΔW = 0
        const StepReport rep = t.step(steps);
        EXPECT_FALSE(rep.diverged);
        EXPECT_EQ(rep.stepsDone, steps);
        EXPECT_LT(t.currentLoss(), 1e-6 * start) << "rank " << rank;
        EXPECT_LT(naiveLoss(t), 1e-6 * start) << "rank " << rank;
        EXPECT_NEAR(t.currentLoss(), naiveLoss(t), 1e-9);
    }
}

TEST(Trainer, FullRankGaussianReachesWithinOnePercentOfTheFloor) {
    Trainer t(fitConfig(TargetKind::Full, 64, 48, 4));
    const double floor = t.currentFloor();
    EXPECT_GT(floor, 0.5);  // a full-rank target: most of it is out of reach at rank 4
    t.step(600);
    const double final = t.currentLoss();
    EXPECT_LE(final, 1.01 * floor) << "final " << final << " floor " << floor;
    // Eckart–Young: no rank-4 product gets below the floor (checked with the double oracle).
    EXPECT_GE(naiveLoss(t), floor * (1.0 - 1e-9));
    EXPECT_NEAR(final, naiveLoss(t), 1e-5 * final);
    EXPECT_EQ(t.history().back().floor, floor);
    EXPECT_EQ(t.history().back().rank, 4);
}

TEST(Trainer, SvdInitStartsAtTheFloor) {
    TrainerConfig c = fitConfig(TargetKind::Full, 64, 48, 4);
    c.init = Init::Svd;
    Trainer t(c);
    EXPECT_NEAR(t.currentLoss(), t.currentFloor(), 1e-6 * t.currentFloor());
    EXPECT_NEAR(naiveLoss(t), t.currentFloor(), 1e-6 * t.currentFloor());
    t.step(1);
    ASSERT_EQ(t.history().size(), 1u);
    EXPECT_NEAR(t.history()[0].loss, t.currentFloor(), 1e-6 * t.currentFloor());
}

// ---- rank changes ------------------------------------------------------------------------------

TEST(Trainer, GrowingKeepsDeltaWAndTrainingContinuesDownhill) {
    for (bool rslora : {false, true}) {
        TrainerConfig c = fitConfig(TargetKind::Full, 48, 40, 4);
        c.rslora = rslora;
        Trainer t(c);
        t.step(200);
        const Matrix before = t.deltaW();
        const Matrix Bold = t.factors().B, Aold = t.factors().A;
        const double lossBefore = t.currentLoss();
        t.setRank(8);
        ASSERT_EQ(t.rank(), 8);
        const Matrix after = t.deltaW();
        EXPECT_LT(maxAbs(after - before), 1e-6 * maxAbs(before)) << "rslora " << rslora;
        EXPECT_NEAR(t.currentLoss(), lossBefore, 1e-6 * lossBefore);
        EXPECT_TRUE((t.factors().B.rightCols(4).array() == 0.0f).all());
        EXPECT_TRUE(t.factors().A.topRows(4) == Aold);
        EXPECT_GT(maxAbs(t.factors().A.bottomRows(4)), 0.0f);  // fresh rows, not zeros
        ASSERT_EQ(t.rankChanges().size(), 1u);
        EXPECT_EQ(t.rankChanges()[0], 200);

        t.step(300);
        EXPECT_LT(t.currentLoss(), lossBefore);
        // Rank 8 reaches under the rank-4 floor: the new directions are really used.
        EXPECT_LT(t.currentLoss(), t.spectrum().floor(4));
        EXPECT_EQ(t.history().back().rank, 8);
        EXPECT_EQ(t.history().back().floor, t.spectrum().floor(8));
        EXPECT_EQ(t.history()[199].rank, 4);
        EXPECT_EQ(t.history()[200].rank, 8);
        EXPECT_EQ(t.history()[200].step, 200);
        EXPECT_NEAR(t.history()[200].loss, lossBefore, 1e-6 * lossBefore);
    }
}

TEST(Trainer, ShrinkingKeepsTheBestApproximationAndContinuesDownhill) {
    Trainer t(fitConfig(TargetKind::Full, 40, 32, 6));
    t.step(300);
    const MatrixD before = t.deltaW().cast<double>();
    t.setRank(2);
    const MatrixD after = t.deltaW().cast<double>();
    const MatrixD best = bestRankApprox(before, 2);
    EXPECT_LT((after - best).cwiseAbs().maxCoeff(), 1e-5 * best.cwiseAbs().maxCoeff());
    // Balanced split: s·BᵀB = s·AAᵀ (both Σ₂).
    const double s = t.factors().scale();
    const MatrixD BtB = s * t.factors().B.cast<double>().transpose() * t.factors().B.cast<double>();
    const MatrixD AAt = s * t.factors().A.cast<double>() * t.factors().A.cast<double>().transpose();
    EXPECT_LT((BtB - AAt).cwiseAbs().maxCoeff(), 1e-4 * BtB.cwiseAbs().maxCoeff());
    EXPECT_EQ(t.optimizer().stepCount(), 0);  // optimizer restarts

    const double atChange = t.currentLoss();
    EXPECT_GE(atChange, t.currentFloor());
    t.step(300);
    EXPECT_LT(t.currentLoss(), atChange);
    EXPECT_LE(t.currentLoss(), 1.01 * t.currentFloor());
    EXPECT_EQ(t.history().back().rank, 2);
}

TEST(Trainer, RankChangeAtStepZeroAndInvalidRanks) {
    Trainer t(fitConfig(TargetKind::Full, 10, 7, 3));
    t.setRank(5);
    EXPECT_TRUE((t.deltaW().array() == 0.0f).all());
    t.setRank(5);  // no-op
    EXPECT_EQ(t.rankChanges().size(), 1u);
    EXPECT_THROW(t.setRank(0), std::invalid_argument);
    EXPECT_THROW(t.setRank(8), std::invalid_argument);
    EXPECT_EQ(t.rank(), 5);
    t.setRank(7);  // min(d, k)
    t.step(50);
    EXPECT_LT(t.currentLoss(), 0.5);
}

TEST(Trainer, SetAlphaKeepsDeltaW) {
    Trainer t(fitConfig(TargetKind::Full, 30, 20, 4));
    t.step(100);
    const Matrix before = t.deltaW();
    t.setAlpha(32.0, true);
    EXPECT_DOUBLE_EQ(t.factors().scale(), 16.0);
    EXPECT_LT(maxAbs(t.deltaW() - before), 1e-6 * maxAbs(before));
    EXPECT_EQ(t.config().alpha, 32.0);
    EXPECT_TRUE(t.config().rslora);
    const double l = t.currentLoss();
    t.step(100);
    EXPECT_LT(t.currentLoss(), l);
    EXPECT_THROW(t.setAlpha(NAN, false), std::invalid_argument);
    EXPECT_THROW(t.setAlpha(0.0, false), std::invalid_argument);
    EXPECT_THROW(t.setAlpha(-1.0, false), std::invalid_argument);
}

// ---- divergence guard --------------------------------------------------------------------------

TEST(Trainer, HugeLearningRateTripsTheGuardAndRestoresTheLastGoodStep) {
    for (OptimizerKind kind : {OptimizerKind::Sgd, OptimizerKind::Adam}) {
        TrainerConfig c = fitConfig(TargetKind::Full, 24, 16, 3);
        c.optimizer.kind = kind;
        c.optimizer.lr = 1.0;
        Trainer t(c);
        t.step(20);  // a sane start, so the restored state is not the init
        t.setLearningRate(kind == OptimizerKind::Sgd ? 1e6 : 1e30);

        // One step per call, keeping the state before each call.
        bool diverged = false;
        for (int call = 0; call < 200 && !diverged; ++call) {
            const Factors f = t.factors();
            const Optimizer::State o = t.optimizer().state();
            const long long stepBefore = t.stepCount();
            const StepReport rep = t.step(1);
            if (!rep.diverged) {
                ASSERT_EQ(rep.stepsDone, 1);
                continue;
            }
            diverged = true;
            EXPECT_EQ(rep.divergedAtStep, stepBefore + 1) << optimizerName(kind);
            EXPECT_EQ(rep.stepsDone, 0);
            ASSERT_TRUE(t.lastDivergence().has_value());
            EXPECT_EQ(*t.lastDivergence(), rep.divergedAtStep);
            // State equals the last good step, bit for bit, and is finite.
            EXPECT_EQ(t.stepCount(), stepBefore);
            EXPECT_TRUE(sameBits(t.factors().B, f.B));
            EXPECT_TRUE(sameBits(t.factors().A, f.A));
            EXPECT_EQ(t.optimizer().state().t, o.t);
            for (std::size_t i = 0; i < o.m.size(); ++i)
                EXPECT_TRUE(sameBits(t.optimizer().state().m[i], o.m[i]));
            for (std::size_t i = 0; i < o.v.size(); ++i)
                EXPECT_TRUE(sameBits(t.optimizer().state().v[i], o.v[i]));
            EXPECT_TRUE(t.factors().allFinite());
            EXPECT_TRUE(std::isfinite(t.currentLoss()));
            EXPECT_TRUE(t.gradB().allFinite() && t.gradA().allFinite());
            EXPECT_EQ(t.history().back().step, t.stepCount());
            EXPECT_TRUE(std::isfinite(t.history().back().loss));
        }
        EXPECT_TRUE(diverged) << optimizerName(kind);
        for (const HistoryPoint& p : t.history()) EXPECT_TRUE(std::isfinite(p.loss));

        // Deterministic: the same lr diverges again at the same step.
        const long long at = t.stepCount();
        const StepReport again = t.step(5);
        EXPECT_TRUE(again.diverged);
        EXPECT_EQ(again.divergedAtStep, at + 1);
        EXPECT_EQ(t.stepCount(), at);
        if (kind == OptimizerKind::Adam) {
            // Adam's steps are bounded by lr, so a sane lr trains on from the restored state.
            t.setLearningRate(1e-3);
            const StepReport ok = t.step(5);
            EXPECT_FALSE(ok.diverged);
            EXPECT_EQ(t.stepCount(), at + 5);
        }
    }
}

TEST(Trainer, GuardInsideALongCallMatchesAnIndependentRun) {
    TrainerConfig c = fitConfig(TargetKind::Full, 24, 16, 3);
    c.optimizer.kind = OptimizerKind::Sgd;
    c.optimizer.lr = 1e6;
    Trainer t(c);
    const StepReport rep = t.step(1000);
    ASSERT_TRUE(rep.diverged);
    EXPECT_LT(rep.stepsDone, 1000);
    EXPECT_EQ(rep.stepsDone, t.stepCount());
    EXPECT_EQ(rep.divergedAtStep, t.stepCount() + 1);
    // An independent trainer stopped exactly there holds the same state.
    Trainer ref(c);
    ref.step(t.stepCount());
    EXPECT_TRUE(sameBits(t.factors().B, ref.factors().B));
    EXPECT_TRUE(sameBits(t.factors().A, ref.factors().A));
    EXPECT_TRUE(t.factors().allFinite());
}

// ---- determinism -------------------------------------------------------------------------------

TEST(Trainer, SameSeedSameTargetAndSameFirstTenLosses) {
    const TrainerConfig c = fitConfig(TargetKind::Full, 32, 24, 4);
    Trainer a(c), b(c);
    EXPECT_TRUE(sameBits(a.target(), b.target()));
    a.step(10);
    b.step(10);
    ASSERT_EQ(a.history().size(), 10u);
    for (std::size_t i = 0; i < 10; ++i) {
        EXPECT_EQ(a.history()[i].loss, b.history()[i].loss) << i;
        EXPECT_EQ(a.history()[i].step, static_cast<long long>(i));
    }

    // The same trajectory through the naive oracle: same target, same init, naive gradients.
    const Matrix T = makeTarget(c.target);
    EXPECT_TRUE(sameBits(T, a.target()));
    Factors f = makeFactors(32, 24, 4, c.alpha, c.rslora, c.init, c.seed);
    Optimizer opt(c.optimizer, {{32, 4}, {4, 24}});
    Matrix dB, dA;
    for (std::size_t i = 0; i < 10; ++i) {
        const double loss = lossGradNaive(T, f.B, f.A, f.scale(), dB, dA);
        EXPECT_NEAR(a.history()[i].loss, loss, 1e-5 * loss) << "step " << i;
        opt.beginStep();
        opt.update(0, f.B, dB);
        opt.update(1, f.A, dA);
    }
    EXPECT_LT(a.history()[9].loss, a.history()[0].loss);

    TrainerConfig other = c;
    other.seed = 2;  // factor seed only
    Trainer d(other);
    EXPECT_TRUE(sameBits(d.target(), a.target()));
    d.step(10);
    EXPECT_NE(d.history()[5].loss, a.history()[5].loss);
}

TEST(Trainer, GradientsAndLossAreThoseOfTheCurrentFactors) {
    Trainer t(fitConfig(TargetKind::Decay, 20, 15, 3));
    EXPECT_TRUE((t.gradB().array() == 0.0f).all());  // nothing evaluated yet
    t.step(7);
    Matrix dB, dA;
    const double naive = lossGradNaive(t.target(), t.factors().B, t.factors().A,
                                       t.factors().scale(), dB, dA);
    EXPECT_NEAR(t.currentLoss(), naive, 1e-5 * naive);
    // The next step records exactly this loss.
    t.step(1);
    EXPECT_NEAR(t.history().back().loss, naive, 1e-5 * naive);
    EXPECT_EQ(t.history().back().step, 7);
    lossGradNaive(t.target(), t.factors().B, t.factors().A, t.factors().scale(), dB, dA);
    EXPECT_LT(maxAbs(t.gradB() - dB), 1e-4 * maxAbs(dB));
    EXPECT_LT(maxAbs(t.gradA() - dA), 1e-4 * maxAbs(dA));
}

// ---- history, reset, reconfigure, copies ---------------------------------------------------------

TEST(Trainer, HistoryIsThinnedTwoToOneBeyondItsLimit) {
    TrainerConfig c = fitConfig(TargetKind::Full, 16, 12, 2);
    Trainer full(c);
    full.step(1000);
    ASSERT_EQ(full.history().size(), 1000u);
    c.historyLimit = 16;
    Trainer thin(c);
    thin.step(1000);
    const auto& h = thin.history();
    EXPECT_LE(h.size(), 16u);
    EXPECT_GE(h.size(), 8u);
    EXPECT_EQ(h.front().step, 0);
    EXPECT_GE(h.back().step, 1000 - 128);
    for (std::size_t i = 1; i < h.size(); ++i) EXPECT_GT(h[i].step, h[i - 1].step);
    for (const HistoryPoint& p : h) {
        EXPECT_EQ(p.loss, full.history()[static_cast<std::size_t>(p.step)].loss) << p.step;
        EXPECT_EQ(p.rank, 2);
    }
}

TEST(Trainer, ResetRestartsFromTheSeedOnTheSameTarget) {
    const TrainerConfig c = fitConfig(TargetKind::LowRank, 20, 16, 3);
    Trainer t(c);
    const Matrix T = t.target();
    t.step(30);
    t.setRank(4);
    t.reset(c.seed);
    EXPECT_EQ(t.stepCount(), 0);
    EXPECT_TRUE(t.history().empty());
    EXPECT_TRUE(t.rankChanges().empty());
    EXPECT_TRUE(sameBits(t.target(), T));
    EXPECT_TRUE((t.deltaW().array() == 0.0f).all());
    EXPECT_EQ(t.rank(), 4);  // the rank in force is kept
    t.step(5);
    TrainerConfig c4 = c;
    c4.rank = 4;
    Trainer fresh(c4);
    fresh.step(5);
    for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(t.history()[i].loss, fresh.history()[i].loss);
    t.reset(99);
    EXPECT_FALSE(sameBits(t.factors().A, fresh.factors().A));
    EXPECT_EQ(t.config().seed, 99u);
}

TEST(Trainer, ReconfigureRebuildsOrThrowsWithoutChanges) {
    Trainer t(fitConfig(TargetKind::Full, 20, 16, 3));
    t.step(10);
    TrainerConfig bad = fitConfig(TargetKind::Full, 20, 16, 17);
    EXPECT_THROW(t.reconfigure(bad), std::invalid_argument);
    EXPECT_EQ(t.stepCount(), 10);  // unchanged
    t.reconfigure(fitConfig(TargetKind::Identity, 12, 9, 2));
    EXPECT_EQ(t.d(), 12);
    EXPECT_EQ(t.k(), 9);
    EXPECT_EQ(t.stepCount(), 0);
    EXPECT_NEAR(t.currentFloor(), 7.0 / (12 * 9), 1e-12);  // identity: (min − r)/(dk)
    t.step(20);
    EXPECT_LT(t.currentLoss(), 9.0 / (12 * 9));
}

TEST(Trainer, CopiesAndMovesTrainTheirOwnTarget) {
    const TrainerConfig c = fitConfig(TargetKind::Full, 24, 18, 3);
    Trainer ref(c);
    ref.step(20);
    auto original = std::make_unique<Trainer>(c);
    original->step(10);
    Trainer copy(*original);
    original.reset();  // the copy must not point at the destroyed target
    copy.step(5);
    Trainer moved(std::move(copy));
    moved.step(5);
    Trainer assigned(fitConfig(TargetKind::Identity, 4, 4, 1));
    assigned = moved;
    for (std::size_t i = 0; i < 20; ++i)
        EXPECT_EQ(moved.history()[i].loss, ref.history()[i].loss) << i;
    EXPECT_EQ(assigned.currentLoss(), moved.currentLoss());
    EXPECT_EQ(&assigned.target() == &moved.target(), false);
}

TEST(Trainer, CustomTargetTakesItsShape) {
    Matrix T(6, 4);
    for (Index i = 0; i < T.size(); ++i) T.data()[i] = static_cast<float>((i * 7) % 5) - 2.0f;
    TrainerConfig c = fitConfig(TargetKind::File, 999, 999, 2);
    Trainer t(c, T);
    EXPECT_EQ(t.d(), 6);
    EXPECT_EQ(t.k(), 4);
    EXPECT_EQ(t.config().target.kind, TargetKind::File);
    EXPECT_TRUE(t.target() == T);
    EXPECT_NEAR(t.currentFloor(), analyzeTarget(T).floor(2), 1e-12);
    EXPECT_NEAR(t.currentLoss(), T.cast<double>().squaredNorm() / 24.0, 1e-9);
    t.step(300);
    EXPECT_LE(t.currentLoss(), 1.05 * t.currentFloor() + 1e-9);
    // Reconfiguring with kind File keeps this target.
    TrainerConfig c3 = c;
    c3.rank = 3;
    t.reconfigure(c3);
    EXPECT_TRUE(t.target() == T);
    EXPECT_EQ(t.rank(), 3);

    EXPECT_THROW(Trainer(c, Matrix(0, 3)), std::invalid_argument);
    Matrix nan = T;
    nan(2, 2) = NAN;
    EXPECT_THROW(Trainer(c, nan), std::invalid_argument);
    TrainerConfig big = c;
    big.rank = 5;  // > min(6, 4)
    EXPECT_THROW(Trainer(big, T), std::invalid_argument);
}

// ---- validation --------------------------------------------------------------------------------

TEST(Trainer, EveryInvalidFieldThrows) {
    const TrainerConfig good = fitConfig(TargetKind::Full, 12, 8, 2);
    EXPECT_NO_THROW(Trainer{good});
    auto expectThrow = [](const TrainerConfig& c, const char* what) {
        EXPECT_THROW(Trainer{c}, std::invalid_argument) << what;
    };
    TrainerConfig c = good;
    c.rank = 0;
    expectThrow(c, "rank 0");
    c.rank = 9;
    expectThrow(c, "rank > min(d, k)");
    c = good;
    c.alpha = NAN;
    expectThrow(c, "alpha NaN");
    c.alpha = INFINITY;
    expectThrow(c, "alpha inf");
    c.alpha = 0.0;
    expectThrow(c, "alpha 0");
    c = good;
    c.optimizer.lr = 0.0;
    expectThrow(c, "lr 0");
    c.optimizer.lr = NAN;
    expectThrow(c, "lr NaN");
    c.optimizer.lr = -1.0;
    expectThrow(c, "lr < 0");
    c = good;
    c.optimizer.beta2 = 1.0;
    expectThrow(c, "beta2 1");
    c = good;
    c.historyLimit = 1;
    expectThrow(c, "historyLimit 1");
    c = good;
    c.target.d = 0;
    expectThrow(c, "d 0");
    c = good;
    c.target.kind = TargetKind::LowRank;
    c.target.targetRank = 9;
    expectThrow(c, "r* > min");
    c = good;
    c.target.kind = TargetKind::File;
    expectThrow(c, "file target without a matrix");

    Trainer t(good);
    EXPECT_THROW(t.step(-1), std::invalid_argument);
    EXPECT_THROW(t.setLearningRate(0.0), std::invalid_argument);
    EXPECT_THROW(t.setLearningRate(INFINITY), std::invalid_argument);
    OptimizerConfig badOpt;
    badOpt.eps = -1.0;
    EXPECT_THROW(t.setOptimizer(badOpt), std::invalid_argument);
    EXPECT_EQ(t.step(0).stepsDone, 0);

    try {
        c = good;
        c.rank = 9;
        Trainer x(c);
        FAIL() << "no throw";
    } catch (const std::invalid_argument& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("rank = 9"), std::string::npos) << msg;
        EXPECT_NE(msg.find("1..8"), std::string::npos) << msg;
    }
}

TEST(Trainer, SetOptimizerRestartsStateAndKeepsFactors) {
    Trainer t(fitConfig(TargetKind::Full, 16, 12, 2));
    t.step(10);
    const Matrix B = t.factors().B;
    OptimizerConfig m;
    m.kind = OptimizerKind::Momentum;
    m.lr = 1.0;
    t.setOptimizer(m);
    EXPECT_EQ(t.optimizer().stepCount(), 0);
    EXPECT_EQ(t.optimizer().stateFloats(), static_cast<std::size_t>(2 * (16 + 12)));
    EXPECT_TRUE(t.factors().B == B);
    EXPECT_EQ(t.config().optimizer.kind, OptimizerKind::Momentum);
    const double l = t.currentLoss();
    t.step(50);
    EXPECT_LT(t.currentLoss(), l);
}

// ---- the spectrum on large targets -------------------------------------------------------------

// Past kDenseSpectrumMaxDim the trainer computes the top values only: the floor of its rank,
// and more when the rank grows (by doubling, so that dragging the rank up does not restart the
// computation every step); floors against a dense double SVD within 1e-6.
TEST(Trainer, LargeTargetsComputeThePartialSpectrumTheirRankNeeds) {
    Trainer t(fitConfig(TargetKind::Full, 300, 280, 4));
    const VectorD ref = loralab::test::bdcSvd(t.target().cast<double>()).sigma;
    auto denseFloor = [&](Index r) { return ref.tail(ref.size() - r).squaredNorm() / (300.0 * 280); };
    EXPECT_FALSE(t.spectrum().complete);
    EXPECT_EQ(t.spectrum().computed(), Trainer::spectrumValues(4, 300, 280));
    EXPECT_NEAR(t.currentFloor(), denseFloor(4), 1e-6 * denseFloor(4));
    t.step(3);
    t.setRank(30);  // past the 16 computed: extended to 32
    EXPECT_EQ(t.spectrum().computed(), 32);
    EXPECT_NEAR(t.currentFloor(), denseFloor(30), 1e-6 * denseFloor(30));
    t.step(2);
    EXPECT_EQ(t.history().back().floor, t.currentFloor());
    EXPECT_EQ(t.history().back().rank, 30);
    t.setRank(2);  // shrinking needs nothing new
    EXPECT_EQ(t.spectrum().computed(), 32);
    EXPECT_NEAR(t.currentFloor(), denseFloor(2), 1e-6 * denseFloor(2));
}

TEST(Trainer, SpectrumValuesClosedForms) {
    EXPECT_EQ(Trainer::spectrumValues(4, 4096, 4096), 16);    // at least what a panel shows
    EXPECT_EQ(Trainer::spectrumValues(40, 4096, 4096), 40);
    EXPECT_EQ(Trainer::spectrumValues(4, 10, 12), 10);        // never past min(d, k)
    EXPECT_EQ(Trainer::spectrumValues(20, 4096, 4096, 16), 32);   // growing: doubles
    EXPECT_EQ(Trainer::spectrumValues(70, 4096, 4096, 16), 70);   // the rank when larger
    // Doubling stops short of the dense method (4·values >= min(d, k)) that the rank alone
    // would not need.
    EXPECT_EQ(Trainer::spectrumValues(100, 1000, 1000, 64), 128);
    EXPECT_EQ(Trainer::spectrumValues(130, 1000, 1000, 128), 130);
    EXPECT_EQ(spectrumMethodFor(1000, 1000, 130), SpectrumMethod::Partial);
    EXPECT_EQ(spectrumMethodFor(1000, 1000, 256), SpectrumMethod::Dense);
}

TEST(Trainer, SvdInitFromAPartialSpectrumStartsAtTheFloor) {
    TrainerConfig c = fitConfig(TargetKind::Decay, 320, 300, 6);
    c.init = Init::Svd;
    Trainer t(c);
    ASSERT_FALSE(t.spectrum().complete);
    EXPECT_NEAR(naiveLoss(t), t.currentFloor(), 1e-5 * t.currentFloor());
    t.setRank(40);  // reset after growing past the vectors computed at first
    t.reset(3);
    EXPECT_NEAR(naiveLoss(t), t.currentFloor(), 1e-5 * t.currentFloor());
}

// The window's path: extend a copy on a worker, adopt it on the owner's thread.
TEST(Trainer, AdoptSpectrumTakesAnExtensionComputedElsewhere) {
    Trainer t(fitConfig(TargetKind::Full, 300, 260, 4));
    const Spectrum more = extendSpectrum(t.spectrum(), t.target(), 48);
    t.adoptSpectrum(more);
    EXPECT_EQ(t.spectrum().computed(), 48);
    t.setRank(48);  // covered: nothing recomputed
    EXPECT_EQ(t.spectrum().computed(), 48);
    EXPECT_TRUE(t.spectrum().sigma == more.sigma);
    Trainer other(fitConfig(TargetKind::Full, 260, 300, 4));
    EXPECT_THROW(t.adoptSpectrum(other.spectrum()), std::invalid_argument);   // shape
    EXPECT_THROW(t.adoptSpectrum(topSpectrum(t.target(), 20)), std::invalid_argument);  // < rank
    EXPECT_EQ(t.spectrum().computed(), 48);
}

TEST(Trainer, BuildingCanBeCancelledAndReportsProgress) {
    const TrainerConfig c = fitConfig(TargetKind::Full, 300, 300, 4);
    SvdControl control;
    double last = 0.0;
    control.progress = [&](double f) { last = f; };
    Trainer t(c, control);
    EXPECT_EQ(last, 1.0);
    control.cancelled = [] { return true; };
    EXPECT_THROW(Trainer(c, control), Cancelled);
    EXPECT_THROW(Trainer(c, t.target(), control), Cancelled);
}
