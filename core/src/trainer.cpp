// The trainer: target, spectrum, factors, optimizer, history, rank changes, divergence guard.
//
//   construction, copies and moves (which re-bind the objective to their own target)
//   build, initFactors, record       the state and its history
//   step                             updates with the divergence guard
//   reset, reconfigure, setRank, setLearningRate, setOptimizer, setAlpha
#include "loralab/trainer.h"
#include "loralab/format.h"

#include "loralab/rng.h"

#include <cmath>
#include <string>
#include <utility>

namespace loralab {

namespace {

void validateConfig(const TrainerConfig& c, Index d, Index k) {
    requireShape(d, k, c.rank);
    requireFinite(c.alpha, "alpha", true);
    validate(c.optimizer);
    require(c.init == Init::Peft || c.init == Init::Gaussian || c.init == Init::Svd, "init",
            "unknown value; allowed peft, gaussian, svd");
    require(c.historyLimit >= 2, "historyLimit",
            "historyLimit = " + std::to_string(c.historyLimit) + "; must be >= 2");
    require(c.threads >= 0, "threads",
            "threads = " + std::to_string(c.threads) + "; must be >= 0 (0 = all cores)");
}

// Seed for the A rows added by a rank change: distinct per (seed, step, old rank).
std::uint64_t growSeed(std::uint64_t seed, long long step, Index oldRank) {
    Rng mix(seed ^ (0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(step + 1)) ^
            (0xD1B54A32D192ED03ull * static_cast<std::uint64_t>(oldRank)));
    return mix.nextU64();
}

}  // namespace

Trainer::Trainer(const TrainerConfig& config, const SvdControl& control) : m_config(config) {
    // Cheap checks first, so a bad rank fails before the target and its SVD are built.
    validateConfig(config, config.target.d, config.target.k);
    build(makeTarget(config.target), control);
}

Trainer::Trainer(const TrainerConfig& config, Matrix target, const SvdControl& control)
    : m_config(config) {
    require(target.rows() >= 1 && target.cols() >= 1, "target",
            "the given target is " + shapeStr(target) + "; must be non-empty");
    require(target.allFinite(), "target", "the given target has non-finite entries");
    m_config.target.kind = TargetKind::File;
    m_config.target.d = target.rows();
    m_config.target.k = target.cols();
    validateConfig(m_config, target.rows(), target.cols());
    build(std::move(target), control);
}

Trainer::Trainer(const Trainer& o)
    : m_config(o.m_config), m_T(o.m_T), m_spectrum(o.m_spectrum), m_factors(o.m_factors),
      m_opt(o.m_opt), m_objective(o.m_objective), m_dB(o.m_dB), m_dA(o.m_dA),
      m_step(o.m_step), m_history(o.m_history), m_rankChanges(o.m_rankChanges),
      m_historyStride(o.m_historyStride), m_lastDivergence(o.m_lastDivergence),
      m_nextB(o.m_nextB), m_nextA(o.m_nextA),
      m_evalValid(o.m_evalValid), m_evalLoss(o.m_evalLoss) {
    rebindObjective();
}

Trainer::Trainer(Trainer&& o) noexcept
    : m_config(std::move(o.m_config)), m_T(std::move(o.m_T)),
      m_spectrum(std::move(o.m_spectrum)), m_factors(std::move(o.m_factors)),
      m_opt(std::move(o.m_opt)), m_objective(std::move(o.m_objective)),
      m_dB(std::move(o.m_dB)), m_dA(std::move(o.m_dA)), m_step(o.m_step),
      m_history(std::move(o.m_history)), m_rankChanges(std::move(o.m_rankChanges)),
      m_historyStride(o.m_historyStride), m_lastDivergence(o.m_lastDivergence),
      m_nextB(std::move(o.m_nextB)), m_nextA(std::move(o.m_nextA)),
      m_evalValid(o.m_evalValid), m_evalLoss(o.m_evalLoss) {
    rebindObjective();
}

Trainer& Trainer::operator=(const Trainer& o) {
    if (this != &o) {
        Trainer copy(o);
        *this = std::move(copy);
    }
    return *this;
}

Trainer& Trainer::operator=(Trainer&& o) noexcept {
    if (this != &o) {
        m_config = std::move(o.m_config);
        m_T = std::move(o.m_T);
        m_spectrum = std::move(o.m_spectrum);
        m_factors = std::move(o.m_factors);
        m_opt = std::move(o.m_opt);
        m_objective = std::move(o.m_objective);
        m_dB = std::move(o.m_dB);
        m_dA = std::move(o.m_dA);
        m_step = o.m_step;
        m_history = std::move(o.m_history);
        m_rankChanges = std::move(o.m_rankChanges);
        m_historyStride = o.m_historyStride;
        m_lastDivergence = o.m_lastDivergence;
        m_nextB = std::move(o.m_nextB);
        m_nextA = std::move(o.m_nextA);
        m_evalValid = o.m_evalValid;
        m_evalLoss = o.m_evalLoss;
        rebindObjective();
    }
    return *this;
}

void Trainer::rebindObjective() {
    if (m_T.size() > 0) m_objective.setTarget(m_T);
}

std::vector<std::pair<Index, Index>> Trainer::blockShapes() const {
    return {{d(), rank()}, {rank(), k()}};
}

void Trainer::build(Matrix target, const SvdControl& control) {
    SvdControl threaded = control;
    threaded.threads = spectrumControl().threads;
    m_spectrum = topSpectrum(target, spectrumValues(m_config.rank, target.rows(), target.cols()),
                             threaded);
    m_T = std::move(target);
    m_objective.setTarget(m_T);
    m_objective.setThreads(m_config.threads);
    initFactors(m_config.seed);
}

SvdControl Trainer::spectrumControl() const {
    SvdControl c;
    c.threads = m_config.threads;
    return c;
}

Index Trainer::spectrumValues(Index rank, Index d, Index k, Index computedBefore) {
    const Index m = std::min(d, k);
    Index n = std::max<Index>(rank, std::min<Index>(m, 16));
    if (computedBefore > 0) {
        // Doubling must not cross into the dense method on its own.
        Index grown = std::min(m, 2 * computedBefore);
        if (spectrumMethodFor(d, k, n) == SpectrumMethod::Partial)
            while (grown > n && spectrumMethodFor(d, k, grown) == SpectrumMethod::Dense) grown /= 2;
        n = std::max(n, grown);
    }
    return std::min(n, m);
}

void Trainer::adoptSpectrum(Spectrum spectrum) {
    require(spectrum.d == d() && spectrum.k == k(), "adoptSpectrum",
            "the spectrum is of a " + std::to_string(spectrum.d) + "x" +
                std::to_string(spectrum.k) + " matrix; the target is " + std::to_string(d()) +
                "x" + std::to_string(k()));
    require(spectrum.covers(rank()), "adoptSpectrum",
            "the spectrum has " + std::to_string(spectrum.computed()) +
                " values; rank " + std::to_string(rank()) + " needs as many");
    m_spectrum = std::move(spectrum);
}

void Trainer::initFactors(std::uint64_t seed) {
    if (m_config.init == Init::Svd && m_spectrum.U.cols() < m_config.rank)
        m_spectrum = extendSpectrum(m_spectrum, m_T, m_config.rank, spectrumControl());
    if (m_config.init == Init::Svd)
        m_factors = svdInitFactors(m_spectrum, m_config.rank, m_config.alpha, m_config.rslora);
    else
        m_factors = makeFactors(d(), k(), m_config.rank, m_config.alpha, m_config.rslora,
                                m_config.init, seed);
    m_opt = Optimizer(m_config.optimizer, blockShapes(), m_config.threads);
    m_dB = Matrix::Zero(d(), rank());
    m_dA = Matrix::Zero(rank(), k());
    m_step = 0;
    m_history.clear();
    m_rankChanges.clear();
    m_historyStride = 1;
    m_lastDivergence.reset();
    m_evalValid = false;
    reserveStepBuffers();
}

void Trainer::reserveStepBuffers() {
    m_nextB.resize(d(), rank());  // no allocation when the shapes are unchanged
    m_nextA.resize(rank(), k());
    m_opt.reserveUndo();
}

void Trainer::record(double loss) {
    const HistoryPoint p{m_step, loss, currentFloor(), rank()};
    // Re-measuring a step (after a divergence restore) replaces its point.
    if (!m_history.empty() && m_history.back().step == m_step) {
        m_history.back() = p;
        return;
    }
    const bool rankChangedHere = !m_rankChanges.empty() && m_rankChanges.back() == m_step;
    if (m_step % m_historyStride != 0 && !rankChangedHere) return;
    m_history.push_back(p);
    if (m_history.size() > m_config.historyLimit) {
        // Thin 2:1 (keep even positions, always the newest) and record half as often.
        std::size_t out = 0;
        for (std::size_t i = 0; i < m_history.size(); i += 2) m_history[out++] = m_history[i];
        if (m_history[out - 1].step != p.step) m_history[out++] = p;
        m_history.resize(out);
        m_historyStride *= 2;
    }
}

bool Trainer::evaluateCurrent() {
    m_evalLoss = m_objective.evaluate(m_factors.B, m_factors.A, m_factors.scale(), &m_dB, &m_dA);
    m_evalValid = true;
    return std::isfinite(m_evalLoss) && m_factors.allFinite() && allFinite(m_dB) &&
           allFinite(m_dA);
}

// Each update is followed by the evaluation of the new state (loss and gradients, cached for
// the next update), so a non-finite loss, parameter or gradient is caught right after the
// update that produced it and undone: on return the trainer always holds a finite state.
StepReport Trainer::step(long long n) {
    require(n >= 0, "steps", "n = " + std::to_string(n) + "; must be >= 0");
    StepReport report;
    if (n == 0) return report;
    const long long start = m_step;
    if (!m_evalValid && !evaluateCurrent()) {
        // The state we were handed is already non-finite: nothing to train from.
        report.diverged = true;
        report.divergedAtStep = m_step;
        m_lastDivergence = m_step;
        return report;
    }
    for (long long i = 0; i < n; ++i) {
        record(m_evalLoss);
        m_opt.beginStep();
        m_opt.updatePairInto(m_factors.B, m_dB, m_nextB, m_factors.A, m_dA, m_nextA);
        m_factors.B.swap(m_nextB);  // m_nextB, m_nextA: the state before this update
        m_factors.A.swap(m_nextA);
        ++m_step;
        if (!evaluateCurrent()) {
            report.diverged = true;
            report.divergedAtStep = m_step;
            m_lastDivergence = m_step;
            m_factors.B.swap(m_nextB);
            m_factors.A.swap(m_nextA);
            m_opt.undoStep();
            --m_step;
            evaluateCurrent();  // finite: this state was evaluated before its update
            break;
        }
    }
    report.stepsDone = m_step - start;
    return report;
}

void Trainer::reset(std::uint64_t seed) {
    m_config.seed = seed;
    initFactors(seed);
}

void Trainer::reconfigure(const TrainerConfig& config) {
    if (config.target.kind == TargetKind::File) {
        Trainer fresh(config, m_T);
        *this = std::move(fresh);
    } else {
        Trainer fresh(config);
        *this = std::move(fresh);
    }
}

void Trainer::setRank(Index newRank) {
    requireShape(d(), k(), newRank);
    const Index oldRank = rank();
    if (newRank == oldRank) return;
    if (!m_spectrum.covers(newRank))
        m_spectrum = extendSpectrum(
            m_spectrum, m_T, spectrumValues(newRank, d(), k(), m_spectrum.computed()),
            spectrumControl());
    const double sOld = m_factors.scale();
    const double sNew = loraScale(m_config.alpha, newRank, m_config.rslora);

    if (newRank > oldRank) {
        // s_new·[c·B, 0]·[A; A_new] = s_old·B·A with c = s_old/s_new: ΔW unchanged.
        const double c = sOld / sNew;
        Matrix B = Matrix::Zero(d(), newRank);
        B.leftCols(oldRank) = static_cast<float>(c) * m_factors.B;
        Matrix A(newRank, k());
        A.topRows(oldRank) = m_factors.A;
        const Init rowInit = m_config.init == Init::Gaussian ? Init::Gaussian : Init::Peft;
        initARows(A, oldRank, rowInit, growSeed(m_config.seed, m_step, oldRank));
        m_factors.B = std::move(B);
        m_factors.A = std::move(A);
        // B's gradient scales by 1/c; A's is unchanged on the shared rows.
        m_opt.resizeBlock(0, d(), newRank, 1.0 / c);
        m_opt.resizeBlock(1, newRank, k(), 1.0);
    } else {
        // Eckart–Young: keep the top newRank triplets of ΔW, split evenly between B and A.
        const DeltaSvd ds = deltaSvd(m_factors.B, m_factors.A, sOld);
        const VectorD root = ds.sigma.head(newRank).cwiseSqrt() / std::sqrt(sNew);
        m_factors.B = (ds.U.leftCols(newRank).cast<double>() * root.asDiagonal()).cast<float>();
        m_factors.A = (root.asDiagonal() * ds.V.leftCols(newRank).cast<double>().transpose())
                          .cast<float>();
        m_opt = Optimizer(m_config.optimizer, {{d(), newRank}, {newRank, k()}}, m_config.threads);
    }
    m_config.rank = newRank;
    m_dB = Matrix::Zero(d(), newRank);
    m_dA = Matrix::Zero(newRank, k());
    if (m_rankChanges.empty() || m_rankChanges.back() != m_step) m_rankChanges.push_back(m_step);
    m_evalValid = false;
    reserveStepBuffers();
}

void Trainer::setLearningRate(double lr) {
    m_opt.setLearningRate(lr);
    m_config.optimizer.lr = lr;
}

void Trainer::setOptimizer(const OptimizerConfig& opt) {
    validate(opt);
    m_opt = Optimizer(opt, blockShapes(), m_config.threads);
    m_config.optimizer = opt;
    reserveStepBuffers();
}

void Trainer::setAlpha(double alpha, bool rslora) {
    requireFinite(alpha, "alpha", true);
    const double sOld = m_factors.scale();
    const double sNew = loraScale(alpha, rank(), rslora);
    const double c = sOld / sNew;
    m_factors.B *= static_cast<float>(c);
    m_factors.alpha = alpha;
    m_factors.rslora = rslora;
    m_config.alpha = alpha;
    m_config.rslora = rslora;
    m_opt.resizeBlock(0, d(), rank(), 1.0 / c);  // same shapes: the step buffers still fit
    m_evalValid = false;
}

double Trainer::currentLoss() {
    if (m_evalValid) return m_evalLoss;
    return m_objective.evaluate(m_factors.B, m_factors.A, m_factors.scale());
}

}  // namespace loralab
