// What an adapter's ΔW = s·B·A holds, and its best lower-rank version, without forming ΔW.
//
//   adapterSvd(B, A, s)        σ, U, V of ΔW = s·B·A (B d×r, A r×k): through QR of B and Aᵀ and
//                              an r×r SVD (deltaSvd in analysis.h) when r <= min(d, k); for
//                              r > min(d, k) ΔW has fewer entries than B or A, so it is formed
//   energyRank(σ, f)           smallest n with σ₁² + … + σₙ² >= f·Σσᵢ² (0 when ΔW = 0)
//   truncateRank(svd, R, s')   B' (d×R'), A' (R'×k), R' = min(R, number of σ), such that
//                              s'·B'·A' = U_R Σ_R V_Rᵀ: by Eckart–Young the closest rank-R matrix
//                              to ΔW in Frobenius norm; each factor carries √(σ/|s'|)
//   relative error             ‖ΔW − ΔW_R‖_F / ‖ΔW‖_F = √(Σ_{i>R} σᵢ² / Σσᵢ²)  (0 when ΔW = 0)
#pragma once

#include "loralab/analysis.h"

namespace loralab {

// Singular values descending (min(r, d, k) of them), U d×m and V k×m with orthonormal columns.
// Throws std::invalid_argument unless B is d×r and A r×k with r >= 1, and s is finite.
DeltaSvd adapterSvd(const Matrix& B, const Matrix& A, double s);

// Throws unless 0 < fraction <= 1.
Index energyRank(const VectorD& sigma, double fraction);

// √(Σ_{i>rank} σᵢ²/Σσᵢ²); 0 for an all-zero spectrum.
double truncationError(const VectorD& sigma, Index rank);

struct TruncatedFactors {
    Matrix B;                   // d×R'
    Matrix A;                   // R'×k
    double relativeError = 0;   // ‖ΔW − s'·B'·A'‖_F / ‖ΔW‖_F, from the σ left out
};

// Throws unless rank >= 1 and newScale is finite and non-zero.
TruncatedFactors truncateRank(const DeltaSvd& svd, Index rank, double newScale);

}  // namespace loralab
