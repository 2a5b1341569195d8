// The AVX-512 (x86-64-v4) kernels: the only file compiled with this ISA's flags (see core/CMakeLists.txt).
#include "kernels/simd_avx512.h"
#include "kernels.h"

#define LORALAB_ISA avx512
#define LORALAB_ISA_ENUM Isa::Avx512
#include "kernels/kernel_common.inl"
#include "kernels/fit_kernel.inl"
#include "kernels/small_kernels.inl"
#include "kernels/kernel_table.inl"
