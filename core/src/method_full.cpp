// Full fine-tuning: every entry of ΔW is a parameter (no floor: it can fit any target).
#include "method_impl.h"

#include "method_math.h"

namespace loralab {

FullMethod::FullMethod(const MethodConfig& config, std::shared_ptr<const MethodProblem> problem)
    : Method(config, std::move(problem)) {
    m_blocks = {Matrix::Zero(d(), k())};
    m_names = {"weight_delta"};
    m_fast = {false};
}

double FullMethod::evaluate(std::vector<Matrix>* grads) {
    const MethodProblem& p = *m_problem;
    if (!grads) return method_math::fullLossGrad<float>(p.base, p.target, m_blocks[0], nullptr);
    grads->resize(1);
    return method_math::fullLossGrad<float>(p.base, p.target, m_blocks[0], &(*grads)[0]);
}

Matrix FullMethod::effectiveWeight() const { return m_problem->base + m_blocks[0]; }

}  // namespace loralab
