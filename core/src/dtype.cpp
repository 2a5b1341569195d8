#include "loralab/dtype.h"

#include <cstring>

namespace loralab {

namespace {

std::uint32_t bitsOf(float x) {
    std::uint32_t u;
    std::memcpy(&u, &x, sizeof u);
    return u;
}

float floatOf(std::uint32_t u) {
    float x;
    std::memcpy(&x, &u, sizeof x);
    return x;
}

}  // namespace

std::uint16_t floatToBf16Bits(float x) {
    const std::uint32_t u = bitsOf(x);
    if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((u >> 16) | 0x0040u);  // quiet NaN
    // Adding 0x7fff plus the kept lowest bit rounds to nearest with ties to even; a carry into
    // the exponent is the correct rounding up (to the next binade, or to inf past FLT_MAX).
    const std::uint32_t lsb = (u >> 16) & 1u;
    return static_cast<std::uint16_t>((u + 0x7fffu + lsb) >> 16);
}

float bf16BitsToFloat(std::uint16_t bits) { return floatOf(static_cast<std::uint32_t>(bits) << 16); }

std::uint16_t floatToFp16Bits(float x) {
    const std::uint32_t u = bitsOf(x);
    const std::uint16_t sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
    const std::uint32_t mag = u & 0x7fffffffu;
    if (mag > 0x7f800000u) return static_cast<std::uint16_t>(sign | 0x7e00u);  // NaN
    if (mag >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // rounds past 65504
    const int exp = static_cast<int>(mag >> 23) - 127;
    if (exp < -25) return sign;  // below half the smallest subnormal: rounds to ±0
    std::uint32_t mant = (mag & 0x7fffffu) | (exp >= -126 ? 0x800000u : 0u);
    // Shift the 24-bit significand down to the half's 11 bits (fewer for subnormals), rounding
    // to nearest even on the bits shifted out.
    const int shift = exp >= -14 ? 13 : 13 + (-14 - exp);
    const std::uint32_t kept = mant >> shift;
    const std::uint32_t rest = mant & ((1u << shift) - 1u);
    const std::uint32_t half = 1u << (shift - 1);
    std::uint32_t rounded = kept + ((rest > half || (rest == half && (kept & 1u))) ? 1u : 0u);
    if (exp >= -14) {
        // Normal: the implicit bit is in `rounded`; a carry out of the mantissa bumps the exponent.
        const std::uint32_t biased = static_cast<std::uint32_t>(exp + 15);
        return static_cast<std::uint16_t>(sign | ((biased << 10) + (rounded - 0x400u)));
    }
    return static_cast<std::uint16_t>(sign | rounded);  // subnormal (a carry makes it normal)
}

float fp16BitsToFloat(std::uint16_t bits) {
    const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
    const std::uint32_t exp = (bits >> 10) & 0x1fu;
    const std::uint32_t mant = bits & 0x3ffu;
    if (exp == 0x1fu) return floatOf(sign | 0x7f800000u | (mant << 13));
    if (exp == 0) {
        // Subnormal: mant·2^-24, exact in float.
        const float v = static_cast<float>(mant) * 5.9604644775390625e-8f;
        return sign ? -v : v;
    }
    return floatOf(sign | ((exp + 112u) << 23) | (mant << 13));
}

}  // namespace loralab
