// The weight view's matrices and figures (app/view/base_view.h) against explicit sums in double
// and bf16 rounding by its definition (nearest of the two neighbours with 8 mantissa bits).
#include "view/base_view.h"

#include "loralab/half_float.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

using namespace loralab;

namespace {

Matrix random(Index d, Index k, unsigned seed, float scale) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.0f, scale);
    Matrix m(d, k);
    for (Index j = 0; j < k; ++j)
        for (Index i = 0; i < d; ++i) m(i, j) = n(rng);
    return m;
}

Factors factors(Index d, Index k, Index r) {
    Factors f;
    f.B = random(d, r, 3, 0.5f);
    f.A = random(r, k, 4, 0.5f);
    f.alpha = 2.0 * static_cast<double>(r);  // s = 2
    return f;
}

// The bf16 neighbours of x (mantissa cut to 7 bits, and one step up in magnitude): the stored
// value must be the nearer one.
bool isNearestBf16(float x, float stored) {
    std::uint32_t bits;
    std::memcpy(&bits, &x, 4);
    const std::uint32_t lo = bits & 0xFFFF0000u, hi = lo + 0x10000u;
    float a, b;
    std::memcpy(&a, &lo, 4);
    std::memcpy(&b, &hi, 4);
    const float nearer = std::fabs(x - a) <= std::fabs(b - x) ? a : b;
    return stored == nearer || std::fabs(x - a) == std::fabs(b - x);
}

}  // namespace

TEST(BaseView, TheWeightsAddUpAndTheFiguresFollow) {
    const Index d = 12, k = 20, r = 3;
    const BaseWeight base = makeBaseWeight(random(d, k, 1, 1.0f), BaseDtype::Nf4);
    const Matrix T = random(d, k, 2, 0.3f);
    const Factors f = factors(d, k, r);
    BaseView v;
    updateBaseView(v, base, T, f, MergePrecision::Fp32, forwardInput(k, 9));
    double loss = 0, qlora = 0;
    for (Index i = 0; i < d; ++i)
        for (Index j = 0; j < k; ++j) {
            double sba = 0;
            for (Index l = 0; l < r; ++l) sba += 2.0 * f.B(i, l) * f.A(l, j);
            EXPECT_NEAR(v.adapter(i, j), sba, 1e-5);
            EXPECT_NEAR(v.effective(i, j), base.stored(i, j) + sba, 1e-5);
            EXPECT_NEAR(v.wanted(i, j), double(base.W0(i, j)) + T(i, j), 1e-6);
            EXPECT_EQ(v.quantError(i, j), base.W0(i, j) - base.stored(i, j));
            const double wanted = double(base.W0(i, j)) + T(i, j);
            loss += std::pow(wanted - (base.stored(i, j) + sba), 2);
            qlora += std::pow(wanted - (base.W0(i, j) + sba), 2);
        }
    EXPECT_NEAR(v.loss, loss / (d * k), 1e-6);
    EXPECT_NEAR(v.qloraMergeLoss, qlora / (d * k), 1e-6);
    EXPECT_EQ(v.mergeErrorMax, 0.0);  // an fp32 merge stores W' as computed
    EXPECT_LT(v.unmergeErrorMax, 1e-5);
    EXPECT_EQ(v.adapterBytes, 4u * r * (d + k));
    EXPECT_EQ(v.baseBytes, base.bytes());
    EXPECT_EQ(v.forward.bottleneck.size(), r);
    EXPECT_DOUBLE_EQ(v.forward.flopsBase, 2.0 * d * k);
    EXPECT_DOUBLE_EQ(v.forward.flopsAdapter, 2.0 * r * (d + k));
}

TEST(BaseView, ABf16MergeRoundsEveryEntryToItsNearestBf16) {
    const Index d = 8, k = 10, r = 2;
    const BaseWeight base = makeBaseWeight(random(d, k, 5, 1.0f), BaseDtype::Fp32);
    const Factors f = factors(d, k, r);
    BaseView v;
    updateBaseView(v, base, random(d, k, 6, 0.3f), f, MergePrecision::Bf16, forwardInput(k, 9));
    EXPECT_GT(v.mergeErrorMax, 0.0);
    for (Index i = 0; i < d; ++i)
        for (Index j = 0; j < k; ++j) {
            const float exact = v.effective(i, j), stored = exact + v.mergeError(i, j);
            EXPECT_TRUE(isNearestBf16(exact, stored)) << i << "," << j;
            EXPECT_LE(std::fabs(v.mergeError(i, j)), std::ldexp(std::fabs(exact), -8) * 1.0001f);
        }
    EXPECT_GT(v.forward.maxAbsDiff, 0.0);
    EXPECT_THROW(updateBaseView(v, base, Matrix::Zero(d + 1, k), f, MergePrecision::Fp32, forwardInput(k, 9)),
                 std::invalid_argument);
}
