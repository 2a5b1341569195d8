// Spectrum and truncation of an adapter's ΔW = s·B·A (the math is in rank_resize.h).
#include "loralab/rank_resize.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace loralab {

DeltaSvd adapterSvd(const Matrix& B, const Matrix& A, double s) {
    require(B.cols() >= 1 && B.cols() == A.rows() && B.rows() >= 1 && A.cols() >= 1, "adapterSvd",
            "B is " + std::to_string(B.rows()) + "x" + std::to_string(B.cols()) + ", A is " +
                std::to_string(A.rows()) + "x" + std::to_string(A.cols()) +
                "; need B d x r and A r x k with d, k, r >= 1");
    requireFinite(s, "s");
    const Index d = B.rows(), k = A.cols(), r = B.cols();
    if (r <= std::min(d, k)) return deltaSvd(B, A, s);
    // r > min(d, k): d·k < r·max(d, k), so ΔW is smaller than the larger factor.
    const MatrixD dw = s * (B.cast<double>() * A.cast<double>());
    Eigen::BDCSVD<MatrixD> svd(dw, Eigen::ComputeThinU | Eigen::ComputeThinV);
    DeltaSvd out;
    out.sigma = svd.singularValues();
    out.U = svd.matrixU().cast<float>();
    out.V = svd.matrixV().cast<float>();
    return out;
}

Index energyRank(const VectorD& sigma, double fraction) {
    require(fraction > 0.0 && fraction <= 1.0, "energyRank",
            "fraction = " + std::to_string(fraction) + "; allowed (0, 1]");
    const double total = sigma.squaredNorm();
    if (!(total > 0.0)) return 0;
    double kept = 0.0;
    for (Index i = 0; i < sigma.size(); ++i) {
        kept += sigma[i] * sigma[i];
        // The relative slack keeps a spectrum whose tail is rounding noise from asking for
        // every last value at fraction = 1.
        if (kept >= fraction * total * (1.0 - 1e-12)) return i + 1;
    }
    return sigma.size();
}

double truncationError(const VectorD& sigma, Index rank) {
    require(rank >= 0, "truncationError", "rank = " + std::to_string(rank) + "; must be >= 0");
    const double total = sigma.squaredNorm();
    if (!(total > 0.0) || rank >= sigma.size()) return 0.0;
    // The tail summed on its own, not total − head: near a perfect fit that is a difference of
    // nearly equal numbers.
    const double tail = sigma.tail(sigma.size() - rank).squaredNorm();
    return std::sqrt(tail / total);
}

TruncatedFactors truncateRank(const DeltaSvd& svd, Index rank, double newScale) {
    require(rank >= 1, "truncateRank", "rank = " + std::to_string(rank) + "; must be >= 1");
    require(std::isfinite(newScale) && newScale != 0.0, "truncateRank",
            "scale = " + std::to_string(newScale) + "; must be finite and non-zero");
    const Index m = svd.sigma.size();
    require(m >= 1 && svd.U.cols() == m && svd.V.cols() == m, "truncateRank",
            "the SVD has " + std::to_string(m) + " values, U " + std::to_string(svd.U.cols()) +
                " and V " + std::to_string(svd.V.cols()) + " columns; they must match and be >= 1");
    const Index kept = std::min(rank, m);
    const double sign = newScale > 0 ? 1.0 : -1.0;
    VectorD root(kept);
    for (Index i = 0; i < kept; ++i) root[i] = std::sqrt(std::max(svd.sigma[i], 0.0) / std::abs(newScale));
    TruncatedFactors out;
    out.B = (svd.U.leftCols(kept).cast<double>() * root.asDiagonal()).cast<float>();
    out.A = (sign * (root.asDiagonal() * svd.V.leftCols(kept).cast<double>().transpose())).cast<float>();
    out.relativeError = truncationError(svd.sigma, kept);
    return out;
}

}  // namespace loralab
