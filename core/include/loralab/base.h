// The frozen base weight W0 (d×k) and how it is held in memory (W0ₛ).
//
//   fp32   W0ₛ = W0
//   bf16   each value rounded to bfloat16, fp16 to IEEE half (loralab/half_float.h)
//   nf4    as QLoRA stores it: W0's values taken in row-major order (PyTorch's layout) in
//          blocks of 64 (the last block may be shorter); each block keeps its absmax
//          c = max|w| and each value the index of the nearest of the 16 NF4 levels to w/c
//          (ties to the lower level); W0ₛ = level·c. A block of zeros stays zero.
//          With double quantization the block scales c, less their fp32 mean, are themselves
//          quantized in blocks of 256 to the nearest of bitsandbytes' signed 8-bit dynamic map
//          times that block's absmax (fp32).
//
// Bytes held: fp32 4dk, bf16/fp16 2dk, nf4 ⌈dk/2⌉ + 4·blocks (4.5 bits a value), with double
// quantization ⌈dk/2⌉ + blocks + 4·⌈blocks/256⌉ + 4 (about 4.127 bits a value).
//
// The fit with a base: loss = ‖W0ₛ + s·B·A − (W0 + T)‖²/(dk) = ‖s·B·A − T_eff‖²/(dk) with
// T_eff = T + (W0 − W0ₛ): the adapter fits the target plus the quantization error, with the
// same objective, gradients and Eckart–Young floor (of T_eff).
#pragma once

#include "loralab/types.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace loralab {

enum class BaseDtype { Fp32, Bf16, Fp16, Nf4 };

const char* baseDtypeName(BaseDtype dtype);          // "fp32", "bf16", "fp16", "nf4"
BaseDtype parseBaseDtype(const std::string& name);   // throws std::invalid_argument

constexpr Index kNf4BlockSize = 64;
constexpr Index kNf4ScaleBlockSize = 256;  // double quantization's blocks of scales

// bitsandbytes' float32 NF4 table (QLoRA's NormalFloat4), ascending, from −1 to 1 with 0 at 7.
const std::array<float, 16>& nf4Levels();
// bitsandbytes' signed 8-bit dynamic map (256 values in [−1, 1], ascending), for the scales.
const std::array<float, 256>& dynamicMap8();

// Index of the level nearest to x (ties to the lower index); `levels` ascending.
int nearestLevel(const float* levels, int count, float x);

// W0 in NF4: per-value codes (row-major), per-block scales (after double quantization when
// asked, i.e. the scales the dequantization uses).
struct Nf4Weight {
    Index d = 0, k = 0;
    std::vector<std::uint8_t> codes;  // d·k codes 0..15, row-major (unpacked, for inspection)
    std::vector<float> absmax;        // the blocks' exact fp32 absmax
    std::vector<float> scales;        // the scales dequantization uses (= absmax without DQ)
    bool doubleQuant = false;
};
Nf4Weight quantizeNf4(const Matrix& W, bool doubleQuant);
Matrix dequantizeNf4(const Nf4Weight& q);

// W0ₛ: W0 as `dtype` holds it, read back as float.
Matrix storeBase(const Matrix& W0, BaseDtype dtype, bool doubleQuant = false);

// Bytes that hold a d×k base in `dtype` (codes, scales and the scales' own constants).
std::uint64_t baseBytes(Index d, Index k, BaseDtype dtype, bool doubleQuant = false);
double bitsPerValue(Index d, Index k, BaseDtype dtype, bool doubleQuant = false);

// ‖W0 − W0ₛ‖²/(dk), in double. Throws unless the shapes agree.
double quantizationError(const Matrix& W0, const Matrix& W0s);

// T + (W0 − W0ₛ), the matrix the adapter fits. Throws unless all three are d×k.
Matrix effectiveTarget(const Matrix& T, const Matrix& W0, const Matrix& W0s);

// A base with its stored form, computed once (quantizing is O(dk), and the window shows both).
struct BaseWeight {
    Matrix W0;       // d×k, as given
    Matrix stored;   // W0ₛ
    BaseDtype dtype = BaseDtype::Fp32;
    bool doubleQuant = false;
    double quantizationError = 0.0;  // ‖W0 − W0ₛ‖²/(dk)

    Index d() const { return W0.rows(); }
    Index k() const { return W0.cols(); }
    std::uint64_t bytes() const { return baseBytes(d(), k(), dtype, doubleQuant); }
};
// Throws std::invalid_argument for an empty or non-finite W0.
BaseWeight makeBaseWeight(Matrix W0, BaseDtype dtype, bool doubleQuant = false);

}  // namespace loralab
