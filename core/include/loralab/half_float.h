// 16-bit floating point: how safetensors stores F16 and BF16 tensors (little-endian on disk)
// and how a frozen base held in bf16 or fp16 rounds (loralab/base.h).
//
//   fp16 (IEEE 754 binary16): 1 sign, 5 exponent (bias 15), 10 fraction bits; largest 65504,
//        smallest normal 2^-14, subnormals down to 2^-24
//   bf16 (bfloat16): the top 16 bits of a float32: float32's range with 8 bits of precision
//
// Decoding is exact (every fp16 and bf16 value is a float32). Encoding rounds to nearest, ties
// to even, as PyTorch's .half() and .bfloat16() do; values past fp16's range become ±inf and a
// NaN stays a (quiet) NaN.
#pragma once

#include <cstdint>

namespace loralab {

float fp16ToFloat(std::uint16_t h);
std::uint16_t floatToFp16(float f);

float bf16ToFloat(std::uint16_t b);
std::uint16_t floatToBf16(float f);

// The float a value becomes when it is stored in that precision and read back.
inline float roundToFp16(float f) { return fp16ToFloat(floatToFp16(f)); }
inline float roundToBf16(float f) { return bf16ToFloat(floatToBf16(f)); }

}  // namespace loralab
