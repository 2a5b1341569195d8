// The portable kernels: the only file compiled with this ISA's flags (see core/CMakeLists.txt).
#include "kernels/simd_generic.h"
#include "kernels.h"

#define LORALAB_ISA generic
#define LORALAB_ISA_ENUM Isa::Generic
#include "kernels/kernel_common.inl"
#include "kernels/fit_kernel.inl"
#include "kernels/small_kernels.inl"
#include "kernels/kernel_table.inl"
