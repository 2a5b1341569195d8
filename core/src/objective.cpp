// L = ‖s·B·A − T‖²_F/(dk): the naive oracle (forms R, in double) and the Gram production path.
#include "loralab/objective.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace loralab {

namespace {

std::string shapeStr(const Matrix& m) {
    return std::to_string(m.rows()) + "x" + std::to_string(m.cols());
}

void checkFitShapes(const char* who, const Matrix& T, const Matrix& B, const Matrix& A,
                    double s) {
    require(T.rows() >= 1 && T.cols() >= 1, who, "T is " + shapeStr(T) + "; must be non-empty");
    require(B.cols() >= 1 && B.cols() == A.rows(), who,
            "B is " + shapeStr(B) + " and A is " + shapeStr(A) +
                "; need B d x r and A r x k with r >= 1");
    require(B.rows() == T.rows() && A.cols() == T.cols(), who,
            "B is " + shapeStr(B) + ", A is " + shapeStr(A) + ", T is " + shapeStr(T) +
                "; need B d x r, A r x k for T d x k");
    requireFinite(s, "s");
}

}  // namespace

// ---- naive reference ---------------------------------------------------------------------------
//   R = s·B·A − T (d×k, in double);  L = ‖R‖²/(dk);  dB = (2s/dk)·R·Aᵀ;  dA = (2s/dk)·Bᵀ·R

double lossNaive(const Matrix& T, const Matrix& B, const Matrix& A, double s) {
    checkFitShapes("lossNaive", T, B, A, s);
    const MatrixD R = s * (B.cast<double>() * A.cast<double>()) - T.cast<double>();
    return R.squaredNorm() / (static_cast<double>(T.rows()) * static_cast<double>(T.cols()));
}

double lossGradNaive(const Matrix& T, const Matrix& B, const Matrix& A, double s, Matrix& dB,
                     Matrix& dA) {
    checkFitShapes("lossGradNaive", T, B, A, s);
    const double dk = static_cast<double>(T.rows()) * static_cast<double>(T.cols());
    const MatrixD Bd = B.cast<double>(), Ad = A.cast<double>();
    const MatrixD R = s * (Bd * Ad) - T.cast<double>();
    dB = ((2.0 * s / dk) * (R * Ad.transpose())).cast<float>();
    dA = ((2.0 * s / dk) * (Bd.transpose() * R)).cast<float>();
    return R.squaredNorm() / dk;
}

// ---- Gram form ---------------------------------------------------------------------------------

void GramObjective::setTarget(const Matrix& T) {
    require(T.rows() >= 1 && T.cols() >= 1, "GramObjective::setTarget",
            "T is " + shapeStr(T) + "; must be non-empty");
    m_T = &T;
    m_normT2 = T.cast<double>().squaredNorm();
}

void GramObjective::checkShapes(const Matrix& B, const Matrix& A) const {
    // Runs on every evaluation: the messages are only built on failure (no allocation).
    if (m_T == nullptr) require(false, "GramObjective", "no target set; call setTarget first");
    const Matrix& T = *m_T;
    if (!(B.cols() >= 1 && B.cols() == A.rows() && B.rows() == T.rows() &&
          A.cols() == T.cols()))
        require(false, "GramObjective",
                "B is " + shapeStr(B) + ", A is " + shapeStr(A) + ", T is " + shapeStr(T) +
                    "; need B d x r, A r x k (r >= 1) for T d x k");
}

// Forward: the r×r Grams and the two thin products with T, then the loss in double.
//   AAt r×r   BtB r×r   TAt d×r   BtT r×k
// Backward (same products):
//   dB = (2s/dk)·(s·B·AAt − TAt)      dA = (2s/dk)·(s·BtB·A − BtT)
double GramObjective::evaluate(const Matrix& B, const Matrix& A, double s, Matrix& dB,
                               Matrix& dA) {
    checkShapes(B, A);
    if (!std::isfinite(s)) requireFinite(s, "s");
    const Matrix& T = *m_T;
    const Index d = T.rows(), k = T.cols(), r = A.rows();
    m_AAt.resize(r, r);
    m_BtB.resize(r, r);
    m_TAt.resize(d, r);
    m_BtT.resize(r, k);
    dB.resize(d, r);
    dA.resize(r, k);

    m_AAt.noalias() = A * A.transpose();
    m_BtB.noalias() = B.transpose() * B;
    m_TAt.noalias() = T * A.transpose();
    m_BtT.noalias() = B.transpose() * T;

    const double loss = gramLoss(A, s);
    const double dk = static_cast<double>(d) * static_cast<double>(k);

    const float c = static_cast<float>(2.0 * s / dk);
    const float sf = static_cast<float>(s);
    dB.noalias() = (c * sf) * (B * m_AAt);
    dB.noalias() -= c * m_TAt;
    dA.noalias() = (c * sf) * (m_BtB * A);
    dA.noalias() -= c * m_BtT;
    return loss < kExactBelow * m_normT2 / dk ? exactLoss(B, A, s) : loss;
}

double GramObjective::loss(const Matrix& B, const Matrix& A, double s) {
    checkShapes(B, A);
    if (!std::isfinite(s)) requireFinite(s, "s");
    const Matrix& T = *m_T;
    const Index k = T.cols(), r = A.rows();
    m_AAt.resize(r, r);
    m_BtB.resize(r, r);
    m_BtT.resize(r, k);
    m_AAt.noalias() = A * A.transpose();
    m_BtB.noalias() = B.transpose() * B;
    m_BtT.noalias() = B.transpose() * T;
    const double loss = gramLoss(A, s);
    const double dk = static_cast<double>(T.rows()) * static_cast<double>(k);
    return loss < kExactBelow * m_normT2 / dk ? exactLoss(B, A, s) : loss;
}

double GramObjective::gramLoss(const Matrix& A, double s) const {
    const double cross = m_BtT.cast<double>().cwiseProduct(A.cast<double>()).sum();
    const double gram = m_BtB.cast<double>().cwiseProduct(m_AAt.cast<double>()).sum();
    const double dk = static_cast<double>(m_T->rows()) * static_cast<double>(m_T->cols());
    return (m_normT2 - 2.0 * s * cross + s * s * gram) / dk;
}

// ‖s·B·A − T‖²/(dk) in double, kColumnBlock columns of the residual at a time.
double GramObjective::exactLoss(const Matrix& B, const Matrix& A, double s) {
    constexpr Index kColumnBlock = 32;
    const Matrix& T = *m_T;
    const Index d = T.rows(), k = T.cols();
    m_Bd = B.cast<double>();
    m_Ad = A.cast<double>();
    m_block.resize(d, std::min(kColumnBlock, k));
    double sum = 0.0;
    for (Index j0 = 0; j0 < k; j0 += kColumnBlock) {
        const Index w = std::min(kColumnBlock, k - j0);
        auto block = m_block.leftCols(w);
        block.noalias() = s * (m_Bd * m_Ad.middleCols(j0, w));
        block -= T.middleCols(j0, w).cast<double>();
        sum += block.squaredNorm();
    }
    return sum / (static_cast<double>(d) * static_cast<double>(k));
}

}  // namespace loralab
