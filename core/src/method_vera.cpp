// VeRA: W' = W0ₛ + diag(λb)·B·diag(λd)·A over frozen random B and A; only λb and λd train.
#include "method_impl.h"

#include "method_math.h"

namespace loralab {

VeraMethod::VeraMethod(const MethodConfig& config, std::shared_ptr<const MethodProblem> problem)
    : Method(config, std::move(problem)) {
    requireFinite(config.veraDInitial, "vera d_initial");
    veraProjections(d(), k(), config.rank, config.seed, m_B, m_A);
    // peft's reset_vera_parameters: λb = 0 (so W' starts at the base), λd = d_initial.
    m_blocks = {Matrix::Zero(d(), 1),
                Matrix::Constant(config.rank, 1, static_cast<float>(config.veraDInitial))};
    m_names = {"vera_lambda_b", "vera_lambda_d"};
    m_fast = {false, false};
}

double VeraMethod::evaluate(std::vector<Matrix>* grads) {
    const MethodProblem& p = *m_problem;
    if (!grads)
        return method_math::veraLossGrad<float>(p.base, p.target, m_B, m_A, m_blocks[0],
                                                m_blocks[1], nullptr, nullptr);
    grads->resize(2);
    return method_math::veraLossGrad<float>(p.base, p.target, m_B, m_A, m_blocks[0],
                                            m_blocks[1], &(*grads)[0], &(*grads)[1]);
}

Matrix VeraMethod::effectiveWeight() const {
    Matrix w = m_problem->base;
    w.noalias() += (m_blocks[0].col(0).asDiagonal() * m_B * m_blocks[1].col(0).asDiagonal()) * m_A;
    return w;
}

std::vector<NamedMatrix> VeraMethod::frozen() const { return {{"vera_A", m_A}, {"vera_B", m_B}}; }

}  // namespace loralab
