// Optimizers over a fixed list of parameter blocks (for LoRA: block 0 = B, block 1 = A).
//
// State is sized to the trainable parameters only: momentum keeps one value per parameter,
// Adam two (m, v) plus the step count for bias correction.
//   SGD:       p −= lr·g
//   Momentum:  u = μ·u + g;  p −= lr·u                         (PyTorch's SGD(momentum=μ))
//   Adam:      m = β₁m + (1−β₁)g;  v = β₂v + (1−β₂)g²;
//              p −= lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)       (β₁ 0.9, β₂ 0.999, ε 1e-8)
#pragma once

#include "loralab/types.h"

#include <string>
#include <vector>

namespace loralab {

enum class OptimizerKind { Sgd, Momentum, Adam };

const char* optimizerName(OptimizerKind kind);             // "sgd", "momentum", "adam"
OptimizerKind parseOptimizer(const std::string& name);      // throws std::invalid_argument

struct OptimizerConfig {
    OptimizerKind kind = OptimizerKind::Adam;
    double lr = 1e-2;
    double momentum = 0.9;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
};

void validate(const OptimizerConfig& config);  // lr finite and > 0, betas in [0, 1), ...

class Optimizer {
public:
    Optimizer() = default;
    // One block per parameter matrix, with its shape. Throws on an invalid config.
    Optimizer(const OptimizerConfig& config, const std::vector<std::pair<Index, Index>>& shapes);

    const OptimizerConfig& config() const { return m_config; }
    void setLearningRate(double lr);  // throws unless finite and > 0

    // Call once per training step, before the block updates (advances Adam's t).
    void beginStep();
    // p −= update(g) for block `block`; p and g must have the block's shape. No allocation.
    void update(std::size_t block, Matrix& p, const Matrix& g);
    // Blocks 0 and 1 (a fit step's B and A) in one call. From kPairParams parameters on
    // (kSpinPairParams while the spinning team is awake after a fit step's pass), with
    // two or more threads, they run side by side: block 0 on the calling thread (OpenMP
    // thread 0), block 1 on thread 1. Same results as two update() calls. GramObjective's team
    // writes half of dB's rows and half of dA's columns on each core, so half of each gradient
    // crosses to the other core; splitting the update by those halves instead measured the
    // same (1024², r = 1 and 4, two threads, step against pass over T alone: 1.14-1.16 and
    // 1.22-1.25 either way), so the simpler split stays.
    void updatePair(Matrix& p0, const Matrix& g0, Matrix& p1, const Matrix& g1);
    // The same update out of place, for a caller that may take the step back (the trainer's
    // divergence guard): out0 and out1 get the updated p0 and p1 (resized if they differ),
    // p0 and p1 are left as they were, and the new state goes to a second set of buffers,
    // keeping the one before. undoStep() then returns to it, t included. Bit for bit the
    // results of updatePair. This replaces a copy of the factors and the state before each
    // step: at 256², r = 16 (8,192 parameters, Adam: 128 KiB) that copy took 3-5 µs of a
    // 47-52 µs step on two threads, 2-4 µs on one (Zen 3, interleaved in one process).
    // Allocates nothing once reserveUndo() has sized the second set for the current shapes
    // (else it sizes it itself, on the first call).
    void updatePairInto(const Matrix& p0, const Matrix& g0, Matrix& out0, const Matrix& p1,
                        const Matrix& g1, Matrix& out1);
    void reserveUndo();
    // Back to the state before the last beginStep() and updatePairInto(). Throws when there is
    // nothing to undo: no updatePairInto since the state was last set, reset or reshaped, or
    // already undone.
    void undoStep();

    // Reshape a block's state to rows×cols keeping the shared top-left part and zeroing the
    // rest; the shared part is multiplied by `scale` (first moment) and scale² (second moment),
    // so it follows a gradient that was rescaled by `scale` (a parameter block multiplied by c
    // has its gradient multiplied by 1/c: pass scale = 1/c).
    void resizeBlock(std::size_t block, Index rows, Index cols, double scale = 1.0);
    void resetState();             // zero all state and t
    long long stepCount() const { return m_state.t; }
    std::size_t stateFloats() const;  // number of floats of state held (0 for SGD)

    // The state, for tests and callers that save and restore it.
    struct State {
        std::vector<Matrix> m, v;
        long long t = 0;
    };
    const State& state() const { return m_state; }
    void setState(const State& s);

    std::size_t blockCount() const { return m_shapes.size(); }

private:
    static constexpr Index kChunk = 1024;                 // Adam: floats per pass (4 KiB × 4 arrays)
    static constexpr Index kParallelParams = Index{1} << 18;  // Adam: threads from here on
    // updatePair: two threads from here on. Below, the fork (about 3 µs here) and moving each
    // gradient to the other core cost more than the update: 8,192 parameters (256², r = 16)
    // measured 35 against 43-45 µs a fit step side by side. 32,768 gain: the update of
    // 1024², r = 16 took 18.6-21.2 against 23.1-29.5 µs, of 4096², r = 4 22.6-24.6 against
    // 24.0-37.4 µs (medians of three alternating runs of 3,000 and 300 steps).
    static constexpr Index kPairParams = 32768;
    // The same on an awake spinning team (a region costs about 1 µs, spin_team.h): 8,192
    // parameters (256², r = 16) 4.7 against 6.8 µs side by side, 2,048 (1024², r = 1) 2.7
    // against 2.1 µs alone.
    static constexpr Index kSpinPairParams = 8192;
    void check(std::size_t block, const Matrix& p, const Matrix& g) const;  // throws
    // Block `block` of `from` (state and parameters p) updated with gradient g into `to` and
    // pOut, which may be `from` and p themselves. After check(); no throw.
    void apply(std::size_t block, const float* p, const Matrix& g, float* pOut, State& from,
               State& to);
    // Both blocks, side by side where that pays (see updatePair).
    void applyPair(const Matrix& p0, const Matrix& g0, Matrix& out0, const Matrix& p1,
                   const Matrix& g1, Matrix& out1, State& from, State& to);
    OptimizerConfig m_config;
    State m_state;
    State m_previous;          // updatePairInto's second set of buffers
    bool m_canUndo = false;    // m_previous holds the state before the last step
    std::vector<std::pair<Index, Index>> m_shapes;  // rows×cols of each block
};

}  // namespace loralab
