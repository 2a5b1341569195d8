// The r-sized products of a fit step's Gram form with SIMD kernels of their own (internal to
// core/src): the two Grams AAᵀ and BᵀB over a thread's share, and A's gradient.
//
// Why not Eigen: its GEMM packs both operands and blocks for large matrices; at a 256² step's
// shapes (16 × 128 times 128 × 16 on each thread) that fixed cost is most of the call. Zen 3,
// one thread, 128 rows or columns, r = 16, median µs, Eigen against these: AAᵀ 1.5 against 0.8,
// BᵀB 1.4 against 0.8, A's gradient 2.2-2.4 against 1.3-1.9. At r = 32 and 512: AAᵀ 21 against
// 10, BᵀB 22 against 9, A's gradient 21 against 18. B's gradient (d rows × r × r) stays with
// Eigen: written the same way it was no faster at 128 rows and two to five times slower at
// 2048 (its columns d floats apart fall in the same L1 sets; Eigen packs them).
// Whole fit steps (evaluation and Adam), interleaved in one process with Eigen's products,
// median of 1,000-step rounds: 256², r = 16, two threads 47.1 -> 44.0 µs at the fastest
// (faster in 13 of 15 rounds), one thread 83.8 -> 79.5; r = 32 133 -> 127 µs; 1024², r = 8,
// 16 and 64: 1-6 % faster.
//
// All matrices column-major. r must satisfy simdSmallProducts(r).
#pragma once

#include "loralab/types.h"

namespace loralab::detail {

// True when this build has the kernels for rank r: r a multiple of the SIMD width (8 floats
// with AVX2, 16 with AVX-512), at most kMaxSmallRank.
constexpr Index kMaxSmallRank = 64;
bool simdSmallProducts(Index r);

// out (r×r) = Σ a_j·a_jᵀ over w columns a_j of r floats stored one after the other (A's
// columns j0 .. j0 + w, from A.data() + j0·r). Exactly symmetric.
void gramOfColumns(const float* A, Index r, Index w, float* out);

// out (r×r) = Bᵀ·B over h rows: B's r columns are runs of h floats, ldB apart (B's rows
// i0 .. i0 + h from B.data() + i0). Exactly symmetric.
void gramOfRows(const float* B, Index ldB, Index h, Index r, float* out);

// out[:, j] = cs·G·A[:, j] − c·C[:, j] for w columns of r floats (A, C and out stored as for
// gramOfColumns; G is r×r).
void gradientOfColumns(const float* G, const float* A, const float* C, Index r, Index w,
                       float c, float cs, float* out);

// ---- the residual's sum of squares (the loss near an exact fit) ------------------------------
// Any r ≥ 1 when simdResidual() is true (a SIMD build).
bool simdResidual();

// B (d×r, columns ldB apart) packed for residualSquares: row vector v's r runs of W lanes one
// after another, at out + (v·r + p)·W; zeros past row d. out holds packedRowsSize(d, r) floats.
Index packedRowsSize(Index d, Index r);
void packRows(const float* B, Index ldB, Index d, Index r, float* out);

// Σ (s·(B·A)(i, j) − T(i, j))² over all d rows and w columns: each residual in float (products
// accumulated in float by FMAs, one rounding for s·acc − T), the squares of a block of 2 row
// vectors × 6 or 8 columns summed in float and the blocks' sums in double. Bp from packRows; A's w columns of r floats
// from A.data() + j0·r; T's w columns from T.data() + j0·ldT.
double residualSquares(const float* Bp, Index d, Index r, const float* A, const float* T,
                       Index ldT, Index w, float s);

}  // namespace loralab::detail
