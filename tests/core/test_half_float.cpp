// fp16 and bf16 (core/include/loralab/half_float.h) against values fixed by the IEEE 754 and
// bfloat16 layouts: exact codes for 1, −2, the extremes and subnormals, ties rounded to even,
// every one of the 65,536 codes surviving decode → encode, and rounding worked out by hand.
#include "loralab/half_float.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

using namespace loralab;

TEST(HalfFloat, Fp16KnownCodes) {
    EXPECT_EQ(floatToFp16(1.0f), 0x3C00);
    EXPECT_EQ(floatToFp16(-2.0f), 0xC000);
    EXPECT_EQ(floatToFp16(0.5f), 0x3800);
    EXPECT_EQ(floatToFp16(0.0f), 0x0000);
    EXPECT_EQ(floatToFp16(-0.0f), 0x8000);
    EXPECT_EQ(floatToFp16(65504.0f), 0x7BFF);                     // the largest fp16
    EXPECT_EQ(floatToFp16(std::ldexp(1.0f, -14)), 0x0400);        // the smallest normal
    EXPECT_EQ(floatToFp16(std::ldexp(1.0f, -24)), 0x0001);        // the smallest subnormal
    EXPECT_EQ(floatToFp16(1023 * std::ldexp(1.0f, -24)), 0x03FF); // the largest subnormal
    EXPECT_EQ(floatToFp16(std::numeric_limits<float>::infinity()), 0x7C00);
    EXPECT_EQ(floatToFp16(-std::numeric_limits<float>::infinity()), 0xFC00);
    const std::uint16_t nan = floatToFp16(std::numeric_limits<float>::quiet_NaN());
    EXPECT_EQ(nan & 0x7C00, 0x7C00);
    EXPECT_NE(nan & 0x03FF, 0);

    EXPECT_EQ(fp16ToFloat(0x3C00), 1.0f);
    EXPECT_EQ(fp16ToFloat(0xC000), -2.0f);
    EXPECT_EQ(fp16ToFloat(0x7BFF), 65504.0f);
    EXPECT_EQ(fp16ToFloat(0x0001), std::ldexp(1.0f, -24));
    EXPECT_EQ(fp16ToFloat(0x3555), 0.333251953125f);  // 1/3 in fp16
    EXPECT_TRUE(std::isinf(fp16ToFloat(0x7C00)));
    EXPECT_TRUE(std::isnan(fp16ToFloat(0x7E00)));
    EXPECT_TRUE(std::signbit(fp16ToFloat(0x8000)));
}

TEST(HalfFloat, Fp16RoundsToNearestEven) {
    // Halfway between 1 and 1 + 2^-10 goes to the even 1; halfway above 1 + 2^-10 goes up.
    EXPECT_EQ(floatToFp16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);
    EXPECT_EQ(floatToFp16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);
    EXPECT_EQ(floatToFp16(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)), 0x3C01);  // above half
    // Subnormals: 0.5 and 1.5 units of 2^-24 go to 0 and 2.
    EXPECT_EQ(floatToFp16(std::ldexp(1.0f, -25)), 0x0000);
    EXPECT_EQ(floatToFp16(3 * std::ldexp(1.0f, -25)), 0x0002);
    // 65520 is halfway from 65504 to 65536 (out of range): even → infinity; just below stays.
    EXPECT_EQ(floatToFp16(65520.0f), 0x7C00);
    EXPECT_EQ(floatToFp16(65519.0f), 0x7BFF);
    // A carry out of the fraction moves to the next binade: 2 − 2^-12 → 2.
    EXPECT_EQ(floatToFp16(2.0f - std::ldexp(1.0f, -12)), 0x4000);
}

TEST(HalfFloat, Bf16KnownCodesAndTies) {
    EXPECT_EQ(floatToBf16(1.0f), 0x3F80);
    EXPECT_EQ(floatToBf16(-2.0f), 0xC000);
    EXPECT_EQ(floatToBf16(3.14159265f), 0x4049);  // 3.140625
    EXPECT_EQ(bf16ToFloat(0x4049), 3.140625f);
    EXPECT_EQ(floatToBf16(1.0f + std::ldexp(1.0f, -8)), 0x3F80);      // tie to even
    EXPECT_EQ(floatToBf16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3F82);  // tie to even, upwards
    EXPECT_EQ(floatToBf16(std::numeric_limits<float>::max()), 0x7F80);  // rounds past the range
    EXPECT_EQ(floatToBf16(std::ldexp(1.0f, -133)), 0x0001);           // the smallest subnormal
    EXPECT_EQ(bf16ToFloat(0x0001), std::ldexp(1.0f, -133));
    EXPECT_TRUE(std::isnan(bf16ToFloat(floatToBf16(std::numeric_limits<float>::quiet_NaN()))));
    EXPECT_EQ(bf16ToFloat(0x3F80), 1.0f);
}

TEST(HalfFloat, EveryCodeSurvivesDecodeThenEncode) {
    int fp16Checked = 0, bf16Checked = 0;
    for (std::uint32_t code = 0; code <= 0xFFFF; ++code) {
        const auto h = static_cast<std::uint16_t>(code);
        const float f = fp16ToFloat(h);
        if (!std::isnan(f)) {
            ASSERT_EQ(floatToFp16(f), h) << std::hex << code;
            ++fp16Checked;
        }
        const float b = bf16ToFloat(h);
        if (!std::isnan(b)) {
            ASSERT_EQ(floatToBf16(b), h) << std::hex << code;
            ++bf16Checked;
        }
    }
    EXPECT_EQ(fp16Checked, 65536 - 2 * 1023);  // every code but the NaNs
    EXPECT_EQ(bf16Checked, 65536 - 2 * 127);
}

namespace {
float fromBits(std::uint32_t u) {
    float x;
    std::memcpy(&x, &u, sizeof x);
    return x;
}
}  // namespace

TEST(Bf16, ExactValuesKeepTheirBits) {
    EXPECT_EQ(floatToBf16(1.0f), 0x3F80);
    EXPECT_EQ(floatToBf16(-2.0f), 0xC000);
    EXPECT_EQ(floatToBf16(0.0f), 0x0000);
    EXPECT_EQ(floatToBf16(-0.0f), 0x8000);
    EXPECT_EQ(bf16ToFloat(0x3F80), 1.0f);
    EXPECT_EQ(bf16ToFloat(0x4049), 3.140625f);
}

TEST(Bf16, RoundsToNearestTiesToEven) {
    // π = 0x40490FDB: the dropped half 0x0FDB is below 0x8000, so down to 3.140625.
    EXPECT_EQ(roundToBf16(3.14159265f), 3.140625f);
    // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1).
    EXPECT_EQ(roundToBf16(1.0f + 0.00390625f), 1.0f);
    // 1 + 3·2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): up.
    EXPECT_EQ(roundToBf16(1.0f + 3 * 0.00390625f), 1.015625f);
    // Just above a tie goes up.
    EXPECT_EQ(floatToBf16(fromBits(0x3F808001u)), 0x3F81);
    // FLT_MAX is nearer 2^128 than 0x7F7F0000: it overflows to inf.
    EXPECT_TRUE(std::isinf(roundToBf16(FLT_MAX)));
    EXPECT_TRUE(std::isnan(roundToBf16(std::numeric_limits<float>::quiet_NaN())));
    EXPECT_EQ(roundToBf16(std::numeric_limits<float>::infinity()), std::numeric_limits<float>::infinity());
}

TEST(Fp16, KnownBitPatterns) {
    EXPECT_EQ(floatToFp16(1.0f), 0x3C00);
    EXPECT_EQ(floatToFp16(-2.0f), 0xC000);
    EXPECT_EQ(floatToFp16(65504.0f), 0x7BFF);       // the largest half
    EXPECT_EQ(floatToFp16(0.1f), 0x2E66);           // 0.0999755859375
    EXPECT_EQ(floatToFp16(1.0f / 3.0f), 0x3555);
    EXPECT_EQ(floatToFp16(std::ldexp(1.0f, -14)), 0x0400);  // smallest normal
    EXPECT_EQ(floatToFp16(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
    EXPECT_EQ(fp16ToFloat(0x2E66), 0.0999755859375f);
    EXPECT_EQ(fp16ToFloat(0x0001), std::ldexp(1.0f, -24));
    EXPECT_EQ(fp16ToFloat(0x7BFF), 65504.0f);
    EXPECT_EQ(fp16ToFloat(0x8000), -0.0f);
}

TEST(Fp16, RoundingAtTheEdges) {
    EXPECT_EQ(floatToFp16(65519.0f), 0x7BFF);  // below the midpoint to 65536
    EXPECT_EQ(floatToFp16(65520.0f), 0x7C00);  // the midpoint ties to even: inf
    EXPECT_EQ(floatToFp16(-1e6f), 0xFC00);
    EXPECT_EQ(floatToFp16(std::ldexp(1.0f, -25)), 0x0000);        // tie to even (0)
    EXPECT_EQ(floatToFp16(std::ldexp(1.5f, -25)), 0x0001);        // above the tie
    EXPECT_EQ(floatToFp16(std::ldexp(3.0f, -25)), 0x0002);        // 1.5 ulp: tie to even (2)
    EXPECT_EQ(floatToFp16(std::ldexp(1023.75f, -24)), 0x0400);    // subnormal carries to normal
    EXPECT_EQ(floatToFp16(1.0f + std::ldexp(1.0f, -11)), 0x3C00); // tie: even mantissa
    EXPECT_EQ(floatToFp16(1.0f + std::ldexp(3.0f, -11)), 0x3C02); // tie: up to even
    EXPECT_EQ(floatToFp16(2047.5f), 0x6800);                      // mantissa carry: 2048
    EXPECT_EQ(floatToFp16(1e-10f), 0x0000);
    EXPECT_TRUE(std::isnan(roundToFp16(std::numeric_limits<float>::quiet_NaN())));
}

TEST(Fp16, EveryHalfRoundTrips) {
    // Every finite half read as float and rounded back is itself: the two directions agree.
    for (std::uint32_t b = 0; b < 0x10000u; ++b) {
        const auto bits = static_cast<std::uint16_t>(b);
        if ((bits & 0x7C00u) == 0x7C00u && (bits & 0x03FFu)) continue;  // NaN payloads
        ASSERT_EQ(floatToFp16(fp16ToFloat(bits)), bits) << std::hex << b;
    }
}
