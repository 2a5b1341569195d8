// Optimizers: SGD, momentum and Adam against updates computed by hand, state sizing, resizing.
#include "loralab/optimizer.h"


#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

using namespace loralab;

namespace {

Matrix mat(std::initializer_list<float> values, Index rows, Index cols) {
    Matrix m(rows, cols);
    Index i = 0;
    for (float v : values) m.data()[i++] = v;
    return m;
}

OptimizerConfig config(OptimizerKind kind, double lr) {
    OptimizerConfig c;
    c.kind = kind;
    c.lr = lr;
    return c;
}

}  // namespace

TEST(Optimizer, NamesRoundTrip) {
    for (OptimizerKind k : {OptimizerKind::Sgd, OptimizerKind::Momentum, OptimizerKind::Adam})
        EXPECT_EQ(parseOptimizer(optimizerName(k)), k);
    EXPECT_STREQ(optimizerName(OptimizerKind::Momentum), "momentum");
    EXPECT_THROW(parseOptimizer("rmsprop"), std::invalid_argument);
}

TEST(Optimizer, SgdSubtractsLearningRateTimesGradient) {
    Optimizer opt(config(OptimizerKind::Sgd, 0.5), {{2, 1}});
    Matrix p = mat({1.0f, -2.0f}, 2, 1);
    const Matrix g = mat({0.5f, 4.0f}, 2, 1);
    opt.beginStep();
    opt.update(0, p, g);
    EXPECT_FLOAT_EQ(p(0), 0.75f);
    EXPECT_FLOAT_EQ(p(1), -4.0f);
    EXPECT_EQ(opt.stateFloats(), 0u);
}

TEST(Optimizer, MomentumFollowsPyTorchOverTwoSteps) {
    // u1 = g1; p1 = p0 − lr·u1;  u2 = μ·u1 + g2; p2 = p1 − lr·u2   (μ = 0.9, lr = 0.1)
    Optimizer opt(config(OptimizerKind::Momentum, 0.1), {{1, 2}});
    Matrix p = mat({1.0f, 2.0f}, 1, 2);
    const Matrix g1 = mat({1.0f, -1.0f}, 1, 2), g2 = mat({2.0f, 0.5f}, 1, 2);
    opt.beginStep();
    opt.update(0, p, g1);
    EXPECT_FLOAT_EQ(p(0), 0.9f);
    EXPECT_FLOAT_EQ(p(1), 2.1f);
    opt.beginStep();
    opt.update(0, p, g2);
    EXPECT_FLOAT_EQ(p(0), 0.9f - 0.1f * (0.9f * 1.0f + 2.0f));   // 0.61
    EXPECT_FLOAT_EQ(p(1), 2.1f - 0.1f * (0.9f * -1.0f + 0.5f));  // 2.14
    EXPECT_EQ(opt.stateFloats(), 2u);
}

TEST(Optimizer, AdamMatchesHandComputedTwoSteps) {
    // β₁ 0.9, β₂ 0.999, ε 1e-8, lr 0.01, p0 = 1, g1 = 0.5, g2 = −0.2.
    //   m1 = 0.05, v1 = 0.00025, m̂1 = 0.5, v̂1 = 0.25: p1 = 1 − 0.01·0.5/(0.5 + 1e-8)
    //   m2 = 0.045 − 0.02 = 0.025, v2 = 0.00024975 + 0.00004 = 0.00028975
    //   m̂2 = 0.025/0.19, v̂2 = 0.00028975/0.001999: p2 = p1 − 0.01·m̂2/(√v̂2 + 1e-8)
    Optimizer opt(config(OptimizerKind::Adam, 0.01), {{1, 1}});
    Matrix p = mat({1.0f}, 1, 1);
    opt.beginStep();
    opt.update(0, p, mat({0.5f}, 1, 1));
    const double p1 = 1.0 - 0.01 * 0.5 / (0.5 + 1e-8);
    EXPECT_NEAR(p(0), p1, 1e-6);
    opt.beginStep();
    opt.update(0, p, mat({-0.2f}, 1, 1));
    const double mhat = 0.025 / (1.0 - 0.81);
    const double vhat = 0.00028975 / (1.0 - 0.999 * 0.999);
    const double p2 = p1 - 0.01 * mhat / (std::sqrt(vhat) + 1e-8);
    EXPECT_NEAR(p(0), p2, 1e-6);
    EXPECT_EQ(opt.stepCount(), 2);
    EXPECT_NEAR(opt.state().m[0](0), 0.025, 1e-7);
    EXPECT_NEAR(opt.state().v[0](0), 0.00028975, 1e-9);
}

TEST(Optimizer, AdamFirstStepIsLrTimesSignOfGradient) {
    // Bias correction makes the first Adam step ±lr per entry regardless of |g|.
    Optimizer opt(config(OptimizerKind::Adam, 0.003), {{3, 2}, {2, 1}});
    Matrix p = Matrix::Zero(3, 2);
    const Matrix g = mat({1e-3f, -5.0f, 2.0f, -1e-2f, 7.0f, 0.3f}, 3, 2);
    opt.beginStep();
    opt.update(0, p, g);
    for (Index i = 0; i < g.size(); ++i)
        EXPECT_NEAR(p.data()[i], g.data()[i] > 0 ? -0.003 : 0.003, 1e-7);
    EXPECT_EQ(opt.stateFloats(), 2u * (6 + 2));
}

TEST(Optimizer, ResizeKeepsTheScaledSharedPart) {
    Optimizer opt(config(OptimizerKind::Adam, 0.1), {{2, 2}});
    Matrix p = Matrix::Zero(2, 2);
    const Matrix g = mat({1.0f, 2.0f, 3.0f, 4.0f}, 2, 2);
    opt.beginStep();
    opt.update(0, p, g);
    const Matrix m = opt.state().m[0], v = opt.state().v[0];
    opt.resizeBlock(0, 3, 1, 2.0);  // grow rows, shrink columns
    const Matrix& m2 = opt.state().m[0];
    const Matrix& v2 = opt.state().v[0];
    ASSERT_EQ(m2.rows(), 3);
    ASSERT_EQ(m2.cols(), 1);
    EXPECT_FLOAT_EQ(m2(0, 0), 2.0f * m(0, 0));
    EXPECT_FLOAT_EQ(m2(1, 0), 2.0f * m(1, 0));
    EXPECT_EQ(m2(2, 0), 0.0f);
    EXPECT_FLOAT_EQ(v2(0, 0), 4.0f * v(0, 0));
    EXPECT_FLOAT_EQ(v2(1, 0), 4.0f * v(1, 0));
    EXPECT_EQ(v2(2, 0), 0.0f);
    EXPECT_EQ(opt.stepCount(), 1);  // t is kept
    Matrix q = Matrix::Zero(3, 1);
    opt.beginStep();
    EXPECT_NO_THROW(opt.update(0, q, Matrix::Ones(3, 1)));
    EXPECT_THROW(opt.update(0, p, g), std::invalid_argument);  // old shape
}

TEST(Optimizer, StateRoundTripsAndResets) {
    Optimizer opt(config(OptimizerKind::Momentum, 0.1), {{2, 1}});
    Matrix p = Matrix::Zero(2, 1);
    opt.beginStep();
    opt.update(0, p, Matrix::Ones(2, 1));
    const Optimizer::State saved = opt.state();
    opt.beginStep();
    opt.update(0, p, Matrix::Ones(2, 1));
    EXPECT_FALSE(opt.state().m[0] == saved.m[0]);
    opt.setState(saved);
    EXPECT_TRUE(opt.state().m[0] == saved.m[0]);
    EXPECT_EQ(opt.stepCount(), 1);
    opt.resetState();
    EXPECT_TRUE((opt.state().m[0].array() == 0.0f).all());
    EXPECT_EQ(opt.stepCount(), 0);

    Optimizer::State wrong = saved;
    wrong.m[0] = Matrix::Zero(3, 1);
    EXPECT_THROW(opt.setState(wrong), std::invalid_argument);
    wrong.m.clear();
    EXPECT_THROW(opt.setState(wrong), std::invalid_argument);
}

TEST(Optimizer, UpdateReusesStateStorage) {
    Optimizer opt(config(OptimizerKind::Adam, 0.1), {{4, 3}});
    Matrix p = Matrix::Zero(4, 3);
    const float* m = opt.state().m[0].data();
    const float* v = opt.state().v[0].data();
    for (int i = 0; i < 3; ++i) {
        opt.beginStep();
        opt.update(0, p, Matrix::Ones(4, 3));
    }
    EXPECT_EQ(opt.state().m[0].data(), m);
    EXPECT_EQ(opt.state().v[0].data(), v);
}

TEST(Optimizer, InvalidArgumentsThrow) {
    for (double lr : {0.0, -1e-3, double(NAN), double(INFINITY)})
        EXPECT_THROW(validate(config(OptimizerKind::Sgd, lr)), std::invalid_argument) << lr;
    OptimizerConfig c;
    c.beta1 = 1.0;
    EXPECT_THROW(validate(c), std::invalid_argument);
    c = OptimizerConfig{};
    c.beta2 = -0.1;
    EXPECT_THROW(validate(c), std::invalid_argument);
    c = OptimizerConfig{};
    c.eps = 0.0;
    EXPECT_THROW(validate(c), std::invalid_argument);
    c = OptimizerConfig{};
    c.momentum = 1.0;
    EXPECT_THROW(validate(c), std::invalid_argument);
    EXPECT_NO_THROW(validate(OptimizerConfig{}));

    EXPECT_THROW(Optimizer(config(OptimizerKind::Sgd, 0.0), {{1, 1}}), std::invalid_argument);
    EXPECT_THROW(Optimizer(OptimizerConfig{}, {}), std::invalid_argument);
    EXPECT_THROW(Optimizer(OptimizerConfig{}, {{0, 3}}), std::invalid_argument);

    Optimizer opt(OptimizerConfig{}, {{2, 2}});
    Matrix p = Matrix::Zero(2, 2);
    EXPECT_THROW(opt.update(0, p, Matrix::Ones(2, 2)), std::invalid_argument);  // no beginStep
    opt.beginStep();
    EXPECT_THROW(opt.update(1, p, Matrix::Ones(2, 2)), std::invalid_argument);
    EXPECT_THROW(opt.update(0, p, Matrix::Ones(2, 3)), std::invalid_argument);
    EXPECT_THROW(opt.setLearningRate(-1.0), std::invalid_argument);
    EXPECT_THROW(opt.setLearningRate(NAN), std::invalid_argument);
    EXPECT_THROW(opt.resizeBlock(3, 2, 2), std::invalid_argument);
    EXPECT_THROW(opt.resizeBlock(0, 0, 2), std::invalid_argument);
    opt.setLearningRate(0.5);
    EXPECT_EQ(opt.config().lr, 0.5);
    try {
        validate(config(OptimizerKind::Adam, -2.0));
    } catch (const std::invalid_argument& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("lr"), std::string::npos) << msg;
        EXPECT_NE(msg.find("> 0"), std::string::npos) << msg;
    }
}

TEST(Optimizer, UpdatePairEqualsTwoUpdatesOnAnyTeam) {
    // Below kPairParams (32,768: one thread does both blocks), above it (side by side) and with
    // a block past kParallelParams (2^18: Adam splits it over the team), for every kind, on
    // 1, 2 and 3 threads: bit for bit what two update() calls give.
    for (OptimizerKind kind : {OptimizerKind::Sgd, OptimizerKind::Momentum, OptimizerKind::Adam})
        for (auto [d, k, r] :
             {std::tuple<Index, Index, Index>{9, 7, 2}, {2048, 2100, 16}, {16400, 40, 16}})
            for (int threads : {1, 2, 3}) {
                const OptimizerConfig config{kind, 1e-2};
                Optimizer one(config, {{d, r}, {r, k}}, threads),
                    pair(config, {{d, r}, {r, k}}, threads);
                Matrix B1 = Matrix::Random(d, r), A1 = Matrix::Random(r, k);
                Matrix B2 = B1, A2 = A1;
                for (int step = 0; step < 3; ++step) {
                    const Matrix dB = Matrix::Random(d, r), dA = Matrix::Random(r, k);
                    one.beginStep();
                    one.update(0, B1, dB);
                    one.update(1, A1, dA);
                    pair.beginStep();
                    pair.updatePair(B2, dB, A2, dA);
                }
                EXPECT_TRUE(B1 == B2 && A1 == A2)
                    << optimizerName(kind) << " " << d << "x" << k << " r=" << r << " threads "
                    << threads;
            }

    // Shapes are checked before anything changes.
    Optimizer opt(OptimizerConfig{OptimizerKind::Adam, 1e-2}, {{4, 2}, {2, 5}});
    opt.beginStep();
    Matrix B = Matrix::Ones(4, 2), A = Matrix::Ones(2, 5), wrong = Matrix::Ones(3, 5);
    EXPECT_THROW(opt.updatePair(B, Matrix::Ones(4, 2), wrong, Matrix::Ones(3, 5)),
                 std::invalid_argument);
    EXPECT_TRUE((B.array() == 1.0f).all());
    Optimizer adam(OptimizerConfig{OptimizerKind::Adam, 1e-2}, {{4, 2}, {2, 5}});
    EXPECT_THROW(adam.updatePair(B, Matrix::Ones(4, 2), A, Matrix::Ones(2, 5)),
                 std::invalid_argument);  // Adam without beginStep()
}

TEST(Optimizer, UpdatePairIntoEqualsUpdatePairAndUndoesToTheStateBefore) {
    // Out of place, on one thread and side by side, every kind: the same bits as updatePair,
    // the inputs untouched, and undoStep() back to the state before, bit for bit.
    auto sameBits = [](const Matrix& a, const Matrix& b) {
        return a.rows() == b.rows() && a.cols() == b.cols() &&
               std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<std::size_t>(a.size())) == 0;
    };
    auto sameState = [&](const Optimizer::State& a, const Optimizer::State& b) {
        if (a.t != b.t || a.m.size() != b.m.size() || a.v.size() != b.v.size()) return false;
        for (std::size_t i = 0; i < a.m.size(); ++i)
            if (!sameBits(a.m[i], b.m[i])) return false;
        for (std::size_t i = 0; i < a.v.size(); ++i)
            if (!sameBits(a.v[i], b.v[i])) return false;
        return true;
    };
    for (OptimizerKind kind : {OptimizerKind::Sgd, OptimizerKind::Momentum, OptimizerKind::Adam})
        for (auto [d, k, r] : {std::tuple<Index, Index, Index>{9, 7, 2}, {2048, 2100, 16}})
            for (int threads : {1, 2}) {
                const std::string what = std::string(optimizerName(kind)) + " " +
                                         std::to_string(d) + "x" + std::to_string(k) +
                                         " threads " + std::to_string(threads);
                const OptimizerConfig config{kind, 1e-2};
                Optimizer inPlace(config, {{d, r}, {r, k}}, threads),
                    outOfPlace(config, {{d, r}, {r, k}}, threads);
                outOfPlace.reserveUndo();
                Matrix B1 = Matrix::Random(d, r), A1 = Matrix::Random(r, k);
                Matrix B2 = B1, A2 = A1, nextB, nextA;
                for (int step = 0; step < 3; ++step) {
                    const Matrix dB = Matrix::Random(d, r), dA = Matrix::Random(r, k);
                    inPlace.beginStep();
                    inPlace.updatePair(B1, dB, A1, dA);
                    const Matrix B2before = B2, A2before = A2;
                    const Optimizer::State before = outOfPlace.state();
                    outOfPlace.beginStep();
                    outOfPlace.updatePairInto(B2, dB, nextB, A2, dA, nextA);
                    EXPECT_TRUE(sameBits(B2, B2before) && sameBits(A2, A2before)) << what;
                    EXPECT_TRUE(sameBits(nextB, B1) && sameBits(nextA, A1)) << what;
                    EXPECT_TRUE(sameState(outOfPlace.state(), inPlace.state())) << what;
                    if (step == 1) {  // take it back, then take the same step again
                        outOfPlace.undoStep();
                        EXPECT_TRUE(sameState(outOfPlace.state(), before)) << what;
                        EXPECT_THROW(outOfPlace.undoStep(), std::invalid_argument) << what;
                        outOfPlace.beginStep();
                        outOfPlace.updatePairInto(B2, dB, nextB, A2, dA, nextA);
                        EXPECT_TRUE(sameState(outOfPlace.state(), inPlace.state())) << what;
                    }
                    B2.swap(nextB);
                    A2.swap(nextA);
                }
                EXPECT_TRUE(sameBits(B1, B2) && sameBits(A1, A2)) << what;
            }
}

TEST(Optimizer, UndoStepOnlyRightAfterUpdatePairInto) {
    const OptimizerConfig config{OptimizerKind::Adam, 1e-2};
    Optimizer opt(config, {{4, 2}, {2, 5}});
    Matrix B = Matrix::Ones(4, 2), A = Matrix::Ones(2, 5), nextB, nextA;
    const Matrix dB = Matrix::Ones(4, 2), dA = Matrix::Ones(2, 5);
    EXPECT_THROW(opt.undoStep(), std::invalid_argument);  // nothing to undo yet
    // Anything that sets the state after the step leaves nothing to undo.
    const std::vector<std::function<void()>> setters = {
        [&] { opt.update(0, B, dB); },
        [&] { opt.updatePair(B, dB, A, dA); },
        [&] { opt.setState(opt.state()); },
        [&] { opt.resetState(); },
        [&] { opt.resizeBlock(1, 2, 5); },
    };
    for (const auto& set : setters) {
        opt.beginStep();
        opt.updatePairInto(B, dB, nextB, A, dA, nextA);
        if (opt.stepCount() == 0) opt.beginStep();  // after resetState(): Adam needs t >= 1
        set();
        EXPECT_THROW(opt.undoStep(), std::invalid_argument);
    }
    // The outputs must be matrices of their own; nothing changes when they are not.
    opt.beginStep();
    const Matrix B0 = B, A0 = A;
    const Optimizer::State state0 = opt.state();
    EXPECT_THROW(opt.updatePairInto(B, dB, B, A, dA, nextA), std::invalid_argument);
    EXPECT_THROW(opt.updatePairInto(B, dB, nextB, A, dA, nextB), std::invalid_argument);
    EXPECT_THROW(opt.updatePairInto(B, dB, A, A, dA, nextA), std::invalid_argument);
    EXPECT_TRUE(B == B0 && A == A0);
    EXPECT_TRUE(opt.state().m[0] == state0.m[0] && opt.state().v[1] == state0.v[1]);
}
