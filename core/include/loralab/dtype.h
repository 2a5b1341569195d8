// Storage precisions of a weight: bfloat16 and IEEE half, as bit patterns and as the float
// a value becomes when it is stored that way and read back.
//
// Both round to nearest, ties to even (what PyTorch's .to(torch.bfloat16/float16) does).
// bf16 keeps float's 8-bit exponent (only the mantissa is cut to 7 bits), so it never
// overflows; fp16 (5-bit exponent, 10-bit mantissa) overflows to ±inf past 65504 and keeps
// subnormals down to 2^-24. NaN stays NaN.
#pragma once

#include <cstdint>

namespace loralab {

std::uint16_t floatToBf16Bits(float x);
float bf16BitsToFloat(std::uint16_t bits);
inline float roundToBf16(float x) { return bf16BitsToFloat(floatToBf16Bits(x)); }

std::uint16_t floatToFp16Bits(float x);
float fp16BitsToFloat(std::uint16_t bits);
inline float roundToFp16(float x) { return fp16BitsToFloat(floatToFp16Bits(x)); }

}  // namespace loralab
