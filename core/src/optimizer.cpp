// SGD, momentum and Adam over a list of parameter blocks; state for trainable blocks only.
#include "loralab/optimizer.h"

#include "loralab/format.h"
#include "loralab/names.h"
#include "huge_pages.h"
#include "kernels.h"
#include "team.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace loralab {

namespace {

// Copies the shared top-left part of `from` into a zeroed rows×cols matrix, times `scale`.
Matrix resized(const Matrix& from, Index rows, Index cols, double scale) {
    Matrix out = Matrix::Zero(rows, cols);
    const Index r = std::min(rows, from.rows()), c = std::min(cols, from.cols());
    out.topLeftCorner(r, c) = static_cast<float>(scale) * from.topLeftCorner(r, c);
    return out;
}

}  // namespace

constexpr Named<OptimizerKind> kOptimizers[] = {{OptimizerKind::Sgd, "sgd"},
                                                 {OptimizerKind::Momentum, "momentum"},
                                                 {OptimizerKind::Adam, "adam"}};

const char* optimizerName(OptimizerKind kind) { return nameIn(kOptimizers, kind); }

OptimizerKind parseOptimizer(const std::string& name) {
    return parseIn(kOptimizers, name, "optimizer");
}

void validate(const OptimizerConfig& c) {
    requireFinite(c.lr, "lr", true);
    require(c.kind == OptimizerKind::Sgd || c.kind == OptimizerKind::Momentum ||
                c.kind == OptimizerKind::Adam,
            "optimizer", "unknown kind; allowed sgd, momentum, adam");
    require(std::isfinite(c.momentum) && c.momentum >= 0.0 && c.momentum < 1.0, "momentum",
            "momentum = " + num(c.momentum) + "; allowed [0, 1)");
    require(std::isfinite(c.beta1) && c.beta1 >= 0.0 && c.beta1 < 1.0, "beta1",
            "beta1 = " + num(c.beta1) + "; allowed [0, 1)");
    require(std::isfinite(c.beta2) && c.beta2 >= 0.0 && c.beta2 < 1.0, "beta2",
            "beta2 = " + num(c.beta2) + "; allowed [0, 1)");
    require(std::isfinite(c.eps) && c.eps > 0.0, "eps",
            "eps = " + num(c.eps) + "; must be finite and > 0");
}

Optimizer::Optimizer(const OptimizerConfig& config,
                     const std::vector<std::pair<Index, Index>>& shapes, int threads)
    : m_config(config), m_shapes(shapes) {
    validate(config);
    setThreads(threads);
    require(!shapes.empty(), "Optimizer", "needs at least one parameter block");
    for (const auto& sh : shapes)
        require(sh.first >= 1 && sh.second >= 1, "Optimizer",
                "block shape " + shapeStr(sh.first, sh.second) + "; both sizes must be >= 1");
    resetState();
}

void Optimizer::setThreads(int threads) { m_threads = resolveThreads(threads); }

void Optimizer::setLearningRate(double lr) {
    requireFinite(lr, "lr", true);
    m_config.lr = lr;
}

void Optimizer::resetState() {
    m_canUndo = false;
    m_state.t = 0;
    m_state.m.clear();
    m_state.v.clear();
    if (m_config.kind == OptimizerKind::Sgd) return;
    // Full fine-tuning's state is as large as the weight and streamed every step.
    for (const auto& sh : m_shapes) m_state.m.push_back(hugeZeros(sh.first, sh.second));
    if (m_config.kind == OptimizerKind::Adam)
        for (const auto& sh : m_shapes) m_state.v.push_back(hugeZeros(sh.first, sh.second));
}

void Optimizer::beginStep() { ++m_state.t; }

void Optimizer::check(std::size_t block, const Matrix& p, const Matrix& g) const {
    // Checked on every call; messages are built only on failure (no allocation).
    if (block >= m_shapes.size())
        require(false, "Optimizer::update",
                "block = " + std::to_string(block) + "; allowed 0.." +
                    std::to_string(static_cast<long long>(m_shapes.size()) - 1));
    const auto& sh = m_shapes[block];
    if (p.rows() != sh.first || p.cols() != sh.second || g.rows() != sh.first ||
        g.cols() != sh.second)
        require(false, "Optimizer::update",
                "block " + std::to_string(block) + " is " + shapeStr(sh.first, sh.second) +
                    " but p is " + shapeStr(p.rows(), p.cols()) + " and g is " +
                    shapeStr(g.rows(), g.cols()));
    if (m_config.kind == OptimizerKind::Adam && m_state.t < 1)
        require(false, "Optimizer::update", "Adam needs beginStep() before update()");
}

void Optimizer::apply(std::size_t block, const float* p, const Matrix& g, float* pOut,
                      State& from, State& to) {
    const float lr = static_cast<float>(m_config.lr);
    const Index n = g.size();
    const Eigen::Map<const Eigen::ArrayXf> pIn(p, n), gIn(g.data(), n);
    Eigen::Map<Eigen::ArrayXf> pNew(pOut, n);
    // Element by element, each read before it is written: in place (to = from, pOut = p)
    // gives the same bits as out of place.
    switch (m_config.kind) {
        case OptimizerKind::Sgd:
            pNew = pIn - lr * gIn;
            break;
        case OptimizerKind::Momentum: {
            const Eigen::Map<const Eigen::ArrayXf> u(from.m[block].data(), n);
            Eigen::Map<Eigen::ArrayXf> uNew(to.m[block].data(), n);
            uNew = static_cast<float>(m_config.momentum) * u + gIn;
            pNew = pIn - lr * uNew;
            break;
        }
        case OptimizerKind::Adam: {
            const double steps = static_cast<double>(m_state.t);
            const float b1 = static_cast<float>(m_config.beta1);
            const float b2 = static_cast<float>(m_config.beta2);
            const float bc1 = static_cast<float>(1.0 - std::pow(m_config.beta1, steps));
            const float bc2 = static_cast<float>(1.0 - std::pow(m_config.beta2, steps));
            // 1 − β in double: in float, 1 − 0.999f loses 4 digits.
            const float omb1 = static_cast<float>(1.0 - m_config.beta1);
            const float omb2 = static_cast<float>(1.0 - m_config.beta2);
            const float eps = static_cast<float>(m_config.eps);
            // One pass over p, g, m, v, a cache-sized chunk at a time (whole-array passes would
            // stream m and v twice); large blocks (full fine-tuning) split over threads.
            const detail::KernelTable& kt = detail::kernels();
            const float stepScale = lr / bc1, invBc2 = 1.0f / bc2;
            const Index chunks = (n + kChunk - 1) / kChunk;
            const float* mIn = from.m[block].data();
            const float* vIn = from.v[block].data();
            float* mOut = to.m[block].data();
            float* vOut = to.v[block].data();
            const float* gp = g.data();
            const int threads = n >= kParallelParams ? m_threads : 1;
            detail::onTeam(threads, [&](int t, int team) {
                const auto [c0, c1] = detail::share(chunks, t, team, 1);
                for (Index c = c0; c < c1; ++c) {
                    const Index at = c * kChunk, len = std::min(kChunk, n - at);
                    const detail::AdamArgs args{p + at,    gp + at,   mIn + at, vIn + at,
                                                pOut + at, mOut + at, vOut + at, b1,
                                                b2,        omb1,      omb2,     stepScale,
                                                invBc2,    eps};
                    kt.adam(args, len);
                }
            });
            break;
        }
    }
}

void Optimizer::update(std::size_t block, Matrix& p, const Matrix& g) {
    check(block, p, g);
    m_canUndo = false;
    apply(block, p.data(), g, p.data(), m_state, m_state);
}

void Optimizer::applyPair(const Matrix& p0, const Matrix& g0, Matrix& out0, const Matrix& p1,
                          const Matrix& g1, Matrix& out1, State& from, State& to) {
    const Index n0 = p0.size(), n1 = p1.size();
    // Side by side on whichever team is awake: after a fit step's pass over T on the spinning
    // team, an OpenMP fork would park its worker and then wait for libgomp's to wake. A
    // region of the spinning team costs far less than an OpenMP fork (spin_team.h).
    const bool spinning = detail::SpinTeam::instance().awake();
    bool sideBySide = n0 + n1 >= (spinning ? kSpinPairParams : kPairParams) &&
                      n0 < kParallelParams && n1 < kParallelParams && m_threads > 1;
#if defined(_OPENMP)
    sideBySide = sideBySide && !omp_in_parallel();
#endif
    auto body = [&](int t, int team) {
        if (t == 0) apply(0, p0.data(), g0, out0.data(), from, to);
        if (t == 1 || team == 1) apply(1, p1.data(), g1, out1.data(), from, to);
    };
    if (sideBySide && spinning) detail::onSpinTeam(2, body);
    else detail::onTeam(sideBySide ? 2 : 1, body);
}

void Optimizer::updatePair(Matrix& p0, const Matrix& g0, Matrix& p1, const Matrix& g1) {
    check(0, p0, g0);  // throws here, never inside the team
    check(1, p1, g1);
    m_canUndo = false;
    applyPair(p0, g0, p0, p1, g1, p1, m_state, m_state);
}

void Optimizer::reserveUndo() {
    m_previous.m.resize(m_state.m.size());
    m_previous.v.resize(m_state.v.size());
    for (std::size_t i = 0; i < m_state.m.size(); ++i)
        if (m_previous.m[i].rows() != m_state.m[i].rows() ||
            m_previous.m[i].cols() != m_state.m[i].cols())
            m_previous.m[i] = hugeZeros(m_state.m[i].rows(), m_state.m[i].cols());
    for (std::size_t i = 0; i < m_state.v.size(); ++i)
        if (m_previous.v[i].rows() != m_state.v[i].rows() ||
            m_previous.v[i].cols() != m_state.v[i].cols())
            m_previous.v[i] = hugeZeros(m_state.v[i].rows(), m_state.v[i].cols());
}

void Optimizer::updatePairInto(const Matrix& p0, const Matrix& g0, Matrix& out0,
                               const Matrix& p1, const Matrix& g1, Matrix& out1) {
    check(0, p0, g0);
    check(1, p1, g1);
    if (&out0 == &p0 || &out1 == &p1 || &out0 == &out1 || &out0 == &p1 || &out1 == &p0)
        require(false, "Optimizer::updatePairInto",
                "out0 and out1 must be matrices of their own (use updatePair in place)");
    reserveUndo();
    out0.resize(p0.rows(), p0.cols());
    out1.resize(p1.rows(), p1.cols());
    applyPair(p0, g0, out0, p1, g1, out1, m_state, m_previous);
    m_previous.t = m_state.t;
    m_state.t -= 1;  // the step before beginStep()
    std::swap(m_state, m_previous);
    m_canUndo = true;
}

void Optimizer::undoStep() {
    if (!m_canUndo)
        require(false, "Optimizer::undoStep", "no step to undo since the last updatePairInto");
    std::swap(m_state, m_previous);
    m_canUndo = false;
}

void Optimizer::resizeBlock(std::size_t block, Index rows, Index cols, double scale) {
    require(block < m_shapes.size(), "Optimizer::resizeBlock",
            "block = " + std::to_string(block) + "; allowed 0.." +
                std::to_string(static_cast<long long>(m_shapes.size()) - 1));
    require(rows >= 1 && cols >= 1, "Optimizer::resizeBlock",
            "shape " + shapeStr(rows, cols) + "; both sizes must be >= 1");
    requireFinite(scale, "scale");
    m_shapes[block] = {rows, cols};
    m_canUndo = false;
    if (block < m_state.m.size()) m_state.m[block] = resized(m_state.m[block], rows, cols, scale);
    if (block < m_state.v.size())
        m_state.v[block] = resized(m_state.v[block], rows, cols, scale * scale);
}

std::size_t Optimizer::stateFloats() const {
    std::size_t n = 0;
    for (const auto& x : m_state.m) n += static_cast<std::size_t>(x.size());
    for (const auto& x : m_state.v) n += static_cast<std::size_t>(x.size());
    return n;
}

void Optimizer::setState(const State& s) {
    require(s.m.size() == m_state.m.size() && s.v.size() == m_state.v.size(),
            "Optimizer::setState",
            "state has " + std::to_string(s.m.size()) + "+" + std::to_string(s.v.size()) +
                " blocks; this optimizer holds " + std::to_string(m_state.m.size()) + "+" +
                std::to_string(m_state.v.size()));
    for (std::size_t i = 0; i < s.m.size(); ++i)
        require(s.m[i].rows() == m_shapes[i].first && s.m[i].cols() == m_shapes[i].second,
                "Optimizer::setState", "block " + std::to_string(i) + " has the wrong shape");
    for (std::size_t i = 0; i < s.v.size(); ++i)
        require(s.v[i].rows() == m_shapes[i].first && s.v[i].cols() == m_shapes[i].second,
                "Optimizer::setState", "block " + std::to_string(i) + " has the wrong shape");
    require(s.t >= 0, "Optimizer::setState", "t = " + std::to_string(s.t) + "; must be >= 0");
    m_canUndo = false;
    m_state.t = s.t;
    for (std::size_t i = 0; i < s.m.size(); ++i) m_state.m[i] = s.m[i];
    for (std::size_t i = 0; i < s.v.size(); ++i) m_state.v[i] = s.v[i];
}

}  // namespace loralab
