// The layer workload's dense products (W0·X, W·X, dY·Xᵀ and the thin ones with A, B): OpenBLAS
// when the core was built with it (Debian's OpenMP build), Eigen's own GEMM otherwise. The
// core's OpenMP team splits C along its longer side and each thread runs a single-threaded
// OpenBLAS call on its block: OpenBLAS's own threading would malloc on every call, and this
// way the same thread team serves the whole core. The fit step's thin products with T use the
// one-pass kernel in thin_products.h instead.
#pragma once

#include "loralab/types.h"

namespace loralab {

enum class Op { N, T };  // op(X) = X or Xᵀ

// C = alpha·op(A)·op(B) + beta·C on up to `threads` threads. C must already have the product's
// shape (no allocation); throws std::invalid_argument when the shapes do not agree.
void gemm(Op opA, Op opB, float alpha, const Matrix& A, const Matrix& B, float beta, Matrix& C,
          int threads);

// "openblas" or "eigen": which library gemm() calls.
const char* gemmBackend();

}  // namespace loralab
