// TargetProducts: float products on the one-pass kernel, double ones tile by tile on the
// core's team.
#include "target_products.h"

#include "team.h"

#include <algorithm>
#include <vector>

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace loralab::detail {

namespace {

// Tiles of T converted to double: 256 × 256 doubles (512 KiB) stay in a core's L2 while the
// product reads them, and are large enough for Eigen's GEMM kernel to run at speed.
constexpr Index kTile = 256;
constexpr Index kGrain = 16;
// Below this many multiply-adds (about a millisecond) one thread does the whole product.
constexpr double kTeamWork = 1 << 22;

double workOf(Index d, Index k, Index b) {
    return static_cast<double>(d) * static_cast<double>(k) * static_cast<double>(b);
}

}  // namespace

ThreadCount::ThreadCount(int threads) : m_saved(1) {
#if defined(_OPENMP)
    m_saved = omp_get_max_threads();
    omp_set_num_threads(std::max(1, threads));
#else
    (void)threads;
#endif
}

ThreadCount::~ThreadCount() {
#if defined(_OPENMP)
    omp_set_num_threads(m_saved);
#endif
}

int TargetProducts::teamFor(double work) const { return work < kTeamWork ? 1 : m_threads; }

// Y = T·X: each thread owns a band of rows of T (and of Y), tile by tile along the columns.
void TargetProducts::times(const MatrixD& X, MatrixD& Y) {
    const Index d = m_T.rows(), k = m_T.cols(), b = X.cols();
    Y.resize(d, b);
    if (!m_exact) {
        // T·X as the kernel's T·Aᵀ with A = Xᵀ.
        m_in = X.transpose().cast<float>();
        m_out.resize(d, b);
        if (m_zeros.rows() != d || m_zeros.cols() != b) m_zeros = Matrix::Zero(d, b);
        m_unusedBtT.resize(b, k);
        m_thin.compute(m_T, m_zeros, m_in, m_out, m_unusedBtT, true, m_threads);
        Y = m_out.cast<double>();
        return;
    }
    exactProduct(false, X, Y);
}

// Z = Tᵀ·Y: each thread owns a band of columns of T (rows of Z).
void TargetProducts::timesT(const MatrixD& Y, MatrixD& Z) {
    const Index d = m_T.rows(), k = m_T.cols(), b = Y.cols();
    Z.resize(k, b);
    if (!m_exact) {
        // Tᵀ·Y as the kernel's Bᵀ·T with B = Y, transposed.
        m_in = Y.cast<float>();
        m_out.resize(b, k);
        m_unusedA.resize(b, k);
        m_unusedTA.resize(d, b);
        m_thin.compute(m_T, m_in, m_unusedA, m_unusedTA, m_out, false, m_threads);
        Z = m_out.transpose().cast<double>();
        return;
    }
    exactProduct(true, Y, Z);
}

// Y = op(T)·X in double, op(T) = T or Tᵀ: each thread owns a band of Y's rows (rows of T, or
// columns of T when transposed) and reads T tile by tile along the other side.
void TargetProducts::exactProduct(bool transposed, const MatrixD& X, MatrixD& Y) {
    const Index outer = transposed ? m_T.cols() : m_T.rows();
    const Index inner = transposed ? m_T.rows() : m_T.cols();
    const int threads = static_cast<int>(std::min<Index>(
        teamFor(workOf(outer, inner, X.cols())), (outer + kGrain - 1) / kGrain));
    onTeam(threads, [&](int t, int n) {
        const auto [begin, end] = share(outer, t, n, kGrain);
        MatrixD tile;
        for (Index o0 = begin; o0 < end; o0 += kTile) {
            const Index on = std::min(kTile, end - o0);
            auto y = Y.middleRows(o0, on);
            y.setZero();
            for (Index i0 = 0; i0 < inner; i0 += kTile) {
                const Index in = std::min(kTile, inner - i0);
                if (transposed) {
                    tile = m_T.block(i0, o0, in, on).cast<double>();
                    y.noalias() += tile.transpose() * X.middleRows(i0, in);
                } else {
                    tile = m_T.block(o0, i0, on, in).cast<double>();
                    y.noalias() += tile * X.middleRows(i0, in);
                }
            }
        }
    });
}

// W = Qᵀ·T and ‖T − Q·W‖²: a panel of whole columns at a time (Qᵀ needs every row of it), so
// the residual of each column is formed and squared while its panel is hot.
double TargetProducts::project(const MatrixD& Q, MatrixD& W) const {
    const Index d = m_T.rows(), k = m_T.cols(), l = Q.cols();
    W.resize(l, k);
    const Index width = std::clamp<Index>((kTile * kTile) / std::max<Index>(1, d), 4, kTile);
    const int threads = static_cast<int>(
        std::min<Index>(teamFor(2.0 * workOf(d, k, l)), (k + width - 1) / width));
    std::vector<double> partial(static_cast<std::size_t>(std::max(threads, 1)), 0.0);
    onTeam(threads, [&](int t, int n) {
        const auto [begin, end] = share(k, t, n, 1);
        MatrixD panel;
        double sum = 0.0;
        for (Index c0 = begin; c0 < end; c0 += width) {
            const Index cols = std::min(width, end - c0);
            panel = m_T.middleCols(c0, cols).cast<double>();
            auto w = W.middleCols(c0, cols);
            w.noalias() = Q.transpose() * panel;
            panel.noalias() -= Q * w;
            sum += panel.squaredNorm();
        }
        partial[static_cast<std::size_t>(t)] = sum;
    });
    double total = 0.0;
    for (double p : partial) total += p;
    return total;
}

double squaredNormD(const Matrix& T, int team) {
    const Index k = T.cols();
    const int threads = static_cast<int>(std::min<Index>(
        workOf(T.rows(), k, 1) < kTeamWork ? 1 : team, std::max<Index>(1, k)));
    std::vector<double> partial(static_cast<std::size_t>(std::max(threads, 1)), 0.0);
    onTeam(threads, [&](int t, int n) {
        const auto [begin, end] = share(k, t, n, 1);
        double sum = 0.0;
        for (Index j = begin; j < end; ++j) sum += T.col(j).cast<double>().squaredNorm();
        partial[static_cast<std::size_t>(t)] = sum;
    });
    double total = 0.0;
    for (double p : partial) total += p;
    return total;
}

}  // namespace loralab::detail
