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

}  // namespace

void updateFitMatrices(FitView& view, const Factors& factors, Trainer& trainer) {
    const Matrix& T = trainer.target();
    view.B = factors.B;
    view.A = factors.A;
    view.scale = factors.scale();
    view.deltaW = factors.deltaW();
    view.residual = T - view.deltaW;
    view.maxAbs[ShownB] = largestAbs(view.B);
    view.maxAbs[ShownA] = largestAbs(view.A);
    view.maxAbs[ShownDeltaW] = largestAbs(view.deltaW);
    view.maxAbs[ShownTarget] = largestAbs(T);
    view.maxAbs[ShownResidual] = largestAbs(view.residual);
    view.sharedMax = *std::max_element(std::begin(view.maxAbs), std::end(view.maxAbs));
    if (!(view.sharedMax > 0) || !std::isfinite(view.sharedMax)) view.sharedMax = 1;
    view.loss = trainer.currentLoss();
    view.floor = trainer.currentFloor();
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
