// DoRA: W' = m ⊙_row V/‖V‖_row with V = W0ₛ + s·B·A; the magnitude m starts at ‖W0ₛ‖_row.
#include "method_impl.h"

#include "loralab/format.h"

#include "method_math.h"

#include <string>

namespace loralab {

DoraMethod::DoraMethod(const MethodConfig& config, std::shared_ptr<const MethodProblem> problem)
    : Method(config, std::move(problem)) {
    const Matrix norms = m_problem->base.rowwise().norm();
    Index row = 0;
    const float smallest = norms.col(0).minCoeff(&row);
    require(smallest > 0.0f, "dora",
            "row " + std::to_string(row) + " of the base weight is zero; DoRA divides each row "
            "by its norm, so it needs a base (--base) with no zero row");
    // peft's default LoRA init (B = 0), so V = W0ₛ and m = ‖W0ₛ‖_row: W' starts at W0ₛ.
    Factors f = makeFactors(d(), k(), config.rank, config.alpha, config.rslora, Init::Peft,
                            config.seed);
    m_blocks = {std::move(f.B), std::move(f.A), norms};
    m_names = {"lora_B", "lora_A", "lora_magnitude_vector"};
    // peft's create_loraplus_optimizer puts 1-D parameters (the magnitude) with lora_B.
    m_fast = {true, false, true};
}

double DoraMethod::evaluate(std::vector<Matrix>* grads) {
    const MethodProblem& p = *m_problem;
    const auto s = static_cast<float>(scale());
    if (!grads)
        return method_math::doraLossGrad<float>(p.base, p.target, m_blocks[2], m_blocks[0],
                                                m_blocks[1], s, m_config.doraExactNorm, nullptr,
                                                nullptr, nullptr, nullptr);
    grads->resize(3);
    auto& g = *grads;
    return method_math::doraLossGrad<float>(p.base, p.target, m_blocks[2], m_blocks[0],
                                            m_blocks[1], s, m_config.doraExactNorm, nullptr,
                                            &g[2], &g[0], &g[1]);
}

Matrix DoraMethod::effectiveWeight() const {
    Matrix v = m_problem->base;
    v.noalias() += static_cast<float>(scale()) * (m_blocks[0] * m_blocks[1]);
    const Matrix rowScale = m_blocks[2].array() / v.rowwise().norm().array();
    return rowScale.col(0).asDiagonal() * v;
}

}  // namespace loralab
