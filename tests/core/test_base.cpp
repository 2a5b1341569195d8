// The stored base: NF4 against its definition (levels from the normal quantiles, block absmax
// in row-major order, nearest level), double quantization, sizes, and the effective target.
#include "loralab/base.h"
#include "loralab/half_float.h"
#include "loralab/target.h"
#include "loralab/trainer.h"

#include "dense_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

using namespace loralab;

namespace {

// Φ⁻¹(p) by bisection on the normal CDF (independent of any table).
double normalQuantile(double p) {
    double lo = -10, hi = 10;
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (lo + hi);
        (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

// The NF4 value of w in a block with absmax c, by brute force over the 16 levels.
float naiveNf4(float w, float c) {
    if (c == 0) return 0.0f;
    const auto& levels = nf4Levels();
    int best = 0;
    for (int i = 1; i < 16; ++i)
        if (std::fabs(w / c - levels[i]) < std::fabs(w / c - levels[best])) best = i;
    return levels[best] * c;
}

}  // namespace

TEST(Nf4, LevelsAreTheQLoRANormalQuantiles) {
    // QLoRA's construction: with δ = 0.9677083, 8 quantiles of N(0, 1) at even steps from δ to
    // 1/2 (positive side), 7 on the negative side, and 0, all divided by Φ⁻¹(δ).
    const double delta = 0.9677083;
    const double top = normalQuantile(delta);
    std::vector<double> want;
    for (int i = 0; i < 7; ++i) want.push_back(-normalQuantile(delta - i * (delta - 0.5) / 7) / top);
    want.push_back(0.0);
    for (int i = 7; i >= 0; --i) want.push_back(normalQuantile(delta - i * (delta - 0.5) / 8) / top);
    const auto& levels = nf4Levels();
    ASSERT_EQ(want.size(), 16u);
    for (int i = 0; i < 16; ++i) EXPECT_NEAR(levels[i], want[i], 2e-6) << "level " << i;
    EXPECT_EQ(levels[0], -1.0f);
    EXPECT_EQ(levels[7], 0.0f);
    EXPECT_EQ(levels[15], 1.0f);
}

TEST(Nf4, NearestLevelAroundEveryMidpoint) {
    const auto& levels = nf4Levels();
    for (int i = 0; i + 1 < 16; ++i) {
        const float mid = 0.5f * (levels[i] + levels[i + 1]);
        EXPECT_EQ(nearestLevel(levels.data(), 16, std::nextafter(mid, -2.0f)), i);
        EXPECT_EQ(nearestLevel(levels.data(), 16, std::nextafter(mid, 2.0f)), i + 1);
        EXPECT_EQ(nearestLevel(levels.data(), 16, levels[i]), i);
    }
    EXPECT_EQ(nearestLevel(levels.data(), 16, -5.0f), 0);
    EXPECT_EQ(nearestLevel(levels.data(), 16, 5.0f), 15);
}

TEST(Nf4, BlocksOf64RowMajorCrossRowEnds) {
    // 3×50 = 150 values: blocks [0, 64), [64, 128), [128, 150). Block 0 is row 0 and the
    // first 14 entries of row 1; a large value at (1, 10) (position 60) sets its scale.
    Matrix W = makeTarget({TargetKind::Full, 3, 50, 1, 1.0, 7});
    W(1, 10) = -9.0f;
    W(2, 40) = 4.0f;  // position 140, in the short last block
    const Nf4Weight q = quantizeNf4(W, false);
    ASSERT_EQ(q.absmax.size(), 3u);
    float want[3] = {0, 0, 0};
    for (Index p = 0; p < 150; ++p) want[p / 64] = std::max(want[p / 64], std::fabs(W(p / 50, p % 50)));
    EXPECT_EQ(q.absmax[0], 9.0f);
    for (int b = 0; b < 3; ++b) EXPECT_EQ(q.absmax[b], want[b]) << "block " << b;
    EXPECT_EQ(q.scales, q.absmax);  // no double quantization: exact fp32 scales
    EXPECT_EQ(q.codes[60], 0);      // −absmax is the level −1
    const Matrix Ws = dequantizeNf4(q);
    EXPECT_EQ(Ws(1, 10), -9.0f);
    EXPECT_EQ(Ws(2, 40), 4.0f);
    for (Index i = 0; i < 3; ++i)
        for (Index j = 0; j < 50; ++j) {
            const Index p = i * 50 + j;
            EXPECT_EQ(Ws(i, j), naiveNf4(W(i, j), want[p / 64])) << "at (" << i << ", " << j << ")";
        }
    EXPECT_EQ(storeBase(W, BaseDtype::Nf4), Ws);
}

TEST(Nf4, ZeroBlockStaysZeroAndErrorIsBounded) {
    Matrix W = Matrix::Zero(4, 32);  // 128 values: two blocks
    W.row(2).setConstant(0.5f);       // block 1 only
    const Matrix Ws = storeBase(W, BaseDtype::Nf4);
    EXPECT_TRUE((Ws.topRows(2).array() == 0.0f).all());
    EXPECT_EQ(Ws.row(2), W.row(2));
    // Gaussian weights: every error is at most half the widest gap (0.1519 of 2·absmax / 2).
    const Matrix G = makeTarget({TargetKind::Full, 64, 64, 1, 1.0, 3});
    const Nf4Weight q = quantizeNf4(G, false);
    const Matrix Gs = dequantizeNf4(q);
    for (Index p = 0; p < G.size(); ++p) {
        const float c = q.absmax[static_cast<std::size_t>(p / 64)];
        ASSERT_LE(std::fabs(G(p / 64, p % 64) - Gs(p / 64, p % 64)), 0.5f * 0.3038f * c + 1e-6f);
    }
    EXPECT_GT(quantizationError(G, Gs), 0.0);
}

TEST(Nf4, DynamicMapAndDoubleQuantization) {
    const auto& map = dynamicMap8();
    for (int i = 1; i < 256; ++i) EXPECT_LT(map[i - 1], map[i]);
    EXPECT_EQ(map[255], 1.0f);
    EXPECT_NEAR(map[0], -(1.0 - 0.9 / 128), 1e-7);  // the widest decade's last midpoint
    EXPECT_EQ(nearestLevel(map.data(), 256, 0.0f), 127);
    EXPECT_EQ(map[127], 0.0f);
    // Double-quantized scales stay close to the exact ones (8-bit over a block of 256).
    const Matrix G = makeTarget({TargetKind::Full, 128, 256, 1, 1.0, 5});  // 512 blocks
    const Nf4Weight q = quantizeNf4(G, true);
    ASSERT_EQ(q.scales.size(), 512u);
    double worst = 0;
    for (std::size_t i = 0; i < q.scales.size(); ++i)
        worst = std::max(worst, std::fabs(static_cast<double>(q.scales[i]) - q.absmax[i]) / q.absmax[i]);
    EXPECT_LT(worst, 0.05);
    EXPECT_GT(worst, 0.0);
    const Matrix Gs = dequantizeNf4(q);
    EXPECT_GT(quantizationError(G, Gs), quantizationError(G, storeBase(G, BaseDtype::Nf4)) * 0.99);
}

TEST(Base, BytesAndBitsPerValue) {
    EXPECT_EQ(baseBytes(4096, 4096, BaseDtype::Fp32), 4ull * 4096 * 4096);
    EXPECT_EQ(baseBytes(4096, 4096, BaseDtype::Bf16), 2ull * 4096 * 4096);
    EXPECT_DOUBLE_EQ(bitsPerValue(4096, 4096, BaseDtype::Nf4), 4.5);
    // 4 + 8/64 + 32/(64·256) plus one fp32 mean.
    EXPECT_NEAR(bitsPerValue(4096, 4096, BaseDtype::Nf4, true),
                4.0 + 0.125 + 32.0 / 16384 + 32.0 / (4096.0 * 4096.0), 1e-9);
    EXPECT_EQ(baseBytes(3, 50, BaseDtype::Nf4), 75u + 3 * 4);  // a short last block still has a scale
    EXPECT_EQ(parseBaseDtype("nf4"), BaseDtype::Nf4);
    EXPECT_THROW(parseBaseDtype("int4"), std::invalid_argument);
}

TEST(Base, HalfDtypesRoundEachValue) {
    const Matrix W = makeTarget({TargetKind::Full, 9, 7, 1, 1.0, 2});
    const Matrix b = storeBase(W, BaseDtype::Bf16), h = storeBase(W, BaseDtype::Fp16);
    for (Index j = 0; j < 7; ++j)
        for (Index i = 0; i < 9; ++i) {
            EXPECT_EQ(b(i, j), roundToBf16(W(i, j)));
            EXPECT_EQ(h(i, j), roundToFp16(W(i, j)));
        }
    EXPECT_EQ(storeBase(W, BaseDtype::Fp32), W);
    EXPECT_EQ(makeBaseWeight(W, BaseDtype::Fp32).quantizationError, 0.0);
    EXPECT_GT(makeBaseWeight(W, BaseDtype::Bf16).quantizationError,
              makeBaseWeight(W, BaseDtype::Fp16).quantizationError);
}

TEST(Base, FloorWithAQuantizedBaseIsTheDenseSvdFloorOfTEff) {
    const Index d = 24, k = 40, r = 3;
    const Matrix T = makeTarget({TargetKind::LowRank, d, k, 2, 1.0, 11});
    const BaseWeight base = makeBaseWeight(makeTarget({TargetKind::Full, d, k, 1, 1.0, 12}), BaseDtype::Nf4);
    TrainerConfig c;
    c.rank = r;
    Trainer t(c, effectiveTarget(T, base.W0, base.stored));
    // T has rank 2 < r, so without the base the floor is 0; the quantization error moves it.
    const Eigen::MatrixXd Teff = T.cast<double>() + base.W0.cast<double>() - base.stored.cast<double>();
    const loralab::test::DenseSvd svd = loralab::test::jacobiSvd(Teff, false);
    double tail = 0;
    for (Index i = r; i < svd.singularValues().size(); ++i) tail += std::pow(svd.singularValues()(i), 2);
    EXPECT_NEAR(t.currentFloor(), tail / (d * k), 1e-6 * tail / (d * k));
    EXPECT_GT(t.currentFloor(), 1e-6);
    // The trainer's loss is ‖W0ₛ + s·B·A − (W0 + T)‖²/(dk), measured here directly.
    t.step(50);
    const Eigen::MatrixXd Wp = base.stored.cast<double>() + t.deltaW().cast<double>();
    const Eigen::MatrixXd Wstar = base.W0.cast<double>() + T.cast<double>();
    EXPECT_NEAR(t.currentLoss(), (Wp - Wstar).squaredNorm() / (d * k), 1e-5);
    EXPECT_THROW(effectiveTarget(T, Matrix::Zero(d, k + 1), Matrix::Zero(d, k + 1)), std::invalid_argument);
}
