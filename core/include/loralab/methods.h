// Fine-tuning methods side by side: full fine-tuning, LoRA and its variants DoRA, PiSSA, VeRA,
// each fitting one effective weight W' to a target weight W* over a frozen base.
//
//   problem   W0ₛ (the frozen base as stored, d×k), W* = W0 + T (d×k), the LoRA floor's spectrum
//   method    its trainable blocks (peft's names), W' and the loss ‖W' − W*‖²/(dk) with gradients
//
//   method  W'                                   trainable (peft's count)  starts at
//   full    W0ₛ + D                              d·k                       W0ₛ (D = 0)
//   lora    W0ₛ + s·B·A                          r·(d+k)                   W0ₛ (B = 0)
//   dora    m ⊙_row V/‖V‖_row, V = W0ₛ + s·B·A   r·(d+k) + d               W0ₛ (m = ‖W0ₛ‖_row)
//   pissa   R + s·B·A, B, A from W0's top SVD    r·(d+k)                   W0 (R = W0 − s·B·A,
//           (B = U√(Σ/s), A = √(Σ/s)Vᵀ)                                     stored as W0ₛ is)
//   vera    W0ₛ + diag(λb)·B·diag(λd)·A          d + r                     W0ₛ (λb 0, λd 0.1)
//
// DoRA's gradient treats ‖V‖_row as a constant, as peft does (DoRA paper §4.3); the exact one is
// an option. VeRA's A (r×k) and B (d×r) are frozen, U(±√(6/fan_in)) as peft's kaiming init.
// LoRA+ (lr ratio): the blocks peft's create_loraplus_optimizer puts in its fast group (lora_B and
// 1-D parameters such as DoRA's magnitude) learn at ratio × lr; it applies to lora, dora, pissa.
#pragma once

#include "loralab/analysis.h"
#include "loralab/factors.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace loralab {

enum class MethodKind { Lora, Full, Dora, Pissa, Vera };

const char* methodName(MethodKind kind);  // "lora", "full", "dora", "pissa", "vera"
MethodKind parseMethod(const std::string& name);  // throws std::invalid_argument listing them
// "lora,dora,full": in the order given; throws on an empty list, unknown or repeated names.
std::vector<MethodKind> parseMethodList(const std::string& list);
bool methodHasB(MethodKind kind);  // lora, dora, pissa: where LoRA+'s ratio applies

// Trainable parameters of one d×k layer at rank r, as peft counts them (full: d·k; r is ignored).
// Throws unless d, k >= 1 and, for the low-rank methods, 1 <= r <= min(d, k) (VeRA: r >= 1).
std::int64_t trainableCount(MethodKind kind, std::int64_t d, std::int64_t k, std::int64_t r);

// Rounds a frozen matrix the way the base is stored (bf16, NF4, …); empty = kept in fp32.
using StoreFn = std::function<Matrix(const Matrix&)>;

struct MethodProblem {
    Matrix base;      // W0ₛ d×k: the frozen base every method adds to
    Matrix target;    // W* d×k
    Matrix baseFull;  // W0 at full precision, whose SVD PiSSA takes (the same as base in fp32)
    StoreFn store;    // how PiSSA's residual is stored
    Spectrum spectrum;  // of W* − W0ₛ: LoRA's Eckart–Young floor
    double loraFloor(Index rank) const { return spectrum.floor(rank); }
};

// Checks shapes and finiteness (std::invalid_argument naming the matrix) and takes the SVD of
// W* − W0ₛ (dense, O(d·k·min(d, k))). An empty baseFull means base.
std::shared_ptr<const MethodProblem> makeProblem(Matrix base, Matrix target, Matrix baseFull = {},
                                                 StoreFn store = {});

struct MethodConfig {
    MethodKind kind = MethodKind::Lora;
    Index rank = 4;           // ignored by full
    double alpha = 4.0;       // s = α/r (α/√r with rslora); VeRA has no scale
    bool rslora = false;
    Init init = Init::Peft;   // lora only; dora's A is peft's default
    std::uint64_t seed = 1;   // A's init (lora, dora), VeRA's projections
    double veraDInitial = 0.1;  // peft's VeraConfig.d_initial
    bool doraExactNorm = false; // false: peft's detached norm
    int threads = 0;          // lora's Gram objective (0 = all cores)
};

struct NamedMatrix {
    std::string name;  // peft's tensor name without the module prefix
    Matrix value;
};

class Method {
public:
    virtual ~Method();
    Method(const Method&) = delete;  // LoRA's objective points into its own members
    Method& operator=(const Method&) = delete;
    MethodKind kind() const { return m_config.kind; }
    const MethodConfig& config() const { return m_config; }
    const MethodProblem& problem() const { return *m_problem; }
    Index d() const { return m_problem->target.rows(); }
    Index k() const { return m_problem->target.cols(); }
    Index rank() const { return m_config.rank; }
    double scale() const;  // s (1 for full and vera)

    // Trainable blocks in the optimizer's order, each with peft's name (lora_B, lora_A,
    // lora_magnitude_vector, vera_lambda_b, vera_lambda_d, weight) and its LoRA+ group.
    std::size_t blockCount() const { return m_blocks.size(); }
    Matrix& block(std::size_t i) { return m_blocks.at(i); }
    const Matrix& block(std::size_t i) const { return m_blocks.at(i); }
    const std::string& blockName(std::size_t i) const { return m_names.at(i); }
    bool fastBlock(std::size_t i) const { return m_fast.at(i); }
    std::int64_t trainableParams() const;

    // ‖W' − W*‖²/(dk) at the current blocks; with grads, one gradient per block (resized).
    virtual double evaluate(std::vector<Matrix>* grads) = 0;
    virtual Matrix effectiveWeight() const = 0;  // W' d×k
    Matrix deltaW() const;                       // W' − W0ₛ: what fine-tuning changed
    // The frozen tensors an adapter file needs besides the blocks (PiSSA's residual base and
    // initial factors lora_B_init, lora_A_init; VeRA's vera_A and vera_B); empty for the others.
    virtual std::vector<NamedMatrix> frozen() const { return {}; }

protected:
    Method(const MethodConfig& config, std::shared_ptr<const MethodProblem> problem);
    MethodConfig m_config;
    std::shared_ptr<const MethodProblem> m_problem;
    std::vector<Matrix> m_blocks;
    std::vector<std::string> m_names;
    std::vector<bool> m_fast;
};

// Builds a method at its peft initialization. Throws std::invalid_argument for a bad config and
// for problems the method cannot start from: dora when a row of W0ₛ is zero (it divides by the
// row norms), pissa when W0 is zero (its SVD gives B = A = 0, a point no gradient leaves).
std::unique_ptr<Method> makeMethod(const MethodConfig& config,
                                   std::shared_ptr<const MethodProblem> problem);

// VeRA's frozen projections for one d×k layer: B d×r U(±√(6/r)), A r×k U(±√(6/k)).
void veraProjections(Index d, Index k, Index rank, std::uint64_t seed, Matrix& B, Matrix& A);

}  // namespace loralab
