// Fine-tuning methods: every gradient against central differences in double, the float methods
// against the double math, peft's counts, the starting weights, the refusals, names.
#include "loralab/methods.h"

#include "loralab/rng.h"

#include "method_math.h"

#include "dense_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>

namespace loralab {
namespace {

using method_math::Mat;
using MatD = Mat<double>;

MatD randomD(Index rows, Index cols, std::uint64_t seed, double scale = 1.0) {
    Rng rng(seed);
    MatD m(rows, cols);
    for (Index i = 0; i < m.size(); ++i) m.data()[i] = scale * rng.normal();
    return m;
}

Matrix randomF(Index rows, Index cols, std::uint64_t seed, double scale = 1.0) {
    return randomD(rows, cols, seed, scale).cast<float>();
}

// Central differences in double over every entry of P, compared with `grad`: returns the max
// error relative to the gradient's largest entry.
double gradError(MatD& P, const MatD& grad, const std::function<double()>& loss) {
    const double h = 1e-6;
    double worst = 0.0;
    const double scale = std::max(grad.cwiseAbs().maxCoeff(), 1e-30);
    for (Index i = 0; i < P.size(); ++i) {
        const double orig = P.data()[i];
        P.data()[i] = orig + h;
        const double up = loss();
        P.data()[i] = orig - h;
        const double down = loss();
        P.data()[i] = orig;
        worst = std::max(worst, std::abs((up - down) / (2 * h) - grad.data()[i]) / scale);
    }
    return worst;
}

struct Fixture {
    Index d = 7, k = 5, r = 3;
    double s = 0.75;
    MatD W0 = randomD(7, 5, 1), Wstar = randomD(7, 5, 2);
    MatD B = randomD(7, 3, 3, 0.5), A = randomD(3, 5, 4, 0.5);
};

TEST(MethodMath, FullGradientMatchesCentralDifferences) {
    Fixture f;
    MatD D = randomD(f.d, f.k, 5), dD;
    method_math::fullLossGrad<double>(f.W0, f.Wstar, D, &dD);
    const double err = gradError(D, dD, [&] {
        return method_math::fullLossGrad<double>(f.W0, f.Wstar, D, nullptr);
    });
    EXPECT_LT(err, 1e-7) << "max relative error " << err;
}

TEST(MethodMath, LoraGradientMatchesCentralDifferences) {
    Fixture f;
    MatD dB, dA;
    method_math::loraLossGrad<double>(f.W0, f.Wstar, f.B, f.A, f.s, &dB, &dA);
    auto loss = [&] {
        return method_math::loraLossGrad<double>(f.W0, f.Wstar, f.B, f.A, f.s, nullptr, nullptr);
    };
    EXPECT_LT(gradError(f.B, dB, loss), 1e-7);
    EXPECT_LT(gradError(f.A, dA, loss), 1e-7);
}

TEST(MethodMath, DoraExactGradientMatchesCentralDifferences) {
    Fixture f;
    MatD m = randomD(f.d, 1, 6).cwiseAbs(), dm, dB, dA;
    method_math::doraLossGrad<double>(f.W0, f.Wstar, m, f.B, f.A, f.s, true, nullptr, &dm, &dB,
                                      &dA);
    auto loss = [&] {
        return method_math::doraLossGrad<double>(f.W0, f.Wstar, m, f.B, f.A, f.s, true, nullptr,
                                                 nullptr, nullptr, nullptr);
    };
    EXPECT_LT(gradError(m, dm, loss), 1e-7);
    EXPECT_LT(gradError(f.B, dB, loss), 1e-7);
    EXPECT_LT(gradError(f.A, dA, loss), 1e-7);
}

// peft's DoRA detaches ‖V‖_row: its gradient is the gradient of the loss with the norm frozen at
// its current value, and differs from the exact one.
TEST(MethodMath, DoraDetachedGradientIsTheFrozenNormGradient) {
    Fixture f;
    MatD m = randomD(f.d, 1, 6).cwiseAbs(), dm, dB, dA, dmX, dBX, dAX;
    MatD V = f.W0 + f.s * f.B * f.A;
    const MatD c = V.rowwise().norm();
    method_math::doraLossGrad<double>(f.W0, f.Wstar, m, f.B, f.A, f.s, false, nullptr, &dm, &dB,
                                      &dA);
    method_math::doraLossGrad<double>(f.W0, f.Wstar, m, f.B, f.A, f.s, true, nullptr, &dmX, &dBX,
                                      &dAX);
    auto frozen = [&] {
        return method_math::doraLossGrad<double>(f.W0, f.Wstar, m, f.B, f.A, f.s, false, &c,
                                                 nullptr, nullptr, nullptr);
    };
    EXPECT_LT(gradError(m, dm, frozen), 1e-7);
    EXPECT_LT(gradError(f.B, dB, frozen), 1e-7);
    EXPECT_LT(gradError(f.A, dA, frozen), 1e-7);
    EXPECT_EQ((dm - dmX).cwiseAbs().maxCoeff(), 0.0);  // the magnitude's gradient is the same
    EXPECT_GT((dB - dBX).cwiseAbs().maxCoeff(), 1e-3 * dB.cwiseAbs().maxCoeff());
}

TEST(MethodMath, VeraGradientMatchesCentralDifferences) {
    Fixture f;
    MatD lb = randomD(f.d, 1, 7), ld = randomD(f.r, 1, 8), dlb, dld;
    method_math::veraLossGrad<double>(f.W0, f.Wstar, f.B, f.A, lb, ld, &dlb, &dld);
    auto loss = [&] {
        return method_math::veraLossGrad<double>(f.W0, f.Wstar, f.B, f.A, lb, ld, nullptr,
                                                 nullptr);
    };
    EXPECT_LT(gradError(lb, dlb, loss), 1e-7);
    EXPECT_LT(gradError(ld, dld, loss), 1e-7);
}

std::shared_ptr<const MethodProblem> problem(Index d, Index k, std::uint64_t seed = 11) {
    return makeProblem(randomF(d, k, seed), randomF(d, k, seed + 1));
}

MethodConfig config(MethodKind kind, Index rank = 3) {
    MethodConfig c;
    c.kind = kind;
    c.rank = rank;
    c.alpha = 6.0;
    c.threads = 1;
    return c;
}

// The float methods (block order, scale, names) agree with the double math they wrap, away from
// the init (where VeRA's λb = 0 and LoRA's B = 0 zero some gradients).
TEST(Methods, FloatGradientsMatchTheDoubleMath) {
    const auto p = problem(9, 6);
    const MatD W0 = p->base.cast<double>(), Ws = p->target.cast<double>();
    for (MethodKind kind : {MethodKind::Full, MethodKind::Lora, MethodKind::Dora,
                            MethodKind::Pissa, MethodKind::Vera}) {
        auto m = makeMethod(config(kind), p);
        for (std::size_t b = 0; b < m->blockCount(); ++b)
            m->block(b) += randomF(m->block(b).rows(), m->block(b).cols(), 20 + b, 0.3);
        std::vector<Matrix> g;
        const double loss = m->evaluate(&g);
        std::vector<MatD> x(m->blockCount()), gd(m->blockCount());
        for (std::size_t b = 0; b < m->blockCount(); ++b) x[b] = m->block(b).cast<double>();
        const double s = m->scale();
        double ref = 0.0;
        switch (kind) {
            case MethodKind::Full:
                ref = method_math::fullLossGrad<double>(W0, Ws, x[0], &gd[0]);
                break;
            case MethodKind::Lora:
            case MethodKind::Pissa: {
                const MatD base = m->effectiveWeight().cast<double>() - s * x[0] * x[1];
                ref = method_math::loraLossGrad<double>(base, Ws, x[0], x[1], s, &gd[0], &gd[1]);
                break;
            }
            case MethodKind::Dora:
                ref = method_math::doraLossGrad<double>(W0, Ws, x[2], x[0], x[1], s, false,
                                                        nullptr, &gd[2], &gd[0], &gd[1]);
                break;
            case MethodKind::Vera: {
                const auto fr = m->frozen();
                ref = method_math::veraLossGrad<double>(W0, Ws, fr[1].value.cast<double>(),
                                                        fr[0].value.cast<double>(), x[0], x[1],
                                                        &gd[0], &gd[1]);
                break;
            }
        }
        EXPECT_NEAR(loss, ref, 1e-5 * ref) << methodName(kind);
        for (std::size_t b = 0; b < m->blockCount(); ++b) {
            const double scale = gd[b].cwiseAbs().maxCoeff();
            EXPECT_LT((g[b].cast<double>() - gd[b]).cwiseAbs().maxCoeff(), 1e-4 * scale)
                << methodName(kind) << " block " << m->blockName(b);
        }
    }
}

TEST(Methods, CountsArePeftCounts) {
    // 4096×4096 at r = 8: LoRA 8·8192; DoRA adds the 4096 magnitudes; VeRA λb (4096) + λd (r).
    EXPECT_EQ(trainableCount(MethodKind::Lora, 4096, 4096, 8), 65536);
    EXPECT_EQ(trainableCount(MethodKind::Pissa, 4096, 4096, 8), 65536);
    EXPECT_EQ(trainableCount(MethodKind::Dora, 4096, 4096, 8), 69632);
    EXPECT_EQ(trainableCount(MethodKind::Vera, 4096, 4096, 256), 4352);
    EXPECT_EQ(trainableCount(MethodKind::Full, 4096, 11008, 8), 45088768);
    EXPECT_EQ(trainableCount(MethodKind::Vera, 8, 8, 256), 264);  // VeRA's r may exceed d
    EXPECT_THROW(trainableCount(MethodKind::Lora, 8, 8, 9), std::invalid_argument);
    const auto p = problem(10, 7);
    for (MethodKind kind : {MethodKind::Full, MethodKind::Lora, MethodKind::Dora,
                            MethodKind::Pissa, MethodKind::Vera})
        EXPECT_EQ(makeMethod(config(kind), p)->trainableParams(), trainableCount(kind, 10, 7, 3))
            << methodName(kind);
}

TEST(Methods, EveryMethodStartsAtTheBase) {
    const auto p = problem(12, 8);
    for (MethodKind kind : {MethodKind::Full, MethodKind::Lora, MethodKind::Dora,
                            MethodKind::Pissa, MethodKind::Vera}) {
        const Matrix w = makeMethod(config(kind), p)->effectiveWeight();
        EXPECT_LT((w - p->base).cwiseAbs().maxCoeff(), 1e-5f) << methodName(kind);
    }
}

// PiSSA: s·B·A is W0's best rank-r approximation; with an absmax storage (as NF4's) the stored
// residual plus s·B·A is closer to W0 than the stored W0 is, for a W0 with dominant directions:
// the residual's range is smaller (why QPiSSA quantizes the residual).
TEST(Methods, PissaSplitsTheBaseBySvdAndStoresTheResidual) {
    const Index d = 12, k = 8, r = 3;
    const Matrix W0 = randomF(d, r, 31) * randomF(r, k, 33) + randomF(d, k, 34, 0.1);
    StoreFn coarse = [](const Matrix& m) {
        const float amax = m.cwiseAbs().maxCoeff();
        return Matrix((m / amax * 4.0f).array().round() / 4.0f * amax);
    };
    const auto p = makeProblem(coarse(W0), randomF(d, k, 32), W0, coarse);
    auto m = makeMethod(config(MethodKind::Pissa, r), p);
    const MatD sBA = m->scale() * m->block(0).cast<double>() * m->block(1).cast<double>();
    const MatD best = loralab::test::bestRankApprox(W0.cast<double>(), r);
    EXPECT_LT((sBA - best).cwiseAbs().maxCoeff(), 1e-4);
    const Matrix residual = m->frozen().at(0).value;
    EXPECT_EQ((residual - coarse(residual)).cwiseAbs().maxCoeff(), 0.0f);
    const double errPissa = (m->effectiveWeight() - W0).norm();
    const double errStored = (p->base - W0).norm();
    EXPECT_LT(errPissa, 0.5 * errStored) << errPissa << " vs " << errStored;
}

TEST(Methods, RefusesWhatCannotTrain) {
    Matrix base = randomF(6, 5, 41);
    base.row(2).setZero();
    const auto p = makeProblem(base, randomF(6, 5, 42));
    try {
        makeMethod(config(MethodKind::Dora), p);
        FAIL() << "dora accepted a zero row";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("row 2"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("--base"), std::string::npos) << e.what();
    }
    const auto none = makeProblem(Matrix::Zero(6, 5), randomF(6, 5, 43));
    EXPECT_THROW(makeMethod(config(MethodKind::Pissa), none), std::invalid_argument);
    EXPECT_THROW(makeMethod(config(MethodKind::Dora), none), std::invalid_argument);
    // LoRA, full and VeRA start from a zero base.
    for (MethodKind kind : {MethodKind::Lora, MethodKind::Full, MethodKind::Vera})
        EXPECT_NO_THROW(makeMethod(config(kind), none)) << methodName(kind);
    EXPECT_THROW(makeMethod(config(MethodKind::Lora, 6), none), std::invalid_argument);
    EXPECT_THROW(makeProblem(Matrix::Zero(6, 4), randomF(6, 5, 44)), std::invalid_argument);
}

TEST(Methods, VeraProjectionsAreFrozenSeededAndBounded) {
    Matrix B1, A1, B2, A2, B3, A3;
    veraProjections(40, 30, 8, 5, B1, A1);
    veraProjections(40, 30, 8, 5, B2, A2);
    veraProjections(40, 30, 8, 6, B3, A3);
    EXPECT_EQ(B1, B2);
    EXPECT_EQ(A1, A2);
    EXPECT_NE(A1, A3);
    EXPECT_LE(A1.cwiseAbs().maxCoeff(), std::sqrt(6.0f / 30));
    EXPECT_LE(B1.cwiseAbs().maxCoeff(), std::sqrt(6.0f / 8));
    EXPECT_GT(B1.cwiseAbs().maxCoeff(), 0.8f * std::sqrt(6.0f / 8));  // uses the whole range
    auto m = makeMethod(config(MethodKind::Vera, 8), problem(40, 30));
    EXPECT_EQ(m->block(0), Matrix::Zero(40, 1));           // λb = 0
    EXPECT_EQ(m->block(1), Matrix::Constant(8, 1, 0.1f));  // λd = d_initial
}

TEST(Methods, NamesAndLists) {
    for (MethodKind kind : {MethodKind::Full, MethodKind::Lora, MethodKind::Dora,
                            MethodKind::Pissa, MethodKind::Vera})
        EXPECT_EQ(parseMethod(methodName(kind)), kind);
    EXPECT_THROW(parseMethod("qlora"), std::invalid_argument);
    const auto list = parseMethodList("dora,lora,full");
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0], MethodKind::Dora);
    EXPECT_EQ(list[2], MethodKind::Full);
    EXPECT_THROW(parseMethodList(""), std::invalid_argument);
    EXPECT_THROW(parseMethodList("lora,"), std::invalid_argument);
    EXPECT_THROW(parseMethodList("lora,lora"), std::invalid_argument);
    EXPECT_THROW(parseMethodList("lora,,dora"), std::invalid_argument);
}

}  // namespace
}  // namespace loralab
