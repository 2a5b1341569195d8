// The methods behind makeMethod(), one class per W' formula (methods.h has the table).
// LoRA and PiSSA share one class: PiSSA is LoRA over a residual base with SVD-initialized factors.
#pragma once

#include "loralab/methods.h"
#include "loralab/objective.h"

namespace loralab {

// W' = W0ₛ + D: every entry of the layer trains (D starts at zero).
class FullMethod final : public Method {
public:
    FullMethod(const MethodConfig& config, std::shared_ptr<const MethodProblem> problem);
    double evaluate(std::vector<Matrix>* grads) override;
    Matrix effectiveWeight() const override;
};

// W' = m ⊙ V/‖V‖_row with V = W0ₛ + s·B·A; the row norm is held constant in the gradient unless
// the config asks for the exact one.
class DoraMethod final : public Method {
public:
    DoraMethod(const MethodConfig& config, std::shared_ptr<const MethodProblem> problem);
    double evaluate(std::vector<Matrix>* grads) override;
    Matrix effectiveWeight() const override;
};

// W' = base + s·B·A. The loss is LoRA's Gram form against W* − base: no d×k temporary per step.
class LoraMethod final : public Method {
public:
    LoraMethod(const MethodConfig& config, std::shared_ptr<const MethodProblem> problem);
    double evaluate(std::vector<Matrix>* grads) override;
    Matrix effectiveWeight() const override;
    std::vector<NamedMatrix> frozen() const override;

private:
    void bindObjective();
    Matrix m_base;      // W0ₛ, or PiSSA's stored residual
    Matrix m_residual;  // W* − m_base: what s·B·A fits
    Matrix m_initB, m_initA;  // PiSSA's initial factors (its adapter for the original base)
    GramObjective m_objective;
};

// W' = W0ₛ + diag(λb)·B·diag(λd)·A over frozen random projections B and A.
class VeraMethod final : public Method {
public:
    VeraMethod(const MethodConfig& config, std::shared_ptr<const MethodProblem> problem);
    double evaluate(std::vector<Matrix>* grads) override;
    Matrix effectiveWeight() const override;
    std::vector<NamedMatrix> frozen() const override;

private:
    Matrix m_B, m_A;  // frozen projections, d×r and r×k
};

}  // namespace loralab
