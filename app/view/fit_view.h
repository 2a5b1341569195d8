// What the window shows about a fit, computed from the factors and the trainer with no ImGui
// or GL, so tests check it against closed forms and the window only draws it:
//
//   B (d×r), A (r×k)     the factors shown (a preset's own factors, or the trainer's)
//   ΔW = s·B·A (d×k)     and the residual T − ΔW (d×k)
//   maxAbs               each matrix's largest |value|, for the heatmaps' colour scales
//   σ(ΔW) (r values)     and φ, the subspace similarity of ΔW's and T's top-i left singular
//                        vectors (i = the numerical rank of ΔW, at most r and T's kept vectors)
//   loss, floor          the trainer's current loss and Eckart–Young floor
//
// The window refreshes the matrices when the fit changes and the spectrum (an r×r SVD) less
// often while training; the two updates below are separate for that reason.
#pragma once

#include "loralab/trainer.h"

namespace loralab {

// σ(ΔW) needs an r×r SVD; above this rank it is too slow to compute while the window runs.
inline constexpr Index kMaxSpectrumRank = 256;

// The matrices shown, in the order of FitView::maxAbs.
enum ShownMatrix { ShownB = 0, ShownA, ShownDeltaW, ShownTarget, ShownResidual, ShownCount };

struct FitView {
    long long version = -1;   // the caller's change counter when this was computed
    Matrix B, A;              // the factors shown
    Matrix deltaW, residual;  // s·B·A and T − s·B·A
    double scale = 1;         // s
    float maxAbs[ShownCount] = {};  // largest |value| of each shown matrix (ShownMatrix order)
    float sharedMax = 1;      // the largest of them; 1 when all are 0 or one is not finite
    VectorD deltaSigma;       // σ(ΔW), r values (zeros when ΔW = 0; empty when skipped)
    double similarity = -1;   // φ(i, i); < 0: not available
    Index similarityDim = 0;  // i
    bool spectrumSkipped = false;  // r > kMaxSpectrumRank: σ(ΔW) and φ not computed
    double loss = 0, floor = 0;
    double zeroLevel = 0;     // losses below this are rounding noise, shown as 0: 1e-12·mean(T²)
    bool floorIsZero() const { return floor <= zeroLevel; }
};

// Factors, ΔW, residual, largest values, loss, floor and zero level from `factors` (the ones
// shown) and `trainer` (its target, loss and floor). Leaves σ(ΔW) and φ as they were.
void updateFitMatrices(FitView& view, const Factors& factors, Trainer& trainer);

// σ(ΔW) and φ against the trainer's target spectrum, after updateFitMatrices. When ΔW = 0 they
// are zeros and "not available"; above kMaxSpectrumRank they are skipped (spectrumSkipped).
// Otherwise the SVD runs only when `due`. Returns true when it ran.
bool updateFitSpectrum(FitView& view, const Factors& factors, const Spectrum& target, bool due);

}  // namespace loralab
