// Spectral analysis: what a rank-r product can and cannot reach.
//
//   σ(T)          singular values of the target, descending: all of them (a dense SVD) for
//                 small targets, the top n (partial_svd.h) for large ones, extended on demand
//   floor(r)      Eckart–Young–Mirsky: min over rank-r X of ‖X − T‖²/(dk) = Σ_{i>r} σᵢ² / (dk)
//   σ(ΔW)         singular values of s·B·A without forming d×k: B = Q_B R_B, Aᵀ = Q_A R_A,
//                 ΔW = Q_B (s·R_B R_Aᵀ) Q_Aᵀ, so σ(ΔW) = σ(s·R_B R_Aᵀ) (an r×r SVD)
//   φ(i, j)       subspace similarity ‖U_iᵀ V_j‖²_F / min(i, j) ∈ [0, 1] between the top-i left
//                 singular vectors of ΔW and the top-j left singular vectors of T (LoRA paper §7)
#pragma once

#include "loralab/partial_svd.h"
#include "loralab/types.h"

namespace loralab {

// How the floors are summed, so that none is a difference of large numbers (a low-rank
// target's floor is about 1e-15 of ‖T‖², far below what ‖T‖² − Σσᵢ² could resolve):
//   complete (dense SVD):  floorMse[r] = Σ_{r<i<=min(d,k)} σᵢ²/(dk), suffix sums of the spectrum;
//   partial (top n):       floorMse[r] = (restSq + Σ_{r<i<=n} σᵢ²)/(dk) for r <= n, where
//                          restSq = ‖T − U_n U_nᵀ T‖² is summed from the residual's entries.
// The "rest" a panel shows beyond the computed values is restSq (its share: restSq/normSq).
struct Spectrum {
    VectorD sigma;        // the top computed() singular values, descending (all when complete)
    VectorD floorMse;     // floorMse[r] for r = 0..computed(); floorMse[0] = ‖T‖²/(dk)
    Matrix U;             // d×v top left singular vectors (v <= computed())
    Matrix V;             // k×v top right singular vectors
    double normSq = 0.0;  // ‖T‖²_F
    double restSq = 0.0;  // Σ_{i>computed()} σᵢ²: the energy beyond the computed values
    bool complete = false;  // every singular value is in sigma (restSq = 0)
    Index d = 0, k = 0;

    Index computed() const { return sigma.size(); }
    // True when floor(rank) is known: rank <= computed(), or the spectrum is complete.
    bool covers(Index rank) const { return rank >= 0 && (complete || rank <= computed()); }
    // Throws unless covers(rank); ranks past min(d, k) of a complete spectrum give 0.
    double floor(Index rank) const;
};

// The complete spectrum by a dense SVD in double, O(d·k·min(d, k)): values, the top
// `maxVectors` left and right singular vectors. Throws on an empty or non-finite T.
Spectrum analyzeTarget(const Matrix& T, Index maxVectors = 64);

// Which computation topSpectrum() uses. Auto is Dense when min(d, k) <= kDenseSpectrumMaxDim
// (a dense SVD there costs well under a tenth of a second and gives every value) or when
// 4·values >= min(d, k) (a partial one would do about as much work); Partial otherwise.
enum class SpectrumMethod { Auto, Dense, Partial };
inline constexpr Index kDenseSpectrumMaxDim = 256;
SpectrumMethod spectrumMethodFor(Index d, Index k, Index values);

// At least the top `values` singular values (1 <= values <= min(d, k)) and as many vectors, with
// floors for ranks 0..computed(). Dense: the complete spectrum and max(values, 64) vectors.
// control reports progress and can cancel (Cancelled) between passes over T.
Spectrum topSpectrum(const Matrix& T, Index values, const SvdControl& control = {},
                     SpectrumMethod method = SpectrumMethod::Auto);

// `sp` grown to cover at least `values` (T must be the matrix it was computed from); `sp`
// itself is unchanged, so a worker can extend a copy while the original stays in use. A
// partial spectrum restarts from its vectors; one that already covers `values` is returned
// as it is.
Spectrum extendSpectrum(const Spectrum& sp, const Matrix& T, Index values,
                        const SvdControl& control = {});

// Bytes topSpectrum allocates besides T (double workspaces included), for memory checks.
double spectrumMemoryBytes(Index d, Index k, Index values, int threads);

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
