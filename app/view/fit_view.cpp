#include "view/fit_view.h"

#include "loralab/analysis.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

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

// The entry of largest magnitude among v[0..n), sign kept; 0 when n = 0. The largest and the
// smallest are separate max and min reductions, which vectorize.
float largestMagnitude(const float* v, Index n) {
    float hi = 0.0f, lo = 0.0f;
#pragma omp simd reduction(max : hi) reduction(min : lo)
    for (Index i = 0; i < n; ++i) {
        hi = std::max(hi, v[i]);
        lo = std::min(lo, v[i]);
    }
    return hi >= -lo ? hi : lo;
}

// Bands [first, last) of pooled ΔW and T − ΔW, each band poolRows rows of the full matrices
// (which are never formed: 64 MiB each at 4096²). sA = s·A.
void pooledBands(Matrix& deltaW, Matrix& residual, const Matrix& B, const Matrix& sA, const Matrix& T,
                 Index pr, Index pc, Index first, Index last) {
    const Index d = T.rows(), k = T.cols();
    Matrix band, rest;
    for (Index bi = first; bi < last; ++bi) {
        const Index i0 = bi * pr, h = std::min(pr, d - i0);
        band.noalias() = B.middleRows(i0, h) * sA;
        rest = T.middleRows(i0, h) - band;
        for (Index j = 0; j < k; ++j) {
            keepLarger(deltaW(bi, j / pc), largestMagnitude(&band(0, j), h));
            keepLarger(residual(bi, j / pc), largestMagnitude(&rest(0, j), h));
        }
    }
}

Index bandCount(Index d, Index pr) { return (d + pr - 1) / pr; }

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

namespace {

// Everything but ΔW, the residual and T, once those are in `view`: the shape, the factors as
// shown, the scales, loss and floor.
void completeView(FitView& view, const Factors& factors, const Matrix& T, Trainer& trainer) {
    view.d = T.rows();
    view.k = T.cols();
    view.poolRows = poolFactor(view.d);
    view.poolCols = poolFactor(view.k);
    view.B = poolMaxAbs(factors.B, view.poolRows, 1);
    view.A = poolMaxAbs(factors.A, 1, view.poolCols);
    view.scale = factors.scale();
    view.formula = "s·B·A";
    view.product = true;
    updateFitScales(view, T);
    view.loss = trainer.currentLoss();
    view.floor = trainer.currentFloor();
}

}  // namespace

void updateFitMatrices(FitView& view, const Factors& factors, Trainer& trainer,
                       long long targetVersion) {
    const Matrix& T = trainer.target();
    const Index pr = poolFactor(T.rows()), pc = poolFactor(T.cols());
    if (pr > 1 || pc > 1) {
        if (targetVersion < 0 || targetVersion != view.targetVersion) view.target = poolMaxAbs(T, pr, pc);
        view.targetVersion = targetVersion;
        PooledRefresh whole;
        whole.start(factors, T);
        whole.advance(std::numeric_limits<double>::infinity());
        whole.finish(view, trainer);
        return;
    }
    view.deltaW = factors.deltaW();
    view.residual = T - view.deltaW;
    view.target = T;
    completeView(view, factors, T, trainer);
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

void PooledRefresh::start(const Factors& factors, const Matrix& T) {
    m_factors = factors;
    m_T = &T;
    m_poolRows = poolFactor(T.rows());
    m_poolCols = poolFactor(T.cols());
    m_sA = static_cast<float>(factors.scale()) * factors.A;
    m_deltaW = Matrix::Zero(bandCount(T.rows(), m_poolRows), bandCount(T.cols(), m_poolCols));
    m_residual = Matrix::Zero(m_deltaW.rows(), m_deltaW.cols());
    m_next = 0;
    m_workMs = 0;
}

bool PooledRefresh::advance(double budgetMs) {
    if (!active()) return false;
    const auto start = std::chrono::steady_clock::now();
    double spent = 0;
    // Eight bands a call at least: a budget of 0 still gets through a 4096-row matrix.
    while (m_next < m_deltaW.rows() && (spent < budgetMs || spent == 0.0)) {
        const Index last = std::min<Index>(m_next + 8, m_deltaW.rows());
        pooledBands(m_deltaW, m_residual, m_factors.B, m_sA, *m_T, m_poolRows, m_poolCols, m_next, last);
        m_next = last;
        spent = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    }
    m_workMs += spent;
    return m_next >= m_deltaW.rows();
}

void PooledRefresh::finish(FitView& view, Trainer& trainer) {
    view.deltaW = std::move(m_deltaW);
    view.residual = std::move(m_residual);
    completeView(view, m_factors, *m_T, trainer);
    m_T = nullptr;
}

void PooledRefresh::cancel() { m_T = nullptr; }

}  // namespace loralab
