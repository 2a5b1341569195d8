// The large dense products (the layer workload's W0·X, W·X and dY·Xᵀ): OpenBLAS when the
// core was built with it (Debian's OpenMP build, so OpenBLAS and the core share one OpenMP
// thread team), Eigen's own GEMM otherwise. Thin products (one side of size r) stay in Eigen
// or in the fit kernel: library GEMMs are weakest there.
#pragma once

#include "loralab/types.h"

namespace loralab {

enum class Op { N, T };  // op(X) = X or Xᵀ

// C = alpha·op(A)·op(B) + beta·C. C must already have the product's shape (no allocation);
// throws std::invalid_argument when the shapes do not agree.
void gemm(Op opA, Op opB, float alpha, const Matrix& A, const Matrix& B, float beta, Matrix& C);

// "openblas" or "eigen": which library gemm() calls.
const char* gemmBackend();

}  // namespace loralab
