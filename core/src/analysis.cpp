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
    if (rank >= floorMse.size()) return 0.0;
    return floorMse[rank];
}

Spectrum analyzeTarget(const Matrix& T, Index maxVectors) {
    require(T.rows() >= 1 && T.cols() >= 1, "analyzeTarget",
            "T is " + std::to_string(T.rows()) + "x" + std::to_string(T.cols()) +
                "; must be non-empty");
    require(maxVectors >= 0, "analyzeTarget",
            "maxVectors = " + std::to_string(maxVectors) + "; must be >= 0");
    require(T.allFinite(), "analyzeTarget", "T has non-finite entries");
    const Index d = T.rows(), k = T.cols(), m = std::min(d, k);
    const Index nv = std::min(m, maxVectors);
    const MatrixD Td = T.cast<double>();
    Eigen::BDCSVD<MatrixD> svd(Td, nv > 0 ? Eigen::ComputeThinU : 0);

    Spectrum sp;
    sp.d = d;
    sp.k = k;
    sp.sigma = svd.singularValues();
    // floorMse[r] = Σ_{i>r} σᵢ²/(dk): suffix sums in double, exactly 0 at r = m.
    const double dk = static_cast<double>(d) * static_cast<double>(k);
    sp.floorMse.resize(m + 1);
    double tail = 0.0;
    sp.floorMse[m] = 0.0;
    for (Index i = m - 1; i >= 0; --i) {
        tail += sp.sigma[i] * sp.sigma[i];
        sp.floorMse[i] = tail / dk;
    }
    if (nv > 0) sp.U = svd.matrixU().leftCols(nv).cast<float>();
    else sp.U.resize(d, 0);
    return sp;
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
