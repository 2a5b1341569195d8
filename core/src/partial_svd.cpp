// topSvd(): thick-restarted block Golub–Kahan–Lanczos; float passes first, double to finish.
//
// Bases: K (k×L, right) and P (d×L, left), orthonormal, with T·K = P·M exactly (each new left
// block is T·X orthogonalized against P), M = Pᵀ(T·K) L×L. A step adds one block of b columns:
//   X = orth(Tᵀ·P_last ⟂ K),  K += X,  P += orth(T·X ⟂ P)                  (two passes over T)
// and the Ritz triplets come from the SVD of M, without squaring anything. When L would pass
// Lmax the bases restart on their top b Ritz vectors (X, computed against the old K first, is
// the exact continuation: the kept vectors' residuals lie in its span). The captured energy
// Σ_{i<=n} θᵢ² then only grows, and the run stops when it stops growing at the precision in use.
#include "loralab/partial_svd.h"

#include "loralab/rng.h"
#include "target_products.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace loralab {

namespace {

using detail::TargetProducts;

// Converged once a step adds less than this much of the floor to the captured energy (the
// convergence is geometric, so what is left is a few times that: far below the 1e-6 promised).
constexpr double kTolerance = 1e-8;
// The float steps go on until a step adds less than kFloatTolerance of the floor, or less than
// kFloatNoise of the captured energy (float Ritz values are off by about 1e-7 of it, but by
// the same amount from one step to the next: their changes still show down to about 1e-12).
constexpr double kFloatTolerance = 3e-9;
constexpr double kFloatNoise = 1e-11;
// Float rounding leaves the subspace about 1e-7 off, which misses about 1e-14 of the captured
// energy: negligible (below 1e-8 of the floor) when the floor is at least this share of it.
// Then one exact projection finishes the job; otherwise double steps do.
constexpr double kFloatEnough = 1e-6;
// Double steps between exact checks of the residual (each check is one more pass over T).
constexpr int kCheckEvery = 3;
constexpr int kMaxSteps = 500;
// Largest projected matrix M whose SVD is taken after every step; larger ones every few steps.
constexpr Index kRitzEveryStep = 512;

struct Shape {
    Index b = 0;     // block: columns added per step
    Index keep = 0;  // Ritz vectors kept at a restart (n + oversampling), >= b
    Index Lmax = 0;  // largest basis before a restart
    bool single() const { return b == Lmax; }  // one block of every direction: no steps
};

// Sizes tuned on Gaussian 4096² targets (the slowest to converge: their top singular values
// crowd together): a small block (about 3√n columns, 8..64) in a basis about three times what
// a restart keeps beat both blocks of n + oversampling columns and single vectors. A new block
// is orthogonalized against the whole basis before a restart, so the bases need
// Lmax + b <= min(d, k); where that leaves no room to grow, one block of all min(d, k)
// directions is the exact answer.
//
// The double phase starts from the float phase's keep Ritz vectors, whose residuals span keep
// directions, not b: it grows by blocks of `keep` columns (wide), so that each step extends
// every kept vector's Krylov sequence.
Shape shapeFor(Index n, Index m, bool wide) {
    Shape s;
    s.keep = std::min(m, n + std::max<Index>(8, n / 2));
    const auto root = static_cast<Index>(3.0 * std::sqrt(static_cast<double>(n)));
    s.b = wide ? s.keep : std::min(s.keep, std::clamp<Index>((root + 3) / 4 * 4, 8, 64));
    const Index grow = std::max(2 * s.keep, 6 * s.b);
    s.Lmax = s.keep + (grow + s.b - 1) / s.b * s.b;
    while (s.Lmax + s.b > m && s.Lmax - s.b >= s.keep + s.b) s.Lmax -= s.b;
    if (s.Lmax + s.b > m) s.b = s.keep = s.Lmax = m;
    return s;
}

void checkCancel(const SvdControl& c) {
    if (c.cancelled && c.cancelled()) throw Cancelled();
}

// Orthonormal columns for X, orthogonal to basis.leftCols(used) (itself orthonormal): block
// Gram–Schmidt and Cholesky QR, twice (all BLAS-3). A block that is (numerically) rank-
// deficient, or inside the basis, takes the slow path: Householder QR, where columns that vanish
// are replaced by random directions so that the block keeps full rank.
void orthonormalize(MatrixD& X, const MatrixD& basis, Index used, Rng& rng) {
    const Index rows = X.rows(), cols = X.cols();
    auto project = [&](MatrixD& Y) {
        if (used == 0) return;
        const auto B = basis.leftCols(used);
        const MatrixD C = B.transpose() * Y;
        Y.noalias() -= B * C;
    };
    const VectorD before = X.colwise().norm().transpose();
    // Cholesky QR: X = Q·R with RᵀR = XᵀX; accepted when R's diagonal shows no column lost
    // more than 1e-5 of its norm to the basis or the others (then twice is enough for
    // orthogonality, to the basis too).
    auto cholQr = [&](MatrixD& Y) {
        const MatrixD G = Y.transpose() * Y;
        Eigen::LLT<MatrixD> llt(G);
        if (llt.info() != Eigen::Success) return false;
        const MatrixD R = llt.matrixU();
        for (Index j = 0; j < cols; ++j) {
            const double ref = before[j] > 0.0 ? before[j] : 0.0;
            if (!(R(j, j) > 1e-5 * ref)) return false;
        }
        R.triangularView<Eigen::Upper>().solveInPlace<Eigen::OnTheRight>(Y);
        return true;
    };
    project(X);
    MatrixD saved = X;
    if (cholQr(X)) {
        project(X);
        if (cholQr(X)) return;
    }
    X = std::move(saved);
    for (int attempt = 0;; ++attempt) {
        Eigen::HouseholderQR<MatrixD> qr(X);
        const auto& R = qr.matrixQR();
        bool replaced = false;
        for (Index j = 0; j < cols; ++j) {
            const double ref = before[j] > 0.0 ? before[j] : 1.0;
            if (!(std::abs(R(j, j)) > 1e-10 * ref)) {
                for (Index i = 0; i < rows; ++i) X(i, j) = rng.normal();
                replaced = true;
            }
        }
        if (replaced && attempt < 3) {
            project(X);
            continue;
        }
        X = qr.householderQ() * MatrixD::Identity(rows, cols);
        project(X);
        Eigen::HouseholderQR<MatrixD> again(X);
        X = again.householderQ() * MatrixD::Identity(rows, cols);
        return;
    }
}

// The two bases, T·K, the projected M and its latest SVD.
class Bases {
public:
    Bases(Index d, Index k, Shape s)
        : m_b(s.b), m_keep(s.keep), m_Lmax(s.Lmax), m_K(k, s.Lmax), m_TK(d, s.Lmax), m_P(d, s.Lmax),
          m_M(s.Lmax, s.Lmax) {}

    // K = V (orthonormal, k×b), T·K = TV.
    void reset(const MatrixD& V, const MatrixD& TV, Rng& rng) {
        m_L = 0;
        MatrixD U = TV;
        orthonormalize(U, m_P, 0, rng);
        add(V, TV, std::move(U));
    }
    MatrixD lastLeft() const { return m_P.middleCols(m_L - m_b, m_b); }
    void orthogonalize(MatrixD& Z, Rng& rng) const { orthonormalize(Z, m_K, m_L, rng); }
    bool full() const { return m_L + m_b > m_Lmax; }
    Index size() const { return m_L; }

    // X orthonormal and ⟂ K, Y = T·X.
    void append(const MatrixD& X, const MatrixD& Y, Rng& rng) {
        MatrixD U = Y;
        orthonormalize(U, m_P, m_L, rng);
        add(X, Y, std::move(U));
    }

    void ritz() {
        m_svd.compute(m_M.topLeftCorner(m_L, m_L), Eigen::ComputeThinU | Eigen::ComputeThinV);
        m_fresh = true;
    }
    const VectorD& theta() const { return m_svd.singularValues(); }
    MatrixD ritzV(Index c) const { return m_K.leftCols(m_L) * m_svd.matrixV().leftCols(c); }
    MatrixD ritzTV(Index c) const { return m_TK.leftCols(m_L) * m_svd.matrixV().leftCols(c); }
    MatrixD ritzU(Index c) const { return m_P.leftCols(m_L) * m_svd.matrixU().leftCols(c); }

    // Keep the top `keep` Ritz vectors.
    void restart() {
        if (!m_fresh) ritz();
        const MatrixD V = ritzV(m_keep), TV = ritzTV(m_keep), U = ritzU(m_keep);
        m_L = 0;
        add(V, TV, U);
    }

private:
    void add(const MatrixD& X, const MatrixD& Y, MatrixD U) {
        const Index at = m_L, w = X.cols();
        m_fresh = false;
        m_K.middleCols(at, w) = X;
        m_TK.middleCols(at, w) = Y;
        m_P.middleCols(at, w) = U;
        m_L += w;
        // T·K is inside span(P) block by block (each new P block comes from T·X), so the
        // blocks of M below its diagonal are zero up to rounding.
        m_M.block(0, at, m_L, w).noalias() = m_P.leftCols(m_L).transpose() * Y;
        if (at > 0) m_M.block(at, 0, w, at).setZero();
    }

    Index m_b, m_keep, m_Lmax, m_L = 0;
    MatrixD m_K, m_TK, m_P, m_M;
    Eigen::BDCSVD<MatrixD> m_svd;
    bool m_fresh = false;  // m_svd is the SVD of the current M
};

class Solver {
public:
    Solver(const Matrix& T, Index n, const SvdControl& control)
        : m_T(T), m_n(n), m_shape(shapeFor(n, std::min(T.rows(), T.cols()), false)),
          m_wide(shapeFor(n, std::min(T.rows(), T.cols()), true)),
          m_control(control), m_rng(0x5EED0000u + static_cast<std::uint64_t>(n)) {}

    TopSvd run(const Matrix* warm);

private:
    MatrixD startVectors(TargetProducts& prod, const Matrix* warm);
    void iterate(TargetProducts& prod, MatrixD& V, TopSvd* out);
    double exactRest(TargetProducts& prod, const MatrixD& U, TopSvd* out);
    double captured(const Bases& B) const { return B.theta().head(m_n).squaredNorm(); }
    void pass();
    void report(double fraction);

    const Matrix& m_T;
    Index m_n;
    Shape m_shape, m_wide;  // float phase, double phase
    const SvdControl& m_control;
    Rng m_rng;
    double m_normSq = 0.0;
    double m_energy = 0.0;  // captured by the float phase
    MatrixD m_left;         // the float phase's left Ritz vectors
    int m_passes = 0;
    double m_progress = 0.0;
};

void Solver::pass() {
    ++m_passes;
    checkCancel(m_control);
}

void Solver::report(double fraction) {
    fraction = std::clamp(fraction, 0.0, 1.0);
    if (fraction <= m_progress) return;
    m_progress = fraction;
    if (m_control.progress) m_control.progress(fraction);
}

// A block Tᵀ·(random) (a first power step), after the warm vectors when there are some: the
// iteration continues from the random block, keeping the warm ones in the bases.
MatrixD Solver::startVectors(TargetProducts& prod, const Matrix* warm) {
    const Index d = m_T.rows(), k = m_T.cols(), b = m_shape.b;
    const Index w = warm ? std::clamp<Index>(m_shape.Lmax - 2 * b, 0, warm->cols()) : 0;
    MatrixD G(d, b), Z;
    for (Index i = 0; i < G.size(); ++i) G.data()[i] = m_rng.normal();
    prod.timesT(G, Z);
    pass();
    MatrixD V(k, w + b);
    if (w > 0) {
        V.leftCols(w) = warm->leftCols(w).cast<double>();
        MatrixD W = V.leftCols(w);
        orthonormalize(W, W, 0, m_rng);
        V.leftCols(w) = W;
    }
    orthonormalize(Z, V, w, m_rng);
    V.rightCols(b) = Z;
    return V;
}

// Steps from V until converged at the precision of `prod`; V becomes the top b Ritz vectors.
// Float: the captured energy stops growing. Double: the exact tail energy (exactRest, which
// also fills `out`) stops falling, checked at the start, after one step and then every
// kCheckEvery steps.
void Solver::iterate(TargetProducts& prod, MatrixD& V, TopSvd* out) {
    const Shape& shape = prod.exact() ? m_wide : m_shape;
    const Index keep = shape.keep;
    Bases B(m_T.rows(), m_T.cols(), shape);
    MatrixD TV, Z, Y;
    prod.times(V, TV);
    pass();
    B.reset(V, TV, m_rng);
    B.ritz();
    double energy = B.size() >= keep ? captured(B) : 0.0, firstGain = -1.0;
    double rest = prod.exact() ? exactRest(prod, B.ritzU(keep), out) : -1.0;
    if (shape.single()) {
        V = B.ritzV(keep);
        return;
    }
    const double progress0 = m_progress, share = prod.exact() ? 1.0 - progress0 : 0.8;
    const int ritzEvery = static_cast<int>(std::max<Index>(1, shape.Lmax / kRitzEveryStep));
    for (int step = 1; step <= kMaxSteps; ++step) {
        Z = B.lastLeft();
        prod.timesT(Z, Y);
        pass();
        Z.swap(Y);
        B.orthogonalize(Z, m_rng);
        if (B.full()) B.restart();
        prod.times(Z, Y);
        pass();
        B.append(Z, Y, m_rng);
        if (B.size() < keep || step % ritzEvery != 0) continue;
        B.ritz();
        const double now = captured(B), gain = std::max(0.0, now - energy);
        energy = now;
        if (!prod.exact()) {
            const double floorEst = std::max(0.0, m_normSq - energy);
            const double enough = kFloatTolerance * floorEst + kFloatNoise * energy;
            if (firstGain < 0.0) firstGain = std::max(gain, enough);
            if (gain > 0.0 && firstGain > enough)
                report(progress0 + share * std::log(firstGain / gain) / std::log(firstGain / enough));
            if (gain <= enough) break;
        } else if (step == ritzEvery || step % (kCheckEvery * ritzEvery) == 0 ||
                   step + ritzEvery > kMaxSteps) {
            const double next = exactRest(prod, B.ritzU(keep), out);
            const bool settled = rest - next <= kTolerance * next;
            rest = next;
            report(progress0 + share * (settled ? 1.0 : 0.5));
            if (settled) break;
        }
    }
    B.ritz();
    V = B.ritzV(std::min(keep, B.size()));
    if (!prod.exact()) {
        m_energy = captured(B);
        m_left = B.ritzU(std::min(keep, B.size()));
    }
}

// ‖T − U Uᵀ T‖² plus the Ritz energy of U's columns past n: the tail energy beyond the top n,
// exact for this subspace. With `out`, also the triplets: W = UᵀT = R_aᵀ Q_aᵀ (QR of Wᵀ),
// R_aᵀ = U_r Σ V_rᵀ, so T's Ritz triplets are (U·U_r, Σ, Q_a·V_r).
double Solver::exactRest(TargetProducts& prod, const MatrixD& U, TopSvd* out) {
    MatrixD W;
    const double resid = prod.project(U, W);
    pass();
    const Index b = U.cols();
    Eigen::HouseholderQR<MatrixD> qr(W.transpose());
    const MatrixD Ra = qr.matrixQR().topRows(b).triangularView<Eigen::Upper>();
    Eigen::BDCSVD<MatrixD> svd(Ra.transpose(), out ? Eigen::ComputeFullU | Eigen::ComputeFullV : 0);
    const VectorD& s = svd.singularValues();
    const double rest = resid + s.tail(b - m_n).squaredNorm();
    if (out) {
        const MatrixD Qa = qr.householderQ() * MatrixD::Identity(m_T.cols(), b);
        out->sigma = s.head(m_n);
        out->U = (U * svd.matrixU().leftCols(m_n)).cast<float>();
        out->V = (Qa * svd.matrixV().leftCols(m_n)).cast<float>();
        out->restSq = rest;
    }
    return rest;
}

// The passes over T run on every thread; the rest (products with the bases, SVDs of M) on this
// one: each of those products is too small to be worth a fork, and the forks cost most of the
// run when the cores are shared with other work.
TopSvd Solver::run(const Matrix* warm) {
    const int threads = resolveThreads(m_control.threads);
    const detail::ThreadCount serial(1);
    m_normSq = detail::squaredNormD(m_T, threads);
    TargetProducts single(m_T, false, threads), exact(m_T, true, threads);
    MatrixD V = startVectors(single, warm);
    TopSvd out;
    iterate(single, V, nullptr);
    if (m_normSq - m_energy >= kFloatEnough * m_energy && m_left.cols() >= m_n)
        exactRest(exact, m_left, &out);
    else
        iterate(exact, V, &out);
    out.normSq = m_normSq;
    out.passes = m_passes;
    report(1.0);
    return out;
}

}  // namespace

TopSvd topSvd(const Matrix& T, Index n, const SvdControl& control, const Matrix* warm) {
    require(T.rows() >= 1 && T.cols() >= 1, "topSvd",
            "T is " + std::to_string(T.rows()) + "x" + std::to_string(T.cols()) +
                "; must be non-empty");
    const Index m = std::min(T.rows(), T.cols());
    require(n >= 1 && n <= m, "topSvd",
            "n = " + std::to_string(n) + "; allowed 1.." + std::to_string(m) + " (min(d, k))");
    require(allFinite(T), "topSvd", "T has non-finite entries");
    if (warm)
        require(warm->rows() == T.cols(), "topSvd",
                "warm vectors have " + std::to_string(warm->rows()) + " rows; need k = " +
                    std::to_string(T.cols()));
    checkCancel(control);
    Solver solver(T, n, control);
    return solver.run(warm);
}

double topSvdMemoryBytes(Index d, Index k, Index n, int threads) {
    const Index m = std::min(d, k);
    const Shape s = shapeFor(std::clamp<Index>(n, 1, m), m, true);
    const double b = static_cast<double>(s.b), L = static_cast<double>(s.Lmax);
    const double dd = static_cast<double>(d), kk = static_cast<double>(k);
    // K, T·K, P and M; Ritz vectors and blocks in flight; W = UᵀT; per-thread tiles; the result.
    const double doubles = L * (kk + 2.0 * dd) + 2.0 * L * L + 8.0 * b * (dd + kk) +
                           2.0 * b * kk + threads * (256.0 * 256.0 + 65536.0);
    return 8.0 * doubles + 4.0 * 2.0 * b * (dd + kk);
}

}  // namespace loralab
