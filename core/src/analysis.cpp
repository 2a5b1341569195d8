// Spectra of T and of ΔW, the Eckart–Young floor, numerical rank, subspace similarity.
#include "loralab/analysis.h"

#include <cmath>
#include <string>

namespace loralab {

double Spectrum::floor(Index rank) const {
    // Called on every recorded step: the messages are only built on failure.
    if (rank < 0)
        require(false, "Spectrum::floor", "rank = " + std::to_string(rank) + "; must be >= 0");
    if (floorMse.size() < 1)
        require(false, "Spectrum::floor", "empty spectrum (no target analyzed)");
    if (rank < floorMse.size()) return floorMse[rank];
    if (!complete)
        require(false, "Spectrum::floor",
                "rank = " + std::to_string(rank) + " is past the " + std::to_string(computed()) +
                    " singular values computed; extend the spectrum first");
    return 0.0;
}

namespace {

void requireTarget(const Matrix& T, const char* what) {
    require(T.rows() >= 1 && T.cols() >= 1, what,
            "T is " + std::to_string(T.rows()) + "x" + std::to_string(T.cols()) +
                "; must be non-empty");
    require(T.allFinite(), what, "T has non-finite entries");
}

// floorMse[r] = (tail + Σ_{r<i<=n} σᵢ²)/(dk): suffix sums in double, from the smallest term up.
VectorD suffixFloors(const VectorD& sigma, double tail, Index d, Index k) {
    const Index n = sigma.size();
    const double dk = static_cast<double>(d) * static_cast<double>(k);
    VectorD f(n + 1);
    f[n] = tail / dk;
    for (Index i = n - 1; i >= 0; --i) {
        tail += sigma[i] * sigma[i];
        f[i] = tail / dk;
    }
    return f;
}

Spectrum fromTopSvd(TopSvd&& t, Index d, Index k) {
    Spectrum sp;
    sp.d = d;
    sp.k = k;
    sp.sigma = std::move(t.sigma);
    sp.U = std::move(t.U);
    sp.V = std::move(t.V);
    sp.normSq = t.normSq;
    sp.complete = sp.sigma.size() == std::min(d, k);
    sp.restSq = sp.complete ? 0.0 : t.restSq;
    sp.floorMse = suffixFloors(sp.sigma, sp.restSq, d, k);
    return sp;
}

}  // namespace

Spectrum analyzeTarget(const Matrix& T, Index maxVectors) {
    requireTarget(T, "analyzeTarget");
    require(maxVectors >= 0, "analyzeTarget",
            "maxVectors = " + std::to_string(maxVectors) + "; must be >= 0");
    const Index d = T.rows(), k = T.cols(), m = std::min(d, k);
    const Index nv = std::min(m, maxVectors);
    const MatrixD Td = T.cast<double>();
    Eigen::BDCSVD<MatrixD> svd(Td, nv > 0 ? Eigen::ComputeThinU | Eigen::ComputeThinV : 0);

    Spectrum sp;
    sp.d = d;
    sp.k = k;
    sp.complete = true;
    sp.sigma = svd.singularValues();
    sp.floorMse = suffixFloors(sp.sigma, 0.0, d, k);  // exactly 0 at r = min(d, k)
    sp.normSq = sp.floorMse[0] * static_cast<double>(d) * static_cast<double>(k);
    if (nv > 0) {
        sp.U = svd.matrixU().leftCols(nv).cast<float>();
        sp.V = svd.matrixV().leftCols(nv).cast<float>();
    } else {
        sp.U.resize(d, 0);
        sp.V.resize(k, 0);
    }
    return sp;
}

SpectrumMethod spectrumMethodFor(Index d, Index k, Index values) {
    const Index m = std::min(d, k);
    return m <= kDenseSpectrumMaxDim || 4 * values >= m ? SpectrumMethod::Dense
                                                        : SpectrumMethod::Partial;
}

Spectrum topSpectrum(const Matrix& T, Index values, const SvdControl& control,
                     SpectrumMethod method) {
    requireTarget(T, "topSpectrum");
    const Index m = std::min(T.rows(), T.cols());
    require(values >= 1 && values <= m, "topSpectrum",
            "values = " + std::to_string(values) + "; allowed 1.." + std::to_string(m) +
                " (min(d, k))");
    if (method == SpectrumMethod::Auto) method = spectrumMethodFor(T.rows(), T.cols(), values);
    if (method == SpectrumMethod::Partial)
        return fromTopSvd(topSvd(T, values, control), T.rows(), T.cols());
    // One step with no pass to poll inside: checked before, reported after.
    if (control.cancelled && control.cancelled()) throw Cancelled();
    Spectrum sp = analyzeTarget(T, std::max<Index>(values, 64));
    if (control.progress) control.progress(1.0);
    return sp;
}

Spectrum extendSpectrum(const Spectrum& sp, const Matrix& T, Index values,
                        const SvdControl& control) {
    require(T.rows() == sp.d && T.cols() == sp.k, "extendSpectrum",
            "T is " + std::to_string(T.rows()) + "x" + std::to_string(T.cols()) +
                " but the spectrum is of a " + std::to_string(sp.d) + "x" + std::to_string(sp.k) +
                " matrix");
    if (sp.covers(values) && values <= sp.U.cols()) return sp;
    const Index m = std::min(T.rows(), T.cols());
    require(values >= 1 && values <= m, "extendSpectrum",
            "values = " + std::to_string(values) + "; allowed 1.." + std::to_string(m));
    if (spectrumMethodFor(T.rows(), T.cols(), values) == SpectrumMethod::Dense)
        return topSpectrum(T, values, control, SpectrumMethod::Dense);
    return fromTopSvd(topSvd(T, values, control, &sp.V), T.rows(), T.cols());
}

double spectrumMemoryBytes(Index d, Index k, Index values, int threads) {
    const double dd = static_cast<double>(d), kk = static_cast<double>(k);
    const double m = static_cast<double>(std::min(d, k));
    if (spectrumMethodFor(d, k, values) == SpectrumMethod::Dense)
        // T in double, the SVD's copy of it, U and V, and its m×m work matrices.
        return 8.0 * (2.0 * dd * kk + dd * m + kk * m + 3.0 * m * m);
    return topSvdMemoryBytes(d, k, values, threads);
}

// B = Q_B R_B, Aᵀ = Q_A R_A (thin, r columns);  ΔW = Q_B (s·R_B R_Aᵀ) Q_Aᵀ;
// core = U_c Σ V_cᵀ (r×r, divide and conquer: Jacobi is O(r³) per sweep and took 25 s at
// r = 512);  U = Q_B U_c,  V = Q_A V_c.
DeltaSvd deltaSvd(const Matrix& B, const Matrix& A, double s) {
    require(B.cols() >= 1 && B.cols() == A.rows(), "deltaSvd",
            "B is " + std::to_string(B.rows()) + "x" + std::to_string(B.cols()) + ", A is " +
                std::to_string(A.rows()) + "x" + std::to_string(A.cols()) +
                "; need B d x r and A r x k with r >= 1");
    requireShape(B.rows(), A.cols(), B.cols());
    requireFinite(s, "s");
    const Index d = B.rows(), k = A.cols(), r = B.cols();

    Eigen::HouseholderQR<MatrixD> qrB(B.cast<double>());
    Eigen::HouseholderQR<MatrixD> qrA(A.transpose().cast<double>());
    const MatrixD QB = qrB.householderQ() * MatrixD::Identity(d, r);
    const MatrixD QA = qrA.householderQ() * MatrixD::Identity(k, r);
    const MatrixD RB = qrB.matrixQR().topRows(r).triangularView<Eigen::Upper>();
    const MatrixD RA = qrA.matrixQR().topRows(r).triangularView<Eigen::Upper>();
    const MatrixD core = s * RB * RA.transpose();
    Eigen::BDCSVD<MatrixD> svd(core, Eigen::ComputeFullU | Eigen::ComputeFullV);

    DeltaSvd out;
    out.sigma = svd.singularValues();
    out.U = (QB * svd.matrixU()).cast<float>();
    out.V = (QA * svd.matrixV()).cast<float>();
    return out;
}

Index numericalRank(const VectorD& sigma, double relTol) {
    require(std::isfinite(relTol) && relTol >= 0.0, "numericalRank",
            "relTol = " + std::to_string(relTol) + "; must be finite and >= 0");
    if (sigma.size() == 0) return 0;
    const double top = sigma.cwiseAbs().maxCoeff();
    if (!(top > 0.0)) return 0;
    Index n = 0;
    for (Index i = 0; i < sigma.size(); ++i)
        if (std::abs(sigma[i]) > relTol * top) ++n;
    return n;
}

double subspaceSimilarity(const Matrix& U, Index i, const Matrix& V, Index j) {
    require(U.rows() == V.rows() && U.rows() >= 1, "subspaceSimilarity",
            "U has " + std::to_string(U.rows()) + " rows and V has " + std::to_string(V.rows()) +
                "; they must match and be >= 1");
    require(i >= 1 && i <= U.cols(), "subspaceSimilarity",
            "i = " + std::to_string(i) + "; allowed 1.." + std::to_string(U.cols()));
    require(j >= 1 && j <= V.cols(), "subspaceSimilarity",
            "j = " + std::to_string(j) + "; allowed 1.." + std::to_string(V.cols()));
    const MatrixD M = U.leftCols(i).cast<double>().transpose() * V.leftCols(j).cast<double>();
    return M.squaredNorm() / static_cast<double>(std::min(i, j));
}

}  // namespace loralab
