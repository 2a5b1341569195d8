#include "view/base_view.h"

#include "loralab/target.h"

namespace loralab {

Vector forwardInput(Index k, std::uint64_t seed) {
    return makeTarget({TargetKind::Full, k, 1, 1, 1.0, seed});
}

void updateBaseView(BaseView& v, const BaseWeight& base, const Matrix& T, const Factors& f,
                    MergePrecision precision, const Vector& x) {
    require(T.rows() == base.d() && T.cols() == base.k() && f.d() == base.d() && f.k() == base.k(),
            "base view", "the base, the target and the adapter must have the same d x k");
    const double n = static_cast<double>(T.size());
    v.precision = precision;
    v.stored = base.stored;
    v.quantError = base.W0 - base.stored;
    v.adapter = f.deltaW();
    v.effective = base.stored + v.adapter;
    v.wanted = base.W0 + T;
    v.residual = v.wanted - v.effective;
    const Matrix merged = mergeAdapter(base.stored, f, precision);
    v.mergeError = merged - v.effective;
    v.unmergeError = unmergeAdapter(merged, f, MergePrecision::Fp32) - base.stored;
    v.mergeErrorMax = v.mergeError.cwiseAbs().maxCoeff();
    v.unmergeErrorMax = v.unmergeError.cwiseAbs().maxCoeff();
    v.forward = forwardPass(base.stored, f, merged, x);
    v.quantizationError = base.quantizationError;
    v.loss = v.residual.cast<double>().squaredNorm() / n;
    v.qloraMergeLoss = (base.W0 + v.adapter - v.wanted).cast<double>().squaredNorm() / n;
    v.baseBytes = base.bytes();
    v.adapterBytes = 4ull * static_cast<std::uint64_t>(f.rank() * (f.d() + f.k()));
}

}  // namespace loralab
