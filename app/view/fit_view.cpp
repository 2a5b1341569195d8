#include "view/fit_view.h"

#include "loralab/analysis.h"

#include <algorithm>
#include <cmath>

namespace loralab {

namespace {

float largestAbs(const Matrix& m) {
    float best = 0;
    for (Index i = 0; i < m.size(); ++i) best = std::max(best, std::fabs(m.data()[i]));
    return best;
}

// Keeps in `cell` whichever of the two has the larger magnitude.
void keepLarger(float& cell, float v) {
    if (std::fabs(v) > std::fabs(cell)) cell = v;
}

// Pooled ΔW and T − ΔW a band of poolRows rows at a time: the full d×k matrices (64 MiB each
// at 4096²) are never formed.
void pooledProducts(FitView& view, const Factors& f, const Matrix& T) {
    const Index d = view.d, k = view.k, pr = view.poolRows, pc = view.poolCols;
    const Index rows = (d + pr - 1) / pr, cols = (k + pc - 1) / pc;
    view.deltaW = Matrix::Zero(rows, cols);
    view.residual = Matrix::Zero(rows, cols);
    const Matrix sA = static_cast<float>(f.scale()) * f.A;
    Matrix band, rest;
    for (Index bi = 0; bi < rows; ++bi) {
        const Index i0 = bi * pr, h = std::min(pr, d - i0);
        band.noalias() = f.B.middleRows(i0, h) * sA;
        rest = T.middleRows(i0, h) - band;
        for (Index j = 0; j < k; ++j) {
            float& w = view.deltaW(bi, j / pc);
            float& r = view.residual(bi, j / pc);
            for (Index i = 0; i < h; ++i) {
                keepLarger(w, band(i, j));
                keepLarger(r, rest(i, j));
            }
        }
    }
}

}  // namespace

Index poolFactor(Index n) { return n <= kMaxFitShownCells ? 1 : (n + kMaxFitShownCells - 1) / kMaxFitShownCells; }

Matrix poolMaxAbs(const Matrix& m, Index pr, Index pc) {
    if (pr <= 1 && pc <= 1) return m;
    const Index rows = (m.rows() + pr - 1) / pr, cols = (m.cols() + pc - 1) / pc;
    Matrix out = Matrix::Zero(rows, cols);
    for (Index j = 0; j < m.cols(); ++j)
        for (Index i = 0; i < m.rows(); ++i) keepLarger(out(i / pr, j / pc), m(i, j));
    return out;
}

void updateFitMatrices(FitView& view, const Factors& factors, Trainer& trainer,
                       long long targetVersion) {
    const Matrix& T = trainer.target();
    view.d = T.rows();
    view.k = T.cols();
    view.poolRows = poolFactor(view.d);
    view.poolCols = poolFactor(view.k);
    view.B = poolMaxAbs(factors.B, view.poolRows, 1);
    view.A = poolMaxAbs(factors.A, 1, view.poolCols);
    view.scale = factors.scale();
    if (view.pooled()) {
        pooledProducts(view, factors, T);
        if (targetVersion < 0 || targetVersion != view.targetVersion)
            view.target = poolMaxAbs(T, view.poolRows, view.poolCols);
        view.targetVersion = targetVersion;
    } else {
        view.deltaW = factors.deltaW();
        view.residual = T - view.deltaW;
        view.target = T;
    }
    view.formula = "s·B·A";
    view.product = true;
    updateFitScales(view, T);
    view.loss = trainer.currentLoss();
    view.floor = trainer.currentFloor();
}

void updateFitScales(FitView& view, const Matrix& T) {
    view.maxAbs[ShownB] = largestAbs(view.B);
    view.maxAbs[ShownA] = largestAbs(view.A);
    view.maxAbs[ShownDeltaW] = largestAbs(view.deltaW);
    view.maxAbs[ShownTarget] = largestAbs(view.target);
    view.maxAbs[ShownResidual] = largestAbs(view.residual);
    view.sharedMax = *std::max_element(std::begin(view.maxAbs), std::end(view.maxAbs));
    if (!(view.sharedMax > 0) || !std::isfinite(view.sharedMax)) view.sharedMax = 1;
    view.zeroLevel = 1e-12 * static_cast<double>(T.squaredNorm()) /
                     static_cast<double>(std::max<Index>(1, T.size()));
}

bool updateFitSpectrum(FitView& view, const Factors& factors, const Spectrum& target, bool due) {
    const bool zero = view.maxAbs[ShownDeltaW] == 0.0f;
    view.spectrumSkipped = factors.rank() > kMaxSpectrumRank;
    if (zero || view.spectrumSkipped) {
        view.deltaSigma = VectorD::Zero(zero && !view.spectrumSkipped ? factors.rank() : 0);
        view.similarity = -1.0;
        view.similarityDim = 0;
        return false;
    }
    if (!due) return false;
    const DeltaSvd svd = deltaSvd(factors.B, factors.A, factors.scale());
    view.deltaSigma = svd.sigma;
    const Index i = std::min({factors.rank(), numericalRank(svd.sigma), target.U.cols()});
    view.similarityDim = i;
    view.similarity = i >= 1 ? subspaceSimilarity(svd.U, i, target.U, i) : -1.0;
    return true;
}

}  // namespace loralab
