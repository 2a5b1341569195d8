// L = ‖s·B·A − T‖²_F/(dk): the naive oracle (forms R, in double) and the Gram production path.
//
//   checkFitShapes, lossNaive, lossGradNaive     the oracle
//   GramObjective::Work                          workspaces, team size, the team's work
//   GramObjective::evaluate                      the pass, the Grams, the loss
//   exactLoss                                    the loss from the residual, near an exact fit
#include "loralab/objective.h"

#include "loralab/format.h"
#include "kernels.h"
#include "page_buffer.h"
#include "team.h"
#include "thin_products.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace loralab {

namespace {

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

// Steps below this many multiply-adds (d·k·r) run on one thread: a team's region, and moving
// the gradients a thread made to the other core, cost more than they save.
constexpr double kSpinParallelWork = 1 << 20;  // on the spinning team (no system call)
constexpr double kParallelWork = 1 << 21;      // on OpenMP's (a fork and join, futex calls)
// ... unless T alone no longer fits in one core's L2 (4 MiB): two caches and two streams win.
constexpr double kParallelTargetElements = 1 << 20;
// From r²·max(d, k) = 1e5 on, a step runs on OpenMP's team, below on the spinning one: the
// optimizer's update and the layer's products of the same size fork OpenMP threads, whose
// workers spin after each region and would share the cores with spinners.
constexpr double kOpenMpWork = 100000;
constexpr Index kExactTileCols = 32;  // exactLoss: columns per block (and per share grain)

double gramWork(Index d, Index k, Index r) {
    const double rd = static_cast<double>(r);
    return rd * rd * static_cast<double>(std::max(d, k));
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

// The workspaces, and the Grams and gradients as the pass's TeamWork: thread t owns BtT's
// columns `cols` (it made them in the pass over T) and TAt's rows `rows` (it summed them).
// Before the team's barrier it forms its partial Grams, A[:, cols]·A[:, cols]ᵀ and
// B[rows, :]ᵀ·B[rows, :], and its share of ⟨BᵀT, A⟩; after it, it sums the partials (every
// thread the same sums in the same order) and writes the dB rows and dA columns it owns. No
// second fork, and neither gradient moves from one core to the other.
struct GramObjective::Work final : ThinProducts::TeamWork {
    struct PerThread {
        Matrix AAt, BtB;          // r×r partials over the thread's columns of A and rows of B
        Matrix AAtSum, BtBSum;    // the whole Grams as this thread summed them
        double cross = 0.0;       // ⟨BᵀT, A⟩ over the thread's columns
        PageFloats packedRows;    // its rows of B packed for dB
    };
    ThinProducts thin;
    Matrix TAt, BtT;               // d×r, r×k
    std::vector<PerThread> team;
    int used = 1;                  // threads of the last pass
    PageFloats packedB;            // exactLoss: B packed by rows
    std::vector<double> blockSums;  // exactLoss: one per thread

    // This evaluation's inputs.
    const detail::KernelTable* kt = nullptr;
    const Matrix* B = nullptr;
    const Matrix* A = nullptr;
    float c = 0.0f, cs = 0.0f;     // 2s/dk and 2s²/dk
    Matrix* dB = nullptr;
    Matrix* dA = nullptr;
    bool openMp = false;

    void prepare(int threads, Index d, Index r) {
        if (team.size() < static_cast<std::size_t>(threads)) team.resize(threads);
        const auto packed = static_cast<std::size_t>(detail::packedSize(*kt, d, r));
        for (int t = 0; t < threads; ++t) {
            PerThread& g = team[static_cast<std::size_t>(t)];
            g.AAt.resize(r, r);
            g.BtB.resize(r, r);
            g.AAtSum.resize(r, r);
            g.BtBSum.resize(r, r);
            if (dB != nullptr) g.packedRows.resize(packed);
        }
    }

    void partial(int t, int n, Range cols, Range rows) override {
        PerThread& g = team[static_cast<std::size_t>(t)];
        const Index r = A->rows(), w = cols.second - cols.first, h = rows.second - rows.first;
        if (t == 0) used = n;
        const float* a = A->data() + cols.first * r;
        if (w > 0) kt->gramOfColumns(a, r, w, g.AAt.data());
        else g.AAt.setZero();
        g.cross = w > 0 ? kt->dotDouble(BtT.data() + cols.first * r, a, r * w) : 0.0;
        if (h > 0) kt->gramOfRows(B->data() + rows.first, B->rows(), h, r, g.BtB.data());
        else g.BtB.setZero();
    }

    bool onOpenMpTeam() const override { return openMp; }

    void finish(int t, int n, Range cols, Range rows) override {
        PerThread& g = team[static_cast<std::size_t>(t)];
        sumGrams(n, g.AAtSum, g.BtBSum);
        gradients(g, g.AAtSum, g.BtBSum, cols, rows);
    }

    // The team's partial Grams summed in thread order (the same sums wherever they are made).
    void sumGrams(int n, Matrix& AAt, Matrix& BtB) const {
        AAt = team[0].AAt;
        BtB = team[0].BtB;
        for (int u = 1; u < n; ++u) {
            AAt += team[static_cast<std::size_t>(u)].AAt;
            BtB += team[static_cast<std::size_t>(u)].BtB;
        }
    }

    //   dB[rows] = c·(s·B[rows]·AAt − TAt[rows])      dA[:, cols] = c·(s·BtB·A[:, cols] − BtT[:, cols])
    void gradients(PerThread& g, const Matrix& AAt, const Matrix& BtB, Range cols, Range rows) {
        const Index d = B->rows(), r = A->rows();
        const Index w = cols.second - cols.first, h = rows.second - rows.first;
        if (h > 0 && dB != nullptr) {
            kt->packRows(B->data() + rows.first, d, h, r, g.packedRows.data());
            kt->gradientOfRows(g.packedRows.data(), AAt.data(), TAt.data() + rows.first, d, h, r,
                               c, cs, dB->data() + rows.first, d);
        }
        if (w > 0 && dA != nullptr) {
            const Index at = cols.first * r;
            kt->gradientOfColumns(BtB.data(), A->data() + at, BtT.data() + at, r, w, c, cs,
                                  dA->data() + at);
        }
    }

    double cross() const {
        double sum = 0.0;
        for (int t = 0; t < used; ++t) sum += team[static_cast<std::size_t>(t)].cross;
        return sum;
    }
};

GramObjective::GramObjective() : m_work(std::make_unique<Work>()) {}

GramObjective::GramObjective(const Matrix& T, int threads) : GramObjective() {
    setTarget(T);
    setThreads(threads);
}

GramObjective::GramObjective(const GramObjective& o)
    : m_T(o.m_T), m_normT2(o.m_normT2), m_threads(o.m_threads), m_work(std::make_unique<Work>()) {}

GramObjective& GramObjective::operator=(const GramObjective& o) {
    if (this != &o) {
        m_T = o.m_T;
        m_normT2 = o.m_normT2;
        m_threads = o.m_threads;
        m_work = std::make_unique<Work>();
    }
    return *this;
}

GramObjective::GramObjective(GramObjective&&) noexcept = default;
GramObjective& GramObjective::operator=(GramObjective&&) noexcept = default;
GramObjective::~GramObjective() = default;

void GramObjective::setTarget(const Matrix& T) {
    require(T.rows() >= 1 && T.cols() >= 1, "GramObjective::setTarget",
            "T is " + shapeStr(T) + "; must be non-empty");
    m_T = &T;
    m_normT2 = T.cast<double>().squaredNorm();
}

void GramObjective::setThreads(int threads) { m_threads = resolveThreads(threads); }

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

namespace {

// Threads for one evaluation (see the constants above), at most one per 32 columns.
int teamSize(Index d, Index k, Index r, int threads) {
    const double work = static_cast<double>(d) * static_cast<double>(k) * static_cast<double>(r);
    const double elements = static_cast<double>(d) * static_cast<double>(k);
    const double from = gramWork(d, k, r) < kOpenMpWork ? kSpinParallelWork : kParallelWork;
    if (work < from && elements < kParallelTargetElements) return 1;
    const Index colBlocks = (k + kExactTileCols - 1) / kExactTileCols;
    return static_cast<int>(std::max<Index>(1, std::min<Index>(threads, colBlocks)));
}

// ‖s·B·A − T‖²/(dk) from the residual itself, each entry in float and the blocks' squares
// summed in double: resolved to ~1e-13·‖T‖²/(dk), about where float factors stop improving.
// Threads split T's columns in blocks of kExactTileCols; the blocks depend on r alone, so the
// loss does not depend on which team summed it.
double exactLoss(const detail::KernelTable& kt, const Matrix& T, const Matrix& B,
                 const Matrix& A, double s, int threads, PageFloats& packedB,
                 std::vector<double>& sums) {
    const Index d = T.rows(), k = T.cols(), r = A.rows();
    const Index colBlocks = (k + kExactTileCols - 1) / kExactTileCols;
    const float sf = static_cast<float>(s);
    sums.assign(static_cast<std::size_t>(threads), 0.0);  // no allocation once sized
    packedB.resize(static_cast<std::size_t>(detail::packedSize(kt, d, r)));
    kt.packRows(B.data(), d, d, r, packedB.data());
    auto body = [&](int t, int n) {
        const auto [jb0, jb1] = detail::share(colBlocks, t, n, 1);
        const Index j0 = std::min(k, jb0 * kExactTileCols), j1 = std::min(k, jb1 * kExactTileCols);
        sums[t] = kt.residualSquares(packedB.data(), d, r, A.data() + j0 * r, T.data() + j0 * d,
                                     d, j1 - j0, sf);
    };
    // The kernel starts no threads: the spinning team when it is awake.
    if (detail::SpinTeam::instance().awake()) detail::onSpinTeam(threads, body);
    else detail::onTeam(threads, body);
    double sum = 0.0;
    for (const double part : sums) sum += part;
    return sum / (static_cast<double>(d) * static_cast<double>(k));
}

}  // namespace

// Forward: the two thin products with T and the r×r Grams, then the loss in double.
//   AAt r×r   BtB r×r   TAt d×r   BtT r×k
// Backward (same products):
//   dB = (2s/dk)·(s·B·AAt − TAt)      dA = (2s/dk)·(s·BtB·A − BtT)
double GramObjective::evaluate(const Matrix& B, const Matrix& A, double s, Matrix* dB,
                               Matrix* dA) {
    checkShapes(B, A);
    if (!std::isfinite(s)) requireFinite(s, "s");
    if ((dB == nullptr) != (dA == nullptr))
        require(false, "GramObjective::evaluate", "give both gradients or neither");
    const Matrix& T = *m_T;
    const Index d = T.rows(), k = T.cols(), r = A.rows();
    const double dk = static_cast<double>(d) * static_cast<double>(k);
    Work& w = *m_work;
    w.kt = &detail::kernels();
    w.B = &B;
    w.A = &A;
    w.c = static_cast<float>(2.0 * s / dk);
    w.cs = static_cast<float>(2.0 * s * s / dk);
    w.dB = dB;
    w.dA = dA;
    w.openMp = gramWork(d, k, r) >= kOpenMpWork;
    w.BtT.resize(r, k);
    if (dB != nullptr) {
        w.TAt.resize(d, r);
        dB->resize(d, r);
        dA->resize(r, k);
    }
    const int threads = teamSize(d, k, r, m_threads);
    if (threads == 1 && m_threads > 1 && w.openMp) {
        // The pass on one thread, but Grams large enough to share: the two halves side by side
        // (thread 0 makes AAᵀ and dB, thread 1 BᵀB and dA, the threads that update B and A).
        w.prepare(2, d, r);
        w.thin.compute(T, B, A, w.TAt, w.BtT, dB != nullptr, 1);
        Work::PerThread& g0 = w.team[0];
        Work::PerThread& g1 = w.team[1];
        detail::onTeam(2, [&](int t, int n) {
            if (t == 0) {
                w.kt->gramOfColumns(A.data(), r, k, g0.AAtSum.data());
                w.gradients(g0, g0.AAtSum, g0.AAtSum, {0, 0}, {0, d});
            }
            if (t == 1 || n == 1) {
                w.kt->gramOfRows(B.data(), d, d, r, g0.BtBSum.data());
                w.gradients(g1, g0.AAtSum, g0.BtBSum, {0, k}, {0, 0});
                g0.cross = w.kt->dotDouble(w.BtT.data(), A.data(), r * k);
            }
        });
        w.used = 1;
    } else {
        w.prepare(threads, d, r);
        w.thin.compute(T, B, A, w.TAt, w.BtT, dB != nullptr, threads, ThinProducts::Kernel::Best,
                       &w);
        if (dB == nullptr) w.sumGrams(w.used, w.team[0].AAtSum, w.team[0].BtBSum);
    }
    // ‖B·A‖² = ⟨BᵀB, AAᵀ⟩ (both r×r, same layout); thread 0's sums are the Grams.
    const Work::PerThread& g = w.team[0];
    const double gram = w.kt->dotDouble(g.BtBSum.data(), g.AAtSum.data(), r * r);
    const double loss = (m_normT2 - 2.0 * s * w.cross() + s * s * gram) / dk;
    if (loss >= kExactBelow * m_normT2 / dk) return loss;
    return exactLoss(*w.kt, T, B, A, s, threads, w.packedB, w.blockSums);
}

}  // namespace loralab
