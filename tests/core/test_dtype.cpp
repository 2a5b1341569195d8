// bf16 and fp16 rounding against values worked out by hand from the formats' definitions.
#include "loralab/dtype.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>

using namespace loralab;

namespace {
float fromBits(std::uint32_t u) {
    float x;
    std::memcpy(&x, &u, sizeof x);
    return x;
}
}  // namespace

TEST(Bf16, ExactValuesKeepTheirBits) {
    EXPECT_EQ(floatToBf16Bits(1.0f), 0x3F80);
    EXPECT_EQ(floatToBf16Bits(-2.0f), 0xC000);
    EXPECT_EQ(floatToBf16Bits(0.0f), 0x0000);
    EXPECT_EQ(floatToBf16Bits(-0.0f), 0x8000);
    EXPECT_EQ(bf16BitsToFloat(0x3F80), 1.0f);
    EXPECT_EQ(bf16BitsToFloat(0x4049), 3.140625f);
}

TEST(Bf16, RoundsToNearestTiesToEven) {
    // π = 0x40490FDB: the dropped half 0x0FDB is below 0x8000, so down to 3.140625.
    EXPECT_EQ(roundToBf16(3.14159265f), 3.140625f);
    // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1).
    EXPECT_EQ(roundToBf16(1.0f + 0.00390625f), 1.0f);
    // 1 + 3·2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): up.
    EXPECT_EQ(roundToBf16(1.0f + 3 * 0.00390625f), 1.015625f);
    // Just above a tie goes up.
    EXPECT_EQ(floatToBf16Bits(fromBits(0x3F808001u)), 0x3F81);
    // FLT_MAX is nearer 2^128 than 0x7F7F0000: it overflows to inf.
    EXPECT_TRUE(std::isinf(roundToBf16(FLT_MAX)));
    EXPECT_TRUE(std::isnan(roundToBf16(std::numeric_limits<float>::quiet_NaN())));
    EXPECT_EQ(roundToBf16(std::numeric_limits<float>::infinity()), std::numeric_limits<float>::infinity());
}

TEST(Fp16, KnownBitPatterns) {
    EXPECT_EQ(floatToFp16Bits(1.0f), 0x3C00);
    EXPECT_EQ(floatToFp16Bits(-2.0f), 0xC000);
    EXPECT_EQ(floatToFp16Bits(65504.0f), 0x7BFF);       // the largest half
    EXPECT_EQ(floatToFp16Bits(0.1f), 0x2E66);           // 0.0999755859375
    EXPECT_EQ(floatToFp16Bits(1.0f / 3.0f), 0x3555);
    EXPECT_EQ(floatToFp16Bits(std::ldexp(1.0f, -14)), 0x0400);  // smallest normal
    EXPECT_EQ(floatToFp16Bits(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
    EXPECT_EQ(fp16BitsToFloat(0x2E66), 0.0999755859375f);
    EXPECT_EQ(fp16BitsToFloat(0x0001), std::ldexp(1.0f, -24));
    EXPECT_EQ(fp16BitsToFloat(0x7BFF), 65504.0f);
    EXPECT_EQ(fp16BitsToFloat(0x8000), -0.0f);
}

TEST(Fp16, RoundingAtTheEdges) {
    EXPECT_EQ(floatToFp16Bits(65519.0f), 0x7BFF);  // below the midpoint to 65536
    EXPECT_EQ(floatToFp16Bits(65520.0f), 0x7C00);  // the midpoint ties to even: inf
    EXPECT_EQ(floatToFp16Bits(-1e6f), 0xFC00);
    EXPECT_EQ(floatToFp16Bits(std::ldexp(1.0f, -25)), 0x0000);        // tie to even (0)
    EXPECT_EQ(floatToFp16Bits(std::ldexp(1.5f, -25)), 0x0001);        // above the tie
    EXPECT_EQ(floatToFp16Bits(std::ldexp(3.0f, -25)), 0x0002);        // 1.5 ulp: tie to even (2)
    EXPECT_EQ(floatToFp16Bits(std::ldexp(1023.75f, -24)), 0x0400);    // subnormal carries to normal
    EXPECT_EQ(floatToFp16Bits(1.0f + std::ldexp(1.0f, -11)), 0x3C00); // tie: even mantissa
    EXPECT_EQ(floatToFp16Bits(1.0f + std::ldexp(3.0f, -11)), 0x3C02); // tie: up to even
    EXPECT_EQ(floatToFp16Bits(2047.5f), 0x6800);                      // mantissa carry: 2048
    EXPECT_EQ(floatToFp16Bits(1e-10f), 0x0000);
    EXPECT_TRUE(std::isnan(roundToFp16(std::numeric_limits<float>::quiet_NaN())));
}

TEST(Fp16, EveryHalfRoundTrips) {
    // Every finite half read as float and rounded back is itself: the two directions agree.
    for (std::uint32_t b = 0; b < 0x10000u; ++b) {
        const auto bits = static_cast<std::uint16_t>(b);
        if ((bits & 0x7C00u) == 0x7C00u && (bits & 0x03FFu)) continue;  // NaN payloads
        ASSERT_EQ(floatToFp16Bits(fp16BitsToFloat(bits)), bits) << std::hex << b;
    }
}
