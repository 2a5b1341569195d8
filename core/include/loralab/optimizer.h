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
    // `threads` (0 = all cores) is the most an update uses.
    Optimizer(const OptimizerConfig& config, const std::vector<std::pair<Index, Index>>& shapes,
              int threads = 0);

    const OptimizerConfig& config() const { return m_config; }
    void setThreads(int threads);  // 0 = all cores
    void setLearningRate(double lr);  // throws unless finite and > 0

    // Call once per training step, before the block updates (advances Adam's t).
    void beginStep();
    // p −= update(g) for block `block`; p and g must have the block's shape. No allocation.
    void update(std::size_t block, Matrix& p, const Matrix& g);
    // Blocks 0 and 1 (a fit step's B and A) in one call, the same results as two update()
    // calls. From a size on (core/README.md), with two or more threads, they run side by side:
    // block 0 on the calling thread, block 1 on a second one.
    void updatePair(Matrix& p0, const Matrix& g0, Matrix& p1, const Matrix& g1);
    // The same update out of place, for a caller that may take the step back (the trainer's
    // divergence guard): out0 and out1 get the updated p0 and p1 (resized if they differ), p0
    // and p1 are left as they were, and the new state goes to a second set of buffers, keeping
    // the one before; undoStep() returns to it, t included. Bit for bit the results of
    // updatePair, without copying the factors and state before each step. Allocates nothing
    // once reserveUndo() has sized the second set for the current shapes.
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
    static constexpr Index kChunk = 1024;                     // Adam: floats per pass
    static constexpr Index kParallelParams = Index{1} << 18;  // a block on a team from here on
    // updatePair side by side from here on (OpenMP team, spinning team): below, the fork and
    // moving each gradient to the other core cost more than the update.
    static constexpr Index kPairParams = 32768;
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
    int m_threads = 1;
    State m_state;
    State m_previous;          // updatePairInto's second set of buffers
    bool m_canUndo = false;    // m_previous holds the state before the last step
    std::vector<std::pair<Index, Index>> m_shapes;  // rows×cols of each block
};

}  // namespace loralab
