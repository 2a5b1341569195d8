// L = ‖s·B·A − T‖²_F/(dk): the naive oracle (forms R, in double) and the Gram production path.
#include "loralab/objective.h"

#include "small_products.h"
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

// The r-sized products of a thread's share for r = 1, 2 and 4, with the rank fixed at compile
// time. Eigen sends a product of dynamic size through its GEMM or GEMV kernels, whose fixed
// cost (blocking, packing) is 1-2 µs a call here, more than the arithmetic at these ranks:
// at 1024², r = 1 on 2 threads a thread's Grams and gradients took 5-6 thousand TSC cycles
// through Eigen's products and take 2.6-3.1 thousand in the loops below (the whole step, 71
// thousand). Column-major throughout: B's rows [i0, i0 + h) are R columns of h values d
// apart, A's columns [j0, j0 + w) are w·R contiguous values.
template <int R>
struct SmallRank {
    using Square = Eigen::Matrix<float, R, R>;
    using Wide = Eigen::Map<const Eigen::Matrix<float, R, Eigen::Dynamic>>;
    using WideOut = Eigen::Map<Eigen::Matrix<float, R, Eigen::Dynamic>>;

    // AAᵀ over w columns of A: a sum of w outer products, in two accumulators.
    static void gramOfColumns(const float* A, Index w, Matrix& out) {
        Square even = Square::Zero(), odd = Square::Zero();
        Index j = 0;
        for (; j + 1 < w; j += 2) {
            const Eigen::Map<const Eigen::Matrix<float, R, 1>> a(A + j * R), b(A + (j + 1) * R);
            even.noalias() += a * a.transpose();
            odd.noalias() += b * b.transpose();
        }
        if (j < w) {
            const Eigen::Map<const Eigen::Matrix<float, R, 1>> a(A + j * R);
            even.noalias() += a * a.transpose();
        }
        for (int q = 0; q < R; ++q)  // element by element: `out` has a dynamic size
            for (int p = 0; p < R; ++p) out(p, q) = even(p, q) + odd(p, q);
    }

    // BᵀB over h rows of B: R(R+1)/2 dot products of column pieces.
    static void gramOfRows(const Matrix& B, Index i0, Index h, Matrix& out) {
        for (int p = 0; p < R; ++p)
            for (int q = 0; q <= p; ++q)
                out(p, q) = out(q, p) = B.col(p).segment(i0, h).dot(B.col(q).segment(i0, h));
    }

    // dB[i0 .. i0 + h) = cs·B·AAt − c·TAt on those rows: R² column updates.
    static void gradB(const Matrix& B, const Matrix& AAt, const Matrix& TAt, float c, float cs,
                      Index i0, Index h, Matrix& dB) {
        for (int q = 0; q < R; ++q) {
            auto out = dB.col(q).segment(i0, h);
            out.noalias() = -c * TAt.col(q).segment(i0, h);
            for (int p = 0; p < R; ++p) out.noalias() += (cs * AAt(p, q)) * B.col(p).segment(i0, h);
        }
    }

    // dA[:, j0 .. j0 + w) = cs·BtB·A − c·BtT on those columns.
    static void gradA(const Matrix& A, const Matrix& BtB, const Matrix& BtT, float c, float cs,
                      Index j0, Index w, Matrix& dA) {
        const Square g = cs * BtB;
        WideOut out(dA.data() + j0 * R, R, w);
        out.noalias() = g.lazyProduct(Wide(A.data() + j0 * R, R, w));
        out.noalias() -= c * Wide(BtT.data() + j0 * R, R, w);
    }
};

// Calls f(SmallRank<R>{}) and returns true when r is one of the fixed ranks; else false.
template <class F>
bool withSmallRank(Index r, F&& f) {
    switch (r) {
        case 1: f(SmallRank<1>{}); return true;
        case 2: f(SmallRank<2>{}); return true;
        case 4: f(SmallRank<4>{}); return true;
        default: return false;
    }
}

// AAᵀ over A's columns [j0, j0 + w) into out (r×r): the fixed ranks above, the SIMD kernels
// (small_products.h) or Eigen's product, whichever this rank has.
void gramOfColumns(const Matrix& A, Index j0, Index w, Matrix& out) {
    const Index r = A.rows();
    const float* columns = A.data() + j0 * r;
    if (withSmallRank(r, [&](auto fixed) { fixed.gramOfColumns(columns, w, out); })) return;
    if (detail::simdSmallProducts(r)) {
        detail::gramOfColumns(columns, r, w, out.data());
        return;
    }
    const auto Ac = A.middleCols(j0, w);
    out.noalias() = Ac * Ac.transpose();
}

// BᵀB over B's rows [i0, i0 + h) into out (r×r), the same way.
void gramOfRows(const Matrix& B, Index i0, Index h, Matrix& out) {
    const Index r = B.cols();
    if (withSmallRank(r, [&](auto fixed) { fixed.gramOfRows(B, i0, h, out); })) return;
    if (detail::simdSmallProducts(r)) {
        detail::gramOfRows(B.data() + i0, B.rows(), h, r, out.data());
        return;
    }
    const auto Br = B.middleRows(i0, h);
    out.noalias() = Br.transpose() * Br;
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

// The Grams and gradients on the kernel's own team (ThinProducts::TeamWork): thread t owns
// BtT's columns `cols` (it made them in the pass over T) and TAt's rows `rows` (it summed
// them). Before the team's barrier it forms its partial Grams, A[:, cols]·A[:, cols]ᵀ and
// B[rows, :]ᵀ·B[rows, :], and its share of ⟨BᵀT, A⟩; after it, it sums the partials (every
// thread the same sums, in the same order) and writes dB's rows and dA's columns it owns.
// No second fork, and neither gradient is carried from one core to the other.
class GramObjective::GradientWork final : public ThinProducts::TeamWork {
public:
    // dB and dA null: the loss-only pass (ThinProducts then calls partial() alone).
    GradientWork(GramObjective& o, const Matrix& B, const Matrix& A, float c, float cs,
                 Matrix* dB, Matrix* dA)
        : m_o(o), m_B(B), m_A(A), m_c(c), m_cs(cs), m_dB(dB), m_dA(dA) {}

    void partial(int t, int n, Range cols, Range rows) override {
        ThreadGrams& g = m_o.m_team[static_cast<std::size_t>(t)];
        const Index r = m_A.rows(), w = cols.second - cols.first, h = rows.second - rows.first;
        if (t == 0) m_o.m_teamUsed = n;
        if (w > 0) {
            gramOfColumns(m_A, cols.first, w, g.AAt);
            g.cross = dotDouble(m_o.m_BtT.data() + cols.first * r, m_A.data() + cols.first * r,
                                r * w);
        } else {
            g.AAt.setZero();
            g.cross = 0.0;
        }
        if (h > 0) {
            gramOfRows(m_B, rows.first, h, g.BtB);
        } else {
            g.BtB.setZero();
        }
    }

    // Its products may fork: the largest has r²·max(d, k) multiply-adds at most (each
    // thread's share less).
    bool onOpenMpTeam() const override { return gramWork(m_B, m_A) >= kEigenForkWork; }

    void finish(int t, int n, Range cols, Range rows) override {
        Matrix& AAt = t == 0 ? m_o.m_AAt : m_o.m_team[static_cast<std::size_t>(t)].AAtSum;
        Matrix& BtB = t == 0 ? m_o.m_BtB : m_o.m_team[static_cast<std::size_t>(t)].BtBSum;
        m_o.sumTeamGrams(n, AAt, BtB);
        const Index w = cols.second - cols.first, h = rows.second - rows.first;
        const bool fixedRank = withSmallRank(m_A.rows(), [&](auto fixed) {
            if (h > 0 && m_dB != nullptr)
                fixed.gradB(m_B, AAt, m_o.m_TAt, m_c, m_cs, rows.first, h, *m_dB);
            if (w > 0 && m_dA != nullptr)
                fixed.gradA(m_A, BtB, m_o.m_BtT, m_c, m_cs, cols.first, w, *m_dA);
        });
        if (fixedRank) return;
        if (h > 0 && m_dB != nullptr) {
            auto dB = m_dB->middleRows(rows.first, h);
            dB.noalias() = m_cs * (m_B.middleRows(rows.first, h) * AAt);
            dB.noalias() -= m_c * m_o.m_TAt.middleRows(rows.first, h);
        }
        if (w > 0 && m_dA != nullptr) {
            const Index r = m_A.rows(), at = cols.first * r;
            if (detail::simdSmallProducts(r)) {
                detail::gradientOfColumns(BtB.data(), m_A.data() + at, m_o.m_BtT.data() + at, r,
                                          w, m_c, m_cs, m_dA->data() + at);
            } else {
                auto dA = m_dA->middleCols(cols.first, w);
                dA.noalias() = m_cs * (BtB * m_A.middleCols(cols.first, w));
                dA.noalias() -= m_c * m_o.m_BtT.middleCols(cols.first, w);
            }
        }
    }

private:
    GramObjective& m_o;
    const Matrix& m_B;
    const Matrix& m_A;
    const float m_c, m_cs;
    Matrix* m_dB;
    Matrix* m_dA;
};

// The Gram halves get a team of their own only when the pass over T runs on one thread but the
// Grams are large (r close to d): this also keeps Eigen from forking (and allocating) inside
// them. Everywhere else they run on the kernel's team (GradientWork).
bool GramObjective::gramsOnOwnTeam(int threads, const Matrix& B, const Matrix& A) {
    return threads == 1 && Eigen::nbThreads() > 1 && gramWork(B, A) >= kGramTeamWork;
}

// The team's partial Grams and cross terms, summed in thread order (the same sums wherever
// they are made, so evaluate() and loss() agree to the bit).
void GramObjective::sumTeamGrams(int n, Matrix& AAt, Matrix& BtB) const {
    AAt = m_team[0].AAt;
    BtB = m_team[0].BtB;
    for (int u = 1; u < n; ++u) {
        AAt += m_team[static_cast<std::size_t>(u)].AAt;
        BtB += m_team[static_cast<std::size_t>(u)].BtB;
    }
}

double GramObjective::teamCross() const {
    double cross = 0.0;
    for (int t = 0; t < m_teamUsed; ++t) cross += m_team[static_cast<std::size_t>(t)].cross;
    return cross;
}

void GramObjective::prepareTeam(int threads, Index r) {
    if (m_team.size() < static_cast<std::size_t>(threads)) m_team.resize(threads);
    for (int t = 0; t < threads; ++t) {
        ThreadGrams& g = m_team[static_cast<std::size_t>(t)];
        g.AAt.resize(r, r);
        g.BtB.resize(r, r);
        g.AAtSum.resize(r, r);
        g.BtBSum.resize(r, r);
    }
}

// Forward: the two thin products with T and the r×r Grams, then the loss in double.
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
    const double dk = static_cast<double>(d) * static_cast<double>(k);
    const int threads = teamSize(d, k, r);

    if (gramsOnOwnTeam(threads, B, A)) {
        m_thin.compute(T, B, A, m_TAt, m_BtT, true, 1);
        gramsAndGradients(B, A, s, &dB, &dA);
    } else {
        prepareTeam(threads, r);
        GradientWork work(*this, B, A, static_cast<float>(2.0 * s / dk),
                          static_cast<float>(2.0 * s * s / dk), &dB, &dA);
        m_thin.compute(T, B, A, m_TAt, m_BtT, true, threads, ThinProducts::Kernel::Best, &work);
        m_cross = teamCross();  // the Grams: thread 0 summed them into m_AAt, m_BtB
    }
    const double loss = gramLoss(s);
    return loss < kExactBelow * m_normT2 / dk ? exactLoss(B, A, s) : loss;
}

double GramObjective::loss(const Matrix& B, const Matrix& A, double s) {
    // The same partitions and sums as evaluate(), so both give the same loss to the bit.
    checkShapes(B, A);
    if (!std::isfinite(s)) requireFinite(s, "s");
    const Matrix& T = *m_T;
    const Index d = T.rows(), k = T.cols(), r = A.rows();
    m_AAt.resize(r, r);
    m_BtB.resize(r, r);
    m_BtT.resize(r, k);
    const int threads = teamSize(d, k, r);
    if (gramsOnOwnTeam(threads, B, A)) {
        m_thin.compute(T, B, A, m_TAt, m_BtT, false, 1);
        gramsAndGradients(B, A, s, nullptr, nullptr);
    } else {
        prepareTeam(threads, r);
        GradientWork work(*this, B, A, 0.0f, 0.0f, nullptr, nullptr);
        m_thin.compute(T, B, A, m_TAt, m_BtT, false, threads, ThinProducts::Kernel::Best, &work);
        sumTeamGrams(m_teamUsed, m_AAt, m_BtB);
        m_cross = teamCross();
    }
    const double loss = gramLoss(s);
    const double dk = static_cast<double>(d) * static_cast<double>(k);
    return loss < kExactBelow * m_normT2 / dk ? exactLoss(B, A, s) : loss;
}

// Threads for one evaluation: one below kSpinParallelWork multiply-adds, or kParallelWork when
// the kernel runs on an OpenMP team (a region costs more than it saves there), else Eigen's
// thread count, at most one per 32 columns.
int GramObjective::teamSize(Index d, Index k, Index r) {
    const double work = static_cast<double>(d) * static_cast<double>(k) * static_cast<double>(r);
    const double elements = static_cast<double>(d) * static_cast<double>(k);
    const bool spinning = gramWork(d, k, r) < kEigenForkWork;  // see GradientWork
    const double from = spinning ? kSpinParallelWork : kParallelWork;
    if (work < from && elements < kParallelTargetElements) return 1;
    const Index colBlocks = (k + kTileCols - 1) / kTileCols;
    return static_cast<int>(std::max<Index>(1, std::min<Index>(Eigen::nbThreads(), colBlocks)));
}

// The r×r Grams AAᵀ, BᵀB and, when asked, the gradients from them and the thin products:
//   dB = (2s/dk)·(s·B·AAt − TAt)      dA = (2s/dk)·(s·BtB·A − BtT)
// The two halves are independent and run side by side in a two-thread team from
// kGramTeamWork on (below that the fork costs more than it saves). This is also what keeps
// Eigen from forking (and allocating) inside them, which it would from kEigenForkWork on.
double GramObjective::gramWork(Index d, Index k, Index r) {
    const double rd = static_cast<double>(r);
    return rd * rd * static_cast<double>(std::max(d, k));
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

// ‖s·B·A − T‖²/(dk) from the residual itself, each entry in float and the squares summed in
// double: an entry's error is a few float roundings of s·|B|·|A| there, so near an exact fit
// (where the Gram form's difference of large numbers is noise of ~1e-7·‖T‖²/(dk)) the loss is
// resolved to ~1e-13·‖T‖²/(dk), about where float factors stop improving anyway. Threads split
// T's columns in blocks of kTileCols. With SIMD, one kernel walks a thread's columns against B
// packed by rows (small_products.h); else Eigen's product makes a tile of the residual at a
// time, each thread in a tile workspace of its own. The blocks depend on r alone, and the loss
// does not depend on which team summed it. A teacher's fit of a rank-4 target at 256², r = 16
// settles where Adam's steps hover (loss ~7e-6·‖T‖²/(dk)) and stays on this path: trainer
// steps there, two threads, alternating runs, 72-98 µs against 126-184 with the residual in
// double through Eigen's GEMM (the ordinary step 48-75 µs in the same minutes).
Index GramObjective::exactTileRows(Index r) {
    const Index fits = static_cast<Index>(kEigenForkWork - 1) / (kTileCols * r);
    return std::clamp<Index>(fits, 16, kTileRows);
}

double GramObjective::exactLoss(const Matrix& B, const Matrix& A, double s) {
    const Matrix& T = *m_T;
    const Index d = T.rows(), k = T.cols(), r = A.rows();
    const Index colBlocks = (k + kTileCols - 1) / kTileCols;
    const int threads = teamSize(d, k, r);
    const float sf = static_cast<float>(s);
    m_blockSums.assign(static_cast<std::size_t>(threads), 0.0);  // no allocation once sized
    auto columnsOf = [&](int t, int n) {
        const auto [jb0, jb1] = detail::share(colBlocks, t, n, 1);
        return std::pair<Index, Index>{std::min(k, jb0 * kTileCols),
                                       std::min(k, jb1 * kTileCols)};
    };
    if (detail::simdResidual()) {
        m_packedB.resize(static_cast<std::size_t>(detail::packedRowsSize(d, r)));
        detail::packRows(B.data(), d, d, r, m_packedB.data());
        auto body = [&](int t, int n) {
            const auto [j0, j1] = columnsOf(t, n);
            m_blockSums[t] = detail::residualSquares(m_packedB.data(), d, r, A.data() + j0 * r,
                                                     T.data() + j0 * d, d, j1 - j0, sf);
        };
        // The kernel starts no threads: the spinning team when it is awake.
        if (detail::SpinTeam::instance().awake()) detail::onSpinTeam(threads, body);
        else detail::onTeam(threads, body);
    } else {
        const Index tileRows = exactTileRows(r);
        if (static_cast<int>(m_blocks.size()) < threads) m_blocks.resize(threads);
        for (int t = 0; t < threads; ++t)
            m_blocks[t].resize(std::min(tileRows, d), std::min(kTileCols, k));
        auto body = [&](int t, int n) {
            Matrix& work = m_blocks[t];
            const auto [j0, j1] = columnsOf(t, n);
            double part = 0.0;
            for (Index j = j0; j < j1; j += kTileCols) {
                const Index w = std::min(kTileCols, j1 - j);
                for (Index i0 = 0; i0 < d; i0 += tileRows) {
                    const Index h = std::min(tileRows, d - i0);
                    auto block = work.topLeftCorner(h, w);
                    block.noalias() = sf * (B.middleRows(i0, h) * A.middleCols(j, w));
                    block -= T.block(i0, j, h, w);
                    part += block.cast<double>().squaredNorm();
                }
            }
            m_blockSums[t] = part;
        };
        // A tile's product has tileRows·kTileCols·r multiply-adds, below kEigenForkWork
        // wherever the pass over T could run on the spinning team (r ≤ 46 there).
        const bool forkFree = static_cast<double>(tileRows * kTileCols * r) < kEigenForkWork;
        if (forkFree && detail::SpinTeam::instance().awake()) detail::onSpinTeam(threads, body);
        else detail::onTeam(threads, body);
    }
    double sum = 0.0;
    for (const double part : m_blockSums) sum += part;
    return sum / (static_cast<double>(d) * static_cast<double>(k));
}

}  // namespace loralab
