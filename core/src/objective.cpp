// L = ‖s·B·A − T‖²_F/(dk): the naive oracle (forms R, in double) and the Gram production path.
#include "loralab/objective.h"

#include "team.h"

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

// Σ a[i]·b[i] over n floats, products and sum in double (vectorized: the loss's cross term
// has r·k terms, 2^20 at d = k = 4096, r = 64).
double dotDouble(const float* a, const float* b, Index n) {
    double sum = 0.0;
#if defined(_OPENMP)
#pragma omp simd reduction(+ : sum)
#endif
    for (Index i = 0; i < n; ++i) sum += static_cast<double>(a[i]) * static_cast<double>(b[i]);
    return sum;
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

    m_thin.compute(T, B, A, m_TAt, m_BtT, true, teamSize(d, k, r));
    const double dk = static_cast<double>(d) * static_cast<double>(k);
    gramsAndGradients(B, A, s, &dB, &dA);
    const double loss = gramLoss(s);
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
    m_thin.compute(T, B, A, m_TAt, m_BtT, false, teamSize(T.rows(), k, r));
    gramsAndGradients(B, A, s, nullptr, nullptr);
    const double loss = gramLoss(s);
    const double dk = static_cast<double>(T.rows()) * static_cast<double>(k);
    return loss < kExactBelow * m_normT2 / dk ? exactLoss(B, A, s) : loss;
}

// Threads for one evaluation: one below kParallelWork multiply-adds (a fork costs more than it
// saves there), else Eigen's thread count, at most one per 32 columns.
int GramObjective::teamSize(Index d, Index k, Index r) {
    const double work = static_cast<double>(d) * static_cast<double>(k) * static_cast<double>(r);
    if (work < kParallelWork) return 1;
    const Index colBlocks = (k + kTileCols - 1) / kTileCols;
    return static_cast<int>(std::max<Index>(1, std::min<Index>(Eigen::nbThreads(), colBlocks)));
}

// The r×r Grams AAᵀ, BᵀB and, when asked, the gradients from them and the thin products:
//   dB = (2s/dk)·(s·B·AAt − TAt)      dA = (2s/dk)·(s·BtB·A − BtT)
// The two halves are independent and run side by side in a two-thread team from
// kGramTeamWork on (below that the fork costs more than it saves). This is also what keeps
// Eigen from forking (and allocating) inside them, which it would from kEigenForkWork on.
double GramObjective::gramWork(const Matrix& B, const Matrix& A) {
    const double r = static_cast<double>(A.rows());
    return r * r * static_cast<double>(std::max(B.rows(), A.cols()));
}

void GramObjective::gramsAndGradients(const Matrix& B, const Matrix& A, double s, Matrix* dB,
                                      Matrix* dA) {
    const double dk = static_cast<double>(m_T->rows()) * static_cast<double>(m_T->cols());
    const float c = static_cast<float>(2.0 * s / dk);
    const float cs = static_cast<float>(2.0 * s * s / dk);
    // Fixed roles (not `sections`, which hand out work first come, first served): thread 0
    // makes dB and thread 1 makes dA, the threads Optimizer::updatePair updates B and A on.
    const bool team = Eigen::nbThreads() > 1 && gramWork(B, A) >= kGramTeamWork;
    detail::onTeam(team ? 2 : 1, [&](int t, int n) {
        if (t == 0) {
            m_AAt.noalias() = A * A.transpose();
            if (dB != nullptr) {
                dB->noalias() = cs * (B * m_AAt);
                dB->noalias() -= c * m_TAt;
            }
        }
        if (t == 1 || n == 1) {
            m_BtB.noalias() = B.transpose() * B;
            if (dA != nullptr) {
                dA->noalias() = cs * (m_BtB * A);
                dA->noalias() -= c * m_BtT;
            }
            m_cross = dotDouble(m_BtT.data(), A.data(), A.size());  // ⟨BᵀT, A⟩ = ⟨T, B·A⟩
        }
    });
}

double GramObjective::gramLoss(double s) const {
    // ‖B·A‖² = ⟨BᵀB, AAᵀ⟩ (both r×r, same layout).
    const double gram = dotDouble(m_BtB.data(), m_AAt.data(), m_AAt.size());
    const double dk = static_cast<double>(m_T->rows()) * static_cast<double>(m_T->cols());
    return (m_normT2 - 2.0 * s * m_cross + s * s * gram) / dk;
}

// ‖s·B·A − T‖²/(dk) in double, one tile of the residual at a time (threads split the tile
// columns, each with its own tile workspace).
double GramObjective::exactLoss(const Matrix& B, const Matrix& A, double s) {
    const Matrix& T = *m_T;
    const Index d = T.rows(), k = T.cols();
    const Index colBlocks = (k + kTileCols - 1) / kTileCols;
    const int threads = teamSize(d, k, A.rows());
    m_Bd = B.cast<double>();
    m_Ad = A.cast<double>();
    if (static_cast<int>(m_blocks.size()) < threads) m_blocks.resize(threads);
    for (int t = 0; t < threads; ++t)
        m_blocks[t].resize(std::min(kTileRows, d), std::min(kTileCols, k));
    m_blockSums.assign(static_cast<std::size_t>(threads), 0.0);  // no allocation once sized
    detail::onTeam(threads, [&](int t, int n) {
        MatrixD& work = m_blocks[t];
        const auto [jb0, jb1] = detail::share(colBlocks, t, n, 1);
        double part = 0.0;
        for (Index jb = jb0; jb < jb1; ++jb) {
            const Index j0 = jb * kTileCols, w = std::min(kTileCols, k - j0);
            for (Index i0 = 0; i0 < d; i0 += kTileRows) {
                const Index h = std::min(kTileRows, d - i0);
                auto block = work.topLeftCorner(h, w);
                block.noalias() = s * (m_Bd.middleRows(i0, h) * m_Ad.middleCols(j0, w));
                block -= T.block(i0, j0, h, w).cast<double>();
                part += block.squaredNorm();
            }
        }
        m_blockSums[t] = part;
    });
    double sum = 0.0;
    for (const double part : m_blockSums) sum += part;
    return sum / (static_cast<double>(d) * static_cast<double>(k));
}

}  // namespace loralab
