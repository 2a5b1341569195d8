// Spectral analysis: what a rank-r product can and cannot reach.
//
//   σ(T)          singular values of the target, descending (computed once per target)
//   floor(r)      Eckart–Young–Mirsky: min over rank-r X of ‖X − T‖²/(dk) = Σ_{i>r} σᵢ² / (dk)
//   σ(ΔW)         singular values of s·B·A without forming d×k: B = Q_B R_B, Aᵀ = Q_A R_A,
//                 ΔW = Q_B (s·R_B R_Aᵀ) Q_Aᵀ, so σ(ΔW) = σ(s·R_B R_Aᵀ) (an r×r SVD)
//   φ(i, j)       subspace similarity ‖U_iᵀ V_j‖²_F / min(i, j) ∈ [0, 1] between the top-i left
//                 singular vectors of ΔW and the top-j left singular vectors of T (LoRA paper §7)
#pragma once

#include "loralab/types.h"

namespace loralab {

struct Spectrum {
    VectorD sigma;     // min(d, k) singular values of T, descending
    VectorD floorMse;  // floorMse[r] for r = 0..min(d, k): Σ_{i>r} σᵢ²/(dk); floorMse[min] = 0
    Matrix U;          // d×m top left singular vectors of T (m = min(d, k, maxVectors))
    Index d = 0, k = 0;

    double floor(Index rank) const;  // throws unless 0 <= rank; ranks past min(d,k) give 0
};

// SVD of T (values, and the top `maxVectors` left singular vectors). Throws on an empty T.
Spectrum analyzeTarget(const Matrix& T, Index maxVectors = 64);

struct DeltaSvd {
    VectorD sigma;  // r singular values of s·B·A, descending
    Matrix U;       // d×r left singular vectors (Q_B · U_core)
    Matrix V;       // k×r right singular vectors (Q_A · V_core)
};

// Thin SVD of s·B·A through QR of B and Aᵀ and an r×r SVD; O((d+k)r²) work.
DeltaSvd deltaSvd(const Matrix& B, const Matrix& A, double s);

// Number of singular values above tol·σ₁ (σ₁ = the largest); 0 for an all-zero spectrum.
Index numericalRank(const VectorD& sigma, double relTol = 1e-5);

// φ(i, j) = ‖U_iᵀ V_j‖²_F / min(i, j) with U_i the first i columns of U (orthonormal columns)
// and V_j the first j columns of V. Throws unless 1 <= i <= U.cols(), 1 <= j <= V.cols(),
// and U, V have the same number of rows.
double subspaceSimilarity(const Matrix& U, Index i, const Matrix& V, Index j);

}  // namespace loralab
