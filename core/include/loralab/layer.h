// The layer workload (what the bench times on model-sized layers):
//
//   frozen W0 (d×k), token batch X (k×n), teacher Y* = (W0 + ΔW*)·X with a rank-r* ΔW*
//   LoRA:   Y = W0·X + s·B·(A·X);  L = ‖Y − Y*‖²_F / (d·n)
//           dY = (2/dn)(Y − Y*)  d×n;   dB = s·dY·(A·X)ᵀ  d×r;   dA = s·(Bᵀ·dY)·Xᵀ  r×k
//   Full fine-tuning of the same layer trains W0 itself:
//           Y = W·X;  dW = dY·Xᵀ  d×k
//
// A step = forward, loss, backward to the trainable parameters only, optimizer update.
#pragma once

#include "loralab/factors.h"
#include "loralab/optimizer.h"
#include "loralab/types.h"

#include <cstdint>
#include <memory>

namespace loralab {

struct LayerProblem {
    Matrix W0;     // d×k, frozen
    Matrix X;      // k×n, the token batch
    Matrix Ystar;  // d×n, the teacher's output
};

// W0 ~ N(0, 1/k), X ~ N(0, 1), ΔW* = rank-r* Gaussian scaled to ~0.1 of W0's RMS.
LayerProblem makeLayerProblem(Index d, Index k, Index n, Index teacherRank, std::uint64_t seed);

// ---- naive reference (test oracle) -------------------------------------------------------------
double layerLossNaive(const LayerProblem& p, const Matrix& B, const Matrix& A, double s);
double layerLossGradNaive(const LayerProblem& p, const Matrix& B, const Matrix& A, double s,
                          Matrix& dB, Matrix& dA);
double fullLossGradNaive(const LayerProblem& p, const Matrix& W, Matrix& dW);

// ---- production steps with preallocated workspaces ---------------------------------------------

struct LayerConfig {
    OptimizerConfig optimizer;
    int threads = 0;  // 0: all cores
};

class ThinProducts;  // core/src/thin_products.h

// LoRA on a frozen W0. Holds the workspaces (A·X, Y, dY, ...) so that step() allocates nothing
// after the first.
// Both trainers keep a pointer to `problem`: it must outlive them. Throws on mismatched shapes.
class LoraLayerTrainer {
public:
    LoraLayerTrainer(const LayerProblem& problem, Factors factors, const LayerConfig& config);
    ~LoraLayerTrainer();
    LoraLayerTrainer(LoraLayerTrainer&&) noexcept;

    double lossGrad();  // forward + backward at the current factors; fills gradB(), gradA()
    double step();      // lossGrad() then one optimizer update; returns the loss before it

    const Factors& factors() const { return m_factors; }
    const Matrix& gradB() const { return m_dB; }
    const Matrix& gradA() const { return m_dA; }
    double flopsPerStep() const;  // counted, for GFLOP/s and the roofline

private:
    class ForwardWork;
    class BackwardWork;

    const LayerProblem* m_p;
    Factors m_factors;
    Optimizer m_opt;
    int m_threads = 1;
    Matrix m_AX, m_At, m_noTAt, m_Y, m_dB, m_dA, m_BtdY;
    std::unique_ptr<ThinProducts> m_thinX, m_thinE;  // the passes over X and over E
};

// Full fine-tuning of W (starts as W0).
class FullLayerTrainer {
public:
    FullLayerTrainer(const LayerProblem& problem, const LayerConfig& config);

    double lossGrad();
    double step();

    const Matrix& weight() const { return m_W; }
    const Matrix& gradW() const { return m_dW; }
    double flopsPerStep() const;

private:
    const LayerProblem* m_p;
    int m_threads = 1;
    Matrix m_W, m_Y, m_dW;
    Optimizer m_opt;
};

}  // namespace loralab
