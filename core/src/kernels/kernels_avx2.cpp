// The AVX2 + FMA (x86-64-v3) kernels: the only file compiled with this ISA's flags (see core/CMakeLists.txt).
#include "kernels/simd_avx2.h"
#include "kernels.h"

#define LORALAB_ISA avx2
#define LORALAB_ISA_ENUM Isa::Avx2
#include "kernels/kernel_common.inl"
#include "kernels/fit_kernel.inl"
#include "kernels/small_kernels.inl"
#include "kernels/kernel_table.inl"
