#include "loralab/merge.h"

#include "loralab/half_float.h"
#include "loralab/format.h"
#include "loralab/names.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace loralab {

namespace {
const Named<MergePrecision> kMergePrecisions[] = {{MergePrecision::Fp32, "fp32"}, {MergePrecision::Bf16, "bf16"}};
}  // namespace

const char* mergePrecisionName(MergePrecision p) { return nameIn(kMergePrecisions, p); }
MergePrecision parseMergePrecision(const std::string& name) {
    return parseIn(kMergePrecisions, name, "merge precision");
}

namespace {

void requireBaseShape(const Matrix& W, const Factors& f, const char* what) {
    require(W.rows() == f.d() && W.cols() == f.k(), what,
            "the weight is " + shapeStr(W) + " but the adapter is " + std::to_string(f.d()) + "x" +
                std::to_string(f.k()));
}

Matrix stored(Matrix W, MergePrecision p) {
    if (p == MergePrecision::Bf16) W = W.unaryExpr([](float x) { return roundToBf16(x); });
    return W;
}

}  // namespace

Matrix mergeAdapter(const Matrix& base, const Factors& factors, MergePrecision precision) {
    requireBaseShape(base, factors, "merge");
    return stored(base + factors.deltaW(), precision);
}

Matrix unmergeAdapter(const Matrix& merged, const Factors& factors, MergePrecision precision) {
    requireBaseShape(merged, factors, "unmerge");
    return stored(merged - factors.deltaW(), precision);
}

ForwardPass forwardPass(const Matrix& base, const Factors& factors, const Matrix& merged,
                        const Vector& x) {
    requireBaseShape(base, factors, "forward pass");
    requireBaseShape(merged, factors, "forward pass");
    require(x.size() == factors.k(), "forward pass",
            "x has " + std::to_string(x.size()) + " entries; the layer takes k = " +
                std::to_string(factors.k()));
    const double d = static_cast<double>(factors.d()), k = static_cast<double>(factors.k());
    const double r = static_cast<double>(factors.rank());
    ForwardPass f;
    f.base = base * x;
    f.bottleneck = factors.A * x;
    f.adapter = static_cast<float>(factors.scale()) * (factors.B * f.bottleneck);
    f.sum = f.base + f.adapter;
    f.merged = merged * x;
    f.flopsBase = 2 * d * k;
    f.flopsAdapter = 2 * r * (d + k);
    f.flopsMerged = 2 * d * k;
    for (Index i = 0; i < f.sum.size(); ++i)
        f.maxAbsDiff = std::max(f.maxAbsDiff, std::fabs(static_cast<double>(f.sum(i)) - f.merged(i)));
    return f;
}

}  // namespace loralab
