#include "loralab/base.h"

#include "loralab/half_float.h"
#include "loralab/names.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace loralab {

namespace {
const Named<BaseDtype> kBaseDtypes[] = {
    {BaseDtype::Fp32, "fp32"}, {BaseDtype::Bf16, "bf16"}, {BaseDtype::Fp16, "fp16"}, {BaseDtype::Nf4, "nf4"}};
}  // namespace

const char* baseDtypeName(BaseDtype dtype) { return nameIn(kBaseDtypes, dtype); }
BaseDtype parseBaseDtype(const std::string& name) { return parseIn(kBaseDtypes, name, "base dtype"); }

const std::array<float, 16>& nf4Levels() {
    // The QLoRA paper's NF4 as bitsandbytes stores it (float32): quantiles of N(0, 1) scaled
    // to [−1, 1], with an exact zero.
    static const std::array<float, 16> levels = {
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
        -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
        0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
        0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f};
    return levels;
}

const std::array<float, 256>& dynamicMap8() {
    // Dettmers' dynamic tree type: for each decade 10^(i−6), i = 0..6, the midpoints of 2^i
    // equal steps of [0.1, 1] (both signs), plus 0 and 1: 2·127 + 2 = 256 values.
    static const std::array<float, 256> map = [] {
        std::vector<double> v;
        for (int i = 0; i < 7; ++i) {
            const int steps = 1 << i;
            const double decade = std::pow(10.0, i - 6);
            for (int j = 0; j < steps; ++j) {
                const double lo = 0.1 + 0.9 * j / steps, hi = 0.1 + 0.9 * (j + 1) / steps;
                const float mid = static_cast<float>((static_cast<float>(lo) + static_cast<float>(hi)) / 2.0);
                v.push_back(decade * mid);
                v.push_back(-decade * mid);
            }
        }
        v.push_back(0.0);
        v.push_back(1.0);
        std::sort(v.begin(), v.end());
        std::array<float, 256> out{};
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(v[i]);
        return out;
    }();
    return map;
}

int nearestLevel(const float* levels, int count, float x) {
    // Levels are ascending: the first level at or above x, or the one below it when closer.
    const float* hi = std::lower_bound(levels, levels + count, x);
    if (hi == levels) return 0;
    if (hi == levels + count) return count - 1;
    const float* lo = hi - 1;
    return (x - *lo) <= (*hi - x) ? static_cast<int>(lo - levels) : static_cast<int>(hi - levels);
}

namespace {

// The blocks' scales as double quantization stores them: mean-removed, blocks of 256, each
// the nearest dynamic-map value times the block's absmax.
std::vector<float> doubleQuantize(const std::vector<float>& absmax) {
    double sum = 0.0;
    for (float c : absmax) sum += c;
    const float mean = absmax.empty() ? 0.0f : static_cast<float>(sum / static_cast<double>(absmax.size()));
    const std::array<float, 256>& map = dynamicMap8();
    std::vector<float> out(absmax.size());
    const std::size_t n = absmax.size(), block = static_cast<std::size_t>(kNf4ScaleBlockSize);
    for (std::size_t b0 = 0; b0 < n; b0 += block) {
        const std::size_t b1 = std::min(n, b0 + block);
        float amax = 0.0f;
        for (std::size_t i = b0; i < b1; ++i) amax = std::max(amax, std::fabs(absmax[i] - mean));
        for (std::size_t i = b0; i < b1; ++i) {
            const float centred = absmax[i] - mean;
            const float code = amax > 0 ? map[nearestLevel(map.data(), 256, centred / amax)] : 0.0f;
            out[i] = code * amax + mean;
        }
    }
    return out;
}

}  // namespace

Nf4Weight quantizeNf4(const Matrix& W, bool doubleQuant) {
    require(W.size() > 0, "NF4 base", "the matrix is empty");
    Nf4Weight q;
    q.d = W.rows();
    q.k = W.cols();
    q.doubleQuant = doubleQuant;
    const Index n = W.size();
    const Index blocks = (n + kNf4BlockSize - 1) / kNf4BlockSize;
    q.codes.resize(static_cast<std::size_t>(n));
    q.absmax.assign(static_cast<std::size_t>(blocks), 0.0f);
    // Row-major position p is W(p / k, p % k): a block can end in one row and go on in the next.
    auto at = [&](Index p) { return W(p / q.k, p % q.k); };
    for (Index p = 0; p < n; ++p) {
        float& c = q.absmax[static_cast<std::size_t>(p / kNf4BlockSize)];
        c = std::max(c, std::fabs(at(p)));
    }
    const std::array<float, 16>& levels = nf4Levels();
    for (Index p = 0; p < n; ++p) {
        const float c = q.absmax[static_cast<std::size_t>(p / kNf4BlockSize)];
        const float x = c > 0 ? at(p) / c : 0.0f;
        q.codes[static_cast<std::size_t>(p)] = static_cast<std::uint8_t>(nearestLevel(levels.data(), 16, x));
    }
    q.scales = doubleQuant ? doubleQuantize(q.absmax) : q.absmax;
    return q;
}

Matrix dequantizeNf4(const Nf4Weight& q) {
    Matrix W(q.d, q.k);
    const std::array<float, 16>& levels = nf4Levels();
    for (Index p = 0; p < q.d * q.k; ++p)
        W(p / q.k, p % q.k) = levels[q.codes[static_cast<std::size_t>(p)]] *
                              q.scales[static_cast<std::size_t>(p / kNf4BlockSize)];
    return W;
}

Matrix storeBase(const Matrix& W0, BaseDtype dtype, bool doubleQuant) {
    switch (dtype) {
    case BaseDtype::Fp32: return W0;
    case BaseDtype::Bf16: return W0.unaryExpr([](float x) { return roundToBf16(x); });
    case BaseDtype::Fp16: return W0.unaryExpr([](float x) { return roundToFp16(x); });
    case BaseDtype::Nf4: return dequantizeNf4(quantizeNf4(W0, doubleQuant));
    }
    return W0;
}

std::uint64_t baseBytes(Index d, Index k, BaseDtype dtype, bool doubleQuant) {
    const std::uint64_t n = static_cast<std::uint64_t>(d) * static_cast<std::uint64_t>(k);
    switch (dtype) {
    case BaseDtype::Fp32: return 4 * n;
    case BaseDtype::Bf16:
    case BaseDtype::Fp16: return 2 * n;
    case BaseDtype::Nf4: {
        const std::uint64_t blocks = (n + kNf4BlockSize - 1) / kNf4BlockSize;
        if (!doubleQuant) return (n + 1) / 2 + 4 * blocks;
        const std::uint64_t scaleBlocks = (blocks + kNf4ScaleBlockSize - 1) / kNf4ScaleBlockSize;
        return (n + 1) / 2 + blocks + 4 * scaleBlocks + 4;  // codes, 8-bit scales, absmax², mean
    }
    }
    return 4 * n;
}

double bitsPerValue(Index d, Index k, BaseDtype dtype, bool doubleQuant) {
    return 8.0 * static_cast<double>(baseBytes(d, k, dtype, doubleQuant)) /
           (static_cast<double>(d) * static_cast<double>(k));
}

double quantizationError(const Matrix& W0, const Matrix& W0s) {
    require(W0.rows() == W0s.rows() && W0.cols() == W0s.cols(), "quantization error",
            "the stored base's shape differs from W0's");
    require(W0.size() > 0, "quantization error", "the base is empty");
    double sum = 0.0;
    for (Index j = 0; j < W0.cols(); ++j)
        for (Index i = 0; i < W0.rows(); ++i) {
            const double e = static_cast<double>(W0(i, j)) - static_cast<double>(W0s(i, j));
            sum += e * e;
        }
    return sum / static_cast<double>(W0.size());
}

Matrix effectiveTarget(const Matrix& T, const Matrix& W0, const Matrix& W0s) {
    require(T.rows() == W0.rows() && T.cols() == W0.cols(), "base",
            "W0 is " + std::to_string(W0.rows()) + "x" + std::to_string(W0.cols()) +
                " but the target is " + std::to_string(T.rows()) + "x" + std::to_string(T.cols()));
    require(W0s.rows() == W0.rows() && W0s.cols() == W0.cols(), "base",
            "the stored base's shape differs from W0's");
    return T + (W0 - W0s);
}

BaseWeight makeBaseWeight(Matrix W0, BaseDtype dtype, bool doubleQuant) {
    require(W0.size() > 0, "base", "the base weight is empty");
    require(W0.allFinite(), "base", "the base weight has non-finite entries");
    BaseWeight b;
    b.stored = storeBase(W0, dtype, doubleQuant);
    b.W0 = std::move(W0);
    b.dtype = dtype;
    b.doubleQuant = doubleQuant;
    b.quantizationError = quantizationError(b.W0, b.stored);
    return b;
}

}  // namespace loralab
