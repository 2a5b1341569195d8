// The trainer: one target, one set of factors, one optimizer, and the loss history.
// The GUI, the headless mode and the tests all drive training through this class.
//
//   Trainer t(config);           // builds T, its spectrum, factors and optimizer
//   t.step(100);                 // 100 optimizer steps (stops early if it diverges)
//   t.setRank(8);                // keeps what was learned; ΔW unchanged when growing
//   t.history()                  // (step, loss, floor, rank) per recorded step
//
// The spectrum holds at least the top rank values (partial on large targets, analysis.h); a
// rank past them extends it first. Off the caller's thread (a window that must not freeze):
//   Spectrum more = extendSpectrum(t.spectrum(), t.target(), n, control);  // on a worker
//   t.adoptSpectrum(std::move(more));                                     // then, cheap
#pragma once

#include "loralab/analysis.h"
#include "loralab/factors.h"
#include "loralab/objective.h"
#include "loralab/optimizer.h"
#include "loralab/target.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace loralab {

struct TrainerConfig {
    TargetSpec target;           // d and k of the problem come from here (or the custom target)
    Index rank = 4;
    double alpha = 4.0;          // s = α/r (α/√r with rslora)
    bool rslora = false;
    Init init = Init::Peft;
    OptimizerConfig optimizer;
    std::uint64_t seed = 1;      // factor init; the target has its own seed in `target`
    std::size_t historyLimit = 200000;  // past this the history is thinned 2:1 (memory stays flat)
    int threads = 0;             // most threads a step uses; 0 = all cores
};

struct HistoryPoint {
    long long step;  // number of updates applied before this loss was measured
    double loss;
    double floor;    // Eckart–Young floor at the rank in force
    Index rank;
};

struct StepReport {
    long long stepsDone = 0;     // updates applied by this call
    bool diverged = false;
    long long divergedAtStep = -1;  // the step whose loss or parameters were non-finite
};

class Trainer {
public:
    // Throws std::invalid_argument for any invalid field (rank outside 1..min(d, k), bad α, ...).
    // Builds the spectrum of T (topSpectrum: the top spectrumValues(rank, d, k) values, dense
    // on small targets), the costliest part on large ones: prefer setRank/reset/setAlpha over
    // rebuilding when the target stays. control reports that spectrum's progress and can
    // cancel it (Cancelled is thrown; nothing else happened).
    explicit Trainer(const TrainerConfig& config, const SvdControl& control = {});
    // A caller-given target (config.target.kind should be TargetKind::File; d, k are taken from T).
    Trainer(const TrainerConfig& config, Matrix target, const SvdControl& control = {});

    // Copies and moves re-bind the objective to the new object's own target.
    Trainer(const Trainer& other);
    Trainer(Trainer&& other) noexcept;
    Trainer& operator=(const Trainer& other);
    Trainer& operator=(Trainer&& other) noexcept;
    ~Trainer() = default;

    // n optimizer steps. Each step records the loss at the current factors in the history, then
    // updates. Divergence guard: each update is followed by the evaluation of the new state;
    // a non-finite loss, parameter or gradient stops training, restores the state before that
    // update (factors and optimizer state, bit for bit), and reports the step whose state was
    // non-finite. On return the trainer always holds a finite state.
    StepReport step(long long n = 1);

    // New factors (and optimizer state) from `seed`; same target. Clears history and step count.
    void reset(std::uint64_t seed);
    // Rebuild everything (target included) from a new config. With config.target.kind == File
    // the current target is kept (d, k come from it). Strong guarantee: throws before changing.
    void reconfigure(const TrainerConfig& config);

    // Change the rank, keeping what was learned:
    //   growing: B ← [B·(s_old/s_new), 0], A ← [A; fresh rows]: ΔW is unchanged;
    //   shrinking: s·B·A ← the best rank-r' approximation of the current ΔW (Eckart–Young).
    // Optimizer state follows the shared part (growing) or restarts (shrinking). A rank past
    // the computed spectrum extends it first (to spectrumValues(rank, d, k) at least).
    void setRank(Index rank);
    // Replace the spectrum with one of the same target computed elsewhere (extendSpectrum on
    // a worker). Throws unless its shape matches and it covers the current rank.
    void adoptSpectrum(Spectrum spectrum);
    // How many top values a trainer of this rank computes: the rank, at least 16 (what a
    // spectrum panel shows), and when growing twice what was there, so that dragging the rank
    // up does not restart the computation at every step (never so many that a dense SVD would
    // be picked when the rank alone would not: see spectrumMethodFor).
    static Index spectrumValues(Index rank, Index d, Index k, Index computedBefore = 0);
    void setLearningRate(double lr);
    void setOptimizer(const OptimizerConfig& opt);  // restarts optimizer state
    void setAlpha(double alpha, bool rslora);       // keeps ΔW by rescaling B

    const TrainerConfig& config() const { return m_config; }
    const Matrix& target() const { return m_T; }
    const Factors& factors() const { return m_factors; }
    const Spectrum& spectrum() const { return m_spectrum; }
    const Optimizer& optimizer() const { return m_opt; }
    const std::vector<HistoryPoint>& history() const { return m_history; }
    const std::vector<long long>& rankChanges() const { return m_rankChanges; }  // steps

    Index d() const { return m_T.rows(); }
    Index k() const { return m_T.cols(); }
    Index rank() const { return m_factors.rank(); }
    long long stepCount() const { return m_step; }
    double currentLoss();              // loss at the current factors (Gram form)
    double currentFloor() const { return m_spectrum.floor(rank()); }
    Matrix deltaW() const { return m_factors.deltaW(); }
    // Gradients at the current factors once step() has run (the ones the next update uses);
    // zero after construction, reset or a rank change until the next step().
    const Matrix& gradB() const { return m_dB; }
    const Matrix& gradA() const { return m_dA; }
    std::optional<long long> lastDivergence() const { return m_lastDivergence; }

private:
    void build(Matrix target, const SvdControl& control);
    SvdControl spectrumControl() const;  // no progress, the config's thread count
    void initFactors(std::uint64_t seed);
    void record(double loss);
    void reserveStepBuffers();  // sizes m_nextB, m_nextA and the optimizer's undo buffers
    void rebindObjective();
    bool evaluateCurrent();  // loss and gradients at the current factors; false if non-finite
    std::vector<std::pair<Index, Index>> blockShapes() const;

    TrainerConfig m_config;
    Matrix m_T;
    Spectrum m_spectrum;
    Factors m_factors;
    Optimizer m_opt;
    GramObjective m_objective;
    Matrix m_dB, m_dA;
    long long m_step = 0;
    std::vector<HistoryPoint> m_history;
    std::vector<long long> m_rankChanges;
    long long m_historyStride = 1;
    std::optional<long long> m_lastDivergence;

    // Where an update writes the next B and A (the optimizer's updatePairInto). They swap
    // with the factors' after it, and hold the state before it until the next update: the
    // divergence guard swaps back instead of copying the state before every step.
    Matrix m_nextB, m_nextA;

    // Loss and gradients (m_dB, m_dA) at the current factors, valid until the factors change.
    bool m_evalValid = false;
    double m_evalLoss = 0.0;
};

}  // namespace loralab
