// fp16 and bf16 from and to float32, by bit manipulation (no F16C needed, so every x86-64 and
// the arm64 runs give the same bits).
#include "loralab/half_float.h"

#include <cmath>
#include <cstring>

namespace loralab {

namespace {

std::uint32_t bitsOf(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

float floatOf(std::uint32_t u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

}  // namespace

float fp16ToFloat(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1fu;
    const std::uint32_t fraction = h & 0x3ffu;
    if (exponent == 0) {  // zero or subnormal: fraction · 2^-24, exact in float
        const float magnitude = std::ldexp(static_cast<float>(fraction), -24);
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 0x1f) return floatOf(sign | 0x7f800000u | (fraction << 13));  // inf, NaN
    return floatOf(sign | ((exponent + 127 - 15) << 23) | (fraction << 13));
}

std::uint16_t floatToFp16(float f) {
    const std::uint32_t x = bitsOf(f);
    const auto sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
    const std::uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u)  // inf stays inf, NaN becomes the quiet NaN
        return static_cast<std::uint16_t>(sign | (ax > 0x7f800000u ? 0x7e00u : 0x7c00u));
    // 65520 is halfway between 65504 (the largest fp16) and 65536: ties to even round it up.
    if (ax >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);
    if (ax < 0x38800000u) {  // below 2^-14: a subnormal in units of 2^-24 (1024 = smallest normal)
        const float units = std::nearbyint(floatOf(ax) * 16777216.0f);  // exact scaling, RNE
        return static_cast<std::uint16_t>(sign | static_cast<std::uint16_t>(units));
    }
    // Normal: rebias the exponent (127 → 15), keep 10 of 23 fraction bits, round the other 13
    // to nearest even; a carry out of the fraction correctly bumps the exponent.
    std::uint32_t h = (ax >> 13) - ((127u - 15u) << 10);
    const std::uint32_t rest = ax & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
    return static_cast<std::uint16_t>(sign | h);
}

float bf16ToFloat(std::uint16_t b) { return floatOf(static_cast<std::uint32_t>(b) << 16); }

std::uint16_t floatToBf16(float f) {
    const std::uint32_t x = bitsOf(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((x >> 16) | 0x0040u);
    const std::uint32_t roundingBias = 0x7fffu + ((x >> 16) & 1u);  // ties to even
    return static_cast<std::uint16_t>((x + roundingBias) >> 16);
}

}  // namespace loralab
