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
// Past kMaxFitShownCells rows or columns the matrices are pooled for display: each shown cell is
// the entry of largest magnitude (sign kept) in its block of poolRows × poolCols entries. An
// average would wash a thin structure (a diagonal, an edge, one large weight) out to grey and
// shrink a random matrix's noise towards zero; the largest entry keeps both visible, and the
// colour scales (maxAbs) stay exactly those of the full matrices.
//
// The window refreshes the matrices when the fit changes and the spectrum (an r×r SVD) less
// often while training; the two updates below are separate for that reason.
#pragma once

#include "loralab/trainer.h"

#include <string>

namespace loralab {

// σ(ΔW) needs an r×r SVD; above this rank it is too slow to compute while the window runs.
inline constexpr Index kMaxSpectrumRank = 256;

// Most rows or columns a heatmap texture holds: more than any panel has pixels for.
inline constexpr Index kMaxFitShownCells = 512;

// The matrices shown, in the order of FitView::maxAbs.
enum ShownMatrix { ShownB = 0, ShownA, ShownDeltaW, ShownTarget, ShownResidual, ShownCount };

struct FitView {
    long long version = -1;   // the caller's change counter when this was computed
    Index d = 0, k = 0;       // the fit's true shape
    Index poolRows = 1, poolCols = 1;  // entries of d and of k per shown cell (1: not pooled)
    Matrix B, A;              // the factors shown (pooled along d and k)
    Matrix deltaW, residual;  // s·B·A and T − s·B·A (pooled)
    Matrix target;            // T (pooled)
    long long targetVersion = -1;  // the caller's target counter when `target` was pooled
    double scale = 1;         // s
    float maxAbs[ShownCount] = {};  // largest |value| of each shown matrix (ShownMatrix order)
    float sharedMax = 1;      // the largest of them; 1 when all are 0 or one is not finite
    VectorD deltaSigma;       // σ(ΔW), r values (zeros when ΔW = 0; empty when skipped)
    double similarity = -1;   // φ(i, i); < 0: not available
    Index similarityDim = 0;  // i
    bool spectrumSkipped = false;  // r > kMaxSpectrumRank: σ(ΔW) and φ not computed
    std::string formula = "s·B·A";  // what ΔW is, for the heatmap's caption
    bool product = true;      // ΔW = scale·B·A exactly (the hover's term-by-term sum applies)
    double loss = 0, floor = 0;
    double zeroLevel = 0;     // losses below this are rounding noise, shown as 0: 1e-12·mean(T²)
    bool floorIsZero() const { return floor <= zeroLevel; }
    bool pooled() const { return poolRows > 1 || poolCols > 1; }
};

// Entries of a side of n per shown cell: 1 up to kMaxFitShownCells, then ceil(n / kMaxFitShownCells).
Index poolFactor(Index n);
// m pooled in blocks of pr × pc (the last ones partial): each cell the entry of largest |value|.
Matrix poolMaxAbs(const Matrix& m, Index pr, Index pc);

// Factors, ΔW, residual, largest values, loss, floor and zero level from `factors` (the ones
// shown) and `trainer` (its target, loss and floor). Leaves σ(ΔW) and φ as they were.
// T is pooled again only when `targetVersion` differs from the last call's (or is negative).
void updateFitMatrices(FitView& view, const Factors& factors, Trainer& trainer,
                       long long targetVersion = -1);

// A pooled view's refresh spread over several calls, so that the window's frames share its d·k
// work: start() takes a copy of the factors (training goes on meanwhile), each advance() does
// bands of rows until its time budget is spent, and finish() puts ΔW, the residual, B, A, the
// scales, loss and floor into the view (T pooled stays as it was: T does not change). The target
// T must outlive the refresh; cancel() forgets it.
class PooledRefresh {
public:
    void start(const Factors& factors, const Matrix& T);
    bool active() const { return m_T != nullptr; }
    bool advance(double budgetMs);  // true when every band is done
    void finish(FitView& view, Trainer& trainer);  // after advance() returned true
    void cancel();
    const Factors& factors() const { return m_factors; }  // the copy the refresh shows
    double workMs() const { return m_workMs; }             // time spent in advance() so far

private:
    Factors m_factors;
    Matrix m_sA, m_deltaW, m_residual;
    const Matrix* m_T = nullptr;
    Index m_poolRows = 1, m_poolCols = 1, m_next = 0;
    double m_workMs = 0;
};

// maxAbs, sharedMax and zeroLevel from the view's B, A, ΔW, residual and the target T.
void updateFitScales(FitView& view, const Matrix& T);

// σ(ΔW) and φ against the trainer's target spectrum, after updateFitMatrices. When ΔW = 0 they
// are zeros and "not available"; above kMaxSpectrumRank they are skipped (spectrumSkipped).
// Otherwise the SVD runs only when `due`. Returns true when it ran.
bool updateFitSpectrum(FitView& view, const Factors& factors, const Spectrum& target, bool due);

}  // namespace loralab
