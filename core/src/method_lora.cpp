// LoRA and PiSSA: W' = base + s·B·A, trained through LoRA's Gram-form objective.
#include "method_impl.h"

#include "loralab/format.h"

namespace loralab {

LoraMethod::LoraMethod(const MethodConfig& config, std::shared_ptr<const MethodProblem> problem)
    : Method(config, std::move(problem)) {
    const MethodProblem& p = *m_problem;
    Factors f;
    if (config.kind == MethodKind::Pissa) {
        require(p.baseFull.cwiseAbs().maxCoeff() > 0.0f, "pissa",
                "the base weight is zero: its top-r SVD gives B = A = 0, where no gradient "
                "moves; PiSSA needs a base (--base)");
        // peft's pissa init: the SVD of the full-precision W0, split evenly between B and A;
        // the residual is what gets stored (quantized, when the base is).
        f = svdInitFactors(p.baseFull, config.rank, config.alpha, config.rslora);
        m_base = p.baseFull - f.deltaW();
        if (p.store) m_base = p.store(m_base);
        m_initB = f.B;
        m_initA = f.A;
    } else {
        m_base = p.base;
        f = config.init == Init::Svd
                ? svdInitFactors(p.target - p.base, config.rank, config.alpha, config.rslora)
                : makeFactors(d(), k(), config.rank, config.alpha, config.rslora, config.init,
                              config.seed);
    }
    m_blocks = {std::move(f.B), std::move(f.A)};
    m_names = {"lora_B", "lora_A"};
    m_fast = {true, false};
    m_residual = p.target - m_base;
    m_objective = GramObjective(m_residual, config.threads);
}

double LoraMethod::evaluate(std::vector<Matrix>* grads) {
    if (!grads) return m_objective.evaluate(m_blocks[0], m_blocks[1], scale());
    grads->resize(2);
    return m_objective.evaluate(m_blocks[0], m_blocks[1], scale(), &(*grads)[0], &(*grads)[1]);
}

Matrix LoraMethod::effectiveWeight() const {
    Matrix w = m_base;
    w.noalias() += static_cast<float>(scale()) * (m_blocks[0] * m_blocks[1]);
    return w;
}

std::vector<NamedMatrix> LoraMethod::frozen() const {
    if (kind() != MethodKind::Pissa) return {};
    return {{"residual", m_base}, {"lora_B_init", m_initB}, {"lora_A_init", m_initA}};
}

}  // namespace loralab
