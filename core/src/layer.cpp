// The layer workload: LoRA on a frozen W0 and full fine-tuning of the same layer.
//
//   checks, squaredNormDouble, makeLayerProblem
//   naive reference (double)        the tests' oracle
//   LoRA                            two passes through ThinProducts and three gemm() calls
//   full fine-tuning                two gemm() calls
#include "loralab/layer.h"

#include "loralab/format.h"
#include "loralab/rng.h"
#include "gemm.h"
#include "huge_pages.h"
#include "kernels.h"
#include "team.h"
#include "thin_products.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>

namespace loralab {

namespace {

void checkProblem(const char* who, const LayerProblem& p) {
    require(p.W0.rows() >= 1 && p.W0.cols() >= 1 && p.X.cols() >= 1, who,
            "W0 is " + shapeStr(p.W0) + ", X is " + shapeStr(p.X) + "; sizes must be >= 1");
    require(p.X.rows() == p.W0.cols() && p.Ystar.rows() == p.W0.rows() &&
                p.Ystar.cols() == p.X.cols(),
            who,
            "W0 is " + shapeStr(p.W0) + ", X is " + shapeStr(p.X) + ", Y* is " +
                shapeStr(p.Ystar) + "; need W0 d x k, X k x n, Y* d x n");
}

void checkFactors(const char* who, const LayerProblem& p, const Matrix& B, const Matrix& A,
                  double s) {
    require(B.cols() >= 1 && B.cols() == A.rows() && B.rows() == p.W0.rows() &&
                A.cols() == p.W0.cols(),
            who,
            "B is " + shapeStr(B) + ", A is " + shapeStr(A) + ", W0 is " + shapeStr(p.W0) +
                "; need B d x r, A r x k (r >= 1)");
    requireFinite(s, "s");
}

// ‖M‖²_F in double: each thread of a team sums a contiguous share in double, and the shares add
// up in thread order (Y is d×n, 8 MiB at 4096 × 512).
double squaredNormDouble(const Matrix& m, int threads) {
    constexpr int kMaxThreads = 64;
    constexpr Index kTeamElements = Index{1} << 18;
    const Index size = m.size();
    const float* x = m.data();
    if (size < kTeamElements) threads = 1;
    threads = std::min(threads, kMaxThreads);
    const detail::KernelTable& kt = detail::kernels();
    std::array<double, kMaxThreads> parts{};
    const int used = detail::onTeam(threads, [&](int t, int n) {
        const auto [begin, end] = detail::share(size, t, n, 64);
        parts[static_cast<std::size_t>(t)] = kt.dotDouble(x + begin, x + begin, end - begin);
    });
    double total = 0.0;
    for (int t = 0; t < used; ++t) total += parts[static_cast<std::size_t>(t)];
    return total;
}

double perParamFlops(OptimizerKind kind) {
    switch (kind) {
        case OptimizerKind::Sgd: return 2.0;        // p -= lr·g
        case OptimizerKind::Momentum: return 4.0;   // u = μu + g; p -= lr·u
        case OptimizerKind::Adam: return 12.0;      // m, v, bias corrections, sqrt, divide
    }
    return 0.0;
}

}  // namespace

LayerProblem makeLayerProblem(Index d, Index k, Index n, Index teacherRank, std::uint64_t seed) {
    requireShape(d, k, teacherRank);
    require(n >= 1, "batch", "n = " + std::to_string(n) + "; must be >= 1");
    Rng rng(seed);
    LayerProblem p;
    p.W0 = hugeMatrix(d, k);
    rng.fillNormal(p.W0, 1.0 / std::sqrt(static_cast<double>(k)));
    p.X = hugeMatrix(k, n);
    rng.fillNormal(p.X);
    Matrix U(d, teacherRank), V(teacherRank, k);
    rng.fillNormal(U);
    rng.fillNormal(V);
    Matrix dW = hugeMatrix(d, k);
    dW.noalias() = U * V;
    // RMS(ΔW*) = 0.1 · RMS(W0) = 0.1/√k.
    const double rms = std::sqrt(dW.cast<double>().squaredNorm() /
                                 (static_cast<double>(d) * static_cast<double>(k)));
    if (rms > 0.0) dW *= static_cast<float>(0.1 / std::sqrt(static_cast<double>(k)) / rms);
    dW += p.W0;
    p.Ystar = hugeMatrix(d, n);
    gemm(Op::N, Op::N, 1.0f, dW, p.X, 0.0f, p.Ystar, resolveThreads(0));
    return p;
}

// ---- naive reference (double) ------------------------------------------------------------------

double layerLossNaive(const LayerProblem& p, const Matrix& B, const Matrix& A, double s) {
    checkProblem("layerLossNaive", p);
    checkFactors("layerLossNaive", p, B, A, s);
    const MatrixD X = p.X.cast<double>();
    const MatrixD E = p.W0.cast<double>() * X +
                      s * (B.cast<double>() * (A.cast<double>() * X)) - p.Ystar.cast<double>();
    return E.squaredNorm() / (static_cast<double>(p.W0.rows()) * static_cast<double>(X.cols()));
}

double layerLossGradNaive(const LayerProblem& p, const Matrix& B, const Matrix& A, double s,
                          Matrix& dB, Matrix& dA) {
    checkProblem("layerLossGradNaive", p);
    checkFactors("layerLossGradNaive", p, B, A, s);
    const double dn = static_cast<double>(p.W0.rows()) * static_cast<double>(p.X.cols());
    const MatrixD X = p.X.cast<double>(), Bd = B.cast<double>(), Ad = A.cast<double>();
    const MatrixD AX = Ad * X;
    const MatrixD E = p.W0.cast<double>() * X + s * (Bd * AX) - p.Ystar.cast<double>();
    const MatrixD dY = (2.0 / dn) * E;
    dB = (s * dY * AX.transpose()).cast<float>();
    dA = (s * (Bd.transpose() * dY) * X.transpose()).cast<float>();
    return E.squaredNorm() / dn;
}

double fullLossGradNaive(const LayerProblem& p, const Matrix& W, Matrix& dW) {
    checkProblem("fullLossGradNaive", p);
    require(W.rows() == p.W0.rows() && W.cols() == p.W0.cols(), "fullLossGradNaive",
            "W is " + shapeStr(W) + "; must be d x k = " + shapeStr(p.W0));
    const double dn = static_cast<double>(p.W0.rows()) * static_cast<double>(p.X.cols());
    const MatrixD X = p.X.cast<double>();
    const MatrixD E = W.cast<double>() * X - p.Ystar.cast<double>();
    dW = ((2.0 / dn) * E * X.transpose()).cast<float>();
    return E.squaredNorm() / dn;
}

// ---- LoRA ---------------------------------------------------------------------------------------

LoraLayerTrainer::LoraLayerTrainer(const LayerProblem& problem, Factors factors,
                                   const LayerConfig& config)
    : m_p(&problem), m_factors(std::move(factors)), m_threads(resolveThreads(config.threads)),
      m_thinX(std::make_unique<ThinProducts>()), m_thinE(std::make_unique<ThinProducts>()) {
    checkProblem("LoraLayerTrainer", problem);
    checkFactors("LoraLayerTrainer", problem, m_factors.B, m_factors.A, m_factors.scale());
    const Index d = m_factors.d(), k = m_factors.k(), r = m_factors.rank();
    const Index n = problem.X.cols();
    m_opt = Optimizer(config.optimizer, {{d, r}, {r, k}}, m_threads);
    m_AX.resize(r, n);
    m_At.resize(k, r);
    m_Y = hugeMatrix(d, n);
    m_dB = Matrix::Zero(d, r);
    m_dA = Matrix::Zero(r, k);
    m_BtdY.resize(r, n);
}

LoraLayerTrainer::~LoraLayerTrainer() = default;
LoraLayerTrainer::LoraLayerTrainer(LoraLayerTrainer&&) noexcept = default;

// The two passes of a step through ThinProducts (one read of X, one of E, each feeding every
// thin product it has a part in) run on OpenMP's team like the gemm() calls between them (see
// TeamWork::onOpenMpTeam), and do the step's small chores with what each thread has.

// Pass over X, A·X alone: thread t owns AX's columns `cols`, the batch's tokens, and copies
// the same columns of Y* into Y for the W0·X product that follows (beta = −1).
class LoraLayerTrainer::ForwardWork final : public ThinProducts::TeamWork {
public:
    explicit ForwardWork(LoraLayerTrainer& l) : m_l(l) {}
    void partial(int, int, Range cols, Range) override {
        const Index w = cols.second - cols.first;
        m_l.m_Y.middleCols(cols.first, w) = m_l.m_p->Ystar.middleCols(cols.first, w);
    }
    void finish(int, int, Range, Range) override {}
    bool onOpenMpTeam() const override { return true; }

private:
    LoraLayerTrainer& m_l;
};

// Pass over E: TAt = E·(AX)ᵀ lands in dB; thread t scales the rows it summed by (2/dn)·s.
class LoraLayerTrainer::BackwardWork final : public ThinProducts::TeamWork {
public:
    BackwardWork(LoraLayerTrainer& l, float scale) : m_l(l), m_scale(scale) {}
    void partial(int, int, Range, Range) override {}
    void finish(int, int, Range, Range rows) override {
        m_l.m_dB.middleRows(rows.first, rows.second - rows.first) *= m_scale;
    }
    bool onOpenMpTeam() const override { return true; }

private:
    LoraLayerTrainer& m_l;
    const float m_scale;
};

// Forward:  AX = A·X (r×n, kept for backward);  Y = W0·X + s·B·AX;  E = Y − Y*
// Backward: dY = (2/dn)·E;  dB = s·dY·AXᵀ;  dA = s·(Bᵀ·dY)·Xᵀ
double LoraLayerTrainer::lossGrad() {
    const LayerProblem& p = *m_p;
    const Matrix& B = m_factors.B;
    const Matrix& A = m_factors.A;
    const float s = static_cast<float>(m_factors.scale());
    const double dn = static_cast<double>(m_Y.rows()) * static_cast<double>(m_Y.cols());
    const int threads = m_threads;

    // A·X = (Aᵀ)ᵀ·X as the BtT of a pass over X (its A argument, m_BtdY, is not read without
    // TAt); the pass also fills Y with Y*.
    m_At = A.transpose();
    ForwardWork forward(*this);
    m_thinX->compute(p.X, m_At, m_BtdY, m_noTAt, m_AX, false, threads,
                     ThinProducts::Kernel::Best, &forward);
    gemm(Op::N, Op::N, 1.0f, p.W0, p.X, -1.0f, m_Y, threads);  // W0·X − Y*
    gemm(Op::N, Op::N, s, B, m_AX, 1.0f, m_Y, threads);        // E = W0·X + s·B·(A·X) − Y*
    const double loss = squaredNormDouble(m_Y, threads) / dn;

    // dY = (2/dn)·E; its scale folds into the products. One pass over E gives E·(AX)ᵀ, which
    // is dB once scaled, and Bᵀ·E.
    const float g = static_cast<float>(2.0 / dn);
    BackwardWork backward(*this, g * s);
    m_thinE->compute(m_Y, B, m_AX, m_dB, m_BtdY, true, threads, ThinProducts::Kernel::Best,
                     &backward);
    gemm(Op::N, Op::T, g * s, m_BtdY, p.X, 0.0f, m_dA, threads);  // dA = s·(Bᵀ·dY)·Xᵀ
    return loss;
}

double LoraLayerTrainer::step() {
    const double loss = lossGrad();
    m_opt.beginStep();
    m_opt.update(0, m_factors.B, m_dB);
    m_opt.update(1, m_factors.A, m_dA);
    return loss;
}

double LoraLayerTrainer::flopsPerStep() const {
    const double d = static_cast<double>(m_factors.d()), k = static_cast<double>(m_factors.k());
    const double r = static_cast<double>(m_factors.rank());
    const double n = static_cast<double>(m_p->X.cols());
    const double forward = 2 * d * k * n + 2 * r * k * n + 2 * d * r * n + 2 * d * n;
    const double loss = 3 * d * n;  // subtract, square, add
    const double backward = d * n + 2 * d * r * n + 2 * d * r * n + 2 * r * n * k;
    const double update = perParamFlops(m_opt.config().kind) * r * (d + k);
    return forward + loss + backward + update;
}

// ---- full fine-tuning ---------------------------------------------------------------------------

FullLayerTrainer::FullLayerTrainer(const LayerProblem& problem, const LayerConfig& config)
    : m_p(&problem), m_threads(resolveThreads(config.threads)) {
    checkProblem("FullLayerTrainer", problem);
    const Index d = problem.W0.rows(), k = problem.W0.cols(), n = problem.X.cols();
    m_W = hugeMatrix(d, k);
    m_W = problem.W0;
    m_opt = Optimizer(config.optimizer, {{d, k}}, m_threads);
    m_Y = hugeMatrix(d, n);
    m_dW = hugeZeros(d, k);
}

// Forward: Y = W·X, E = Y − Y*.  Backward: dY = (2/dn)·E;  dW = dY·Xᵀ
double FullLayerTrainer::lossGrad() {
    const LayerProblem& p = *m_p;
    const double dn = static_cast<double>(m_Y.rows()) * static_cast<double>(m_Y.cols());
    m_Y = p.Ystar;
    gemm(Op::N, Op::N, 1.0f, m_W, p.X, -1.0f, m_Y, m_threads);  // E = W·X − Y*
    const double loss = squaredNormDouble(m_Y, m_threads) / dn;
    // dW = dY·Xᵀ with dY = (2/dn)·E: the scale folds into the product.
    gemm(Op::N, Op::T, static_cast<float>(2.0 / dn), m_Y, p.X, 0.0f, m_dW, m_threads);
    return loss;
}

double FullLayerTrainer::step() {
    const double loss = lossGrad();
    m_opt.beginStep();
    m_opt.update(0, m_W, m_dW);
    return loss;
}

double FullLayerTrainer::flopsPerStep() const {
    const double d = static_cast<double>(m_W.rows()), k = static_cast<double>(m_W.cols());
    const double n = static_cast<double>(m_p->X.cols());
    const double forward = 2 * d * k * n + d * n;
    const double loss = 2 * d * n;
    const double backward = d * n + 2 * d * n * k;
    return forward + loss + backward + perParamFlops(m_opt.config().kind) * d * k;
}

}  // namespace loralab
