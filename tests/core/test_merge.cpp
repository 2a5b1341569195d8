// Merge, unmerge and the forward pass, against sums formed here in double.
#include "loralab/merge.h"
#include "loralab/half_float.h"
#include "loralab/target.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

using namespace loralab;

namespace {
Factors someFactors(Index d, Index k, Index r) {
    Factors f = makeFactors(d, k, r, 6.0, false, Init::Peft, 4);
    f.B = makeTarget({TargetKind::Full, d, r, 1, 1.0, 9});
    return f;
}
}  // namespace

TEST(Merge, MergedIsBasePlusScaledProduct) {
    const Index d = 13, k = 9, r = 3;
    const Matrix W0 = makeTarget({TargetKind::Full, d, k, 1, 1.0, 2});
    const Factors f = someFactors(d, k, r);
    const Matrix M = mergeAdapter(W0, f, MergePrecision::Fp32);
    const Matrix Mb = mergeAdapter(W0, f, MergePrecision::Bf16);
    for (Index i = 0; i < d; ++i)
        for (Index j = 0; j < k; ++j) {
            double sum = 0;
            for (Index p = 0; p < r; ++p) sum += static_cast<double>(f.B(i, p)) * f.A(p, j);
            const double want = W0(i, j) + f.scale() * sum;  // s = 6/3
            EXPECT_NEAR(M(i, j), want, 1e-5);
            EXPECT_EQ(Mb(i, j), roundToBf16(M(i, j)));
        }
    // Unmerging in fp32 gives the base back to float rounding; after a bf16 merge it cannot.
    const Matrix back = unmergeAdapter(M, f, MergePrecision::Fp32);
    EXPECT_LT((back - W0).cwiseAbs().maxCoeff(), 1e-5f);
    const Matrix backB = unmergeAdapter(Mb, f, MergePrecision::Fp32);
    EXPECT_GT((backB - W0).cwiseAbs().maxCoeff(), 1e-4f);
    EXPECT_THROW(mergeAdapter(Matrix::Zero(d, k + 1), f, MergePrecision::Fp32), std::invalid_argument);
    EXPECT_EQ(parseMergePrecision("bf16"), MergePrecision::Bf16);
    EXPECT_THROW(parseMergePrecision("fp8"), std::invalid_argument);
}

TEST(Merge, ForwardPassBothWaysAndFlops) {
    const Index d = 16, k = 24, r = 2;
    const Matrix W0 = makeTarget({TargetKind::Full, d, k, 1, 1.0, 3});
    const Factors f = someFactors(d, k, r);
    const Vector x = makeTarget({TargetKind::Full, k, 1, 1, 1.0, 5});
    const ForwardPass fp = forwardPass(W0, f, mergeAdapter(W0, f, MergePrecision::Fp32), x);
    ASSERT_EQ(fp.bottleneck.size(), r);
    for (Index i = 0; i < d; ++i) {
        double y = 0;
        for (Index j = 0; j < k; ++j) {
            double dw = 0;
            for (Index p = 0; p < r; ++p) dw += static_cast<double>(f.B(i, p)) * f.A(p, j);
            y += (W0(i, j) + f.scale() * dw) * x(j);
        }
        EXPECT_NEAR(fp.sum(i), y, 1e-4);
        EXPECT_NEAR(fp.merged(i), y, 1e-4);
        EXPECT_NEAR(fp.sum(i), fp.base(i) + fp.adapter(i), 1e-6);
    }
    EXPECT_EQ(fp.flopsBase, 2.0 * d * k);
    EXPECT_EQ(fp.flopsAdapter, 2.0 * r * (d + k));
    EXPECT_LT(fp.maxAbsDiff, 1e-4);
    // A bf16 merge rounds the weight: the two outputs now differ by more than float noise.
    const ForwardPass fb = forwardPass(W0, f, mergeAdapter(W0, f, MergePrecision::Bf16), x);
    EXPECT_GT(fb.maxAbsDiff, 1e-3);
    EXPECT_THROW(forwardPass(W0, f, W0, Vector::Zero(k + 1)), std::invalid_argument);
}
