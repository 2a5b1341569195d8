#include "scenario/method_scenario.h"

#include <stdexcept>
#include <string>

namespace loralab {

namespace {

bool hasBase(const Scenario& s) { return s.base != BaseKind::None; }

void requireBaseFor(MethodKind kind, const Scenario& s, const char* flag) {
    if (hasBase(s)) return;
    if (kind == MethodKind::Dora)
        throw std::invalid_argument(std::string(flag) + " dora needs a base weight (--base): "
                                    "with none W0 = 0, and DoRA divides each row of W0 + s·B·A "
                                    "by its norm");
    if (kind == MethodKind::Pissa)
        throw std::invalid_argument(std::string(flag) + " pissa needs a base weight (--base): "
                                    "it starts from the SVD of W0, and with none W0 = 0");
}

}  // namespace

std::vector<std::string> methodNames() {
    std::vector<std::string> names;
    for (MethodKind kind : {MethodKind::Lora, MethodKind::Full, MethodKind::Dora, MethodKind::Pissa,
                            MethodKind::Vera})
        names.push_back(methodName(kind));
    return names;
}

std::vector<MethodKind> parseCompareList(const std::string& text) {
    try {
        return parseMethodList(text);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("--compare: ") + e.what());
    }
}

bool usesMethodTrainer(const Scenario& s) {
    return s.method != MethodKind::Lora || s.lrRatio != 1.0 || !s.compare.empty();
}

void checkMethodOptions(const Scenario& s, bool methodGiven) {
    if (!s.compare.empty()) {
        if (methodGiven)
            throw std::invalid_argument("--compare trains every method of its list; leave out --method");
        for (MethodKind kind : s.compare) requireBaseFor(kind, s, "--compare:");
        return;
    }
    requireBaseFor(s.method, s, "--method");
    if (s.lrRatio != 1.0 && !methodHasB(s.method))
        throw std::invalid_argument(std::string("--lr-ratio: --method ") + methodName(s.method) +
                                    " has no B factor (LoRA+ applies to lora, dora and pissa)");
}

std::shared_ptr<const MethodProblem> makeMethodProblem(const Scenario& s) {
    // A base file gives a generated target its shape; otherwise the target gives the base its.
    std::shared_ptr<const BaseWeight> base;
    Scenario shaped = s;
    if (s.base == BaseKind::File && s.target != TargetKind::File) {
        base = makeScenarioBase(s);
        shaped.d = base->d();
        shaped.k = base->k();
    }
    const Matrix T = loadScenarioTarget(shaped);
    if (!base) base = makeScenarioBase(s, T.rows(), T.cols());
    if (!base) {
        const Matrix W0 = Matrix::Zero(T.rows(), T.cols());
        return makeProblem(W0, W0 + T);
    }
    // W0ₛ as stored; W0 at full precision for PiSSA's SVD; PiSSA's residual stored as W0 is.
    const BaseDtype dtype = base->dtype;
    const bool doubleQuant = base->doubleQuant;
    return makeProblem(base->stored, base->W0 + T, base->W0,
                       [dtype, doubleQuant](const Matrix& m) { return storeBase(m, dtype, doubleQuant); });
}

MethodTrainerConfig toMethodTrainerConfig(const Scenario& s) {
    MethodTrainerConfig c;
    c.method.kind = s.method;
    c.method.rank = s.rank;
    c.method.alpha = s.effectiveAlpha();
    c.method.rslora = s.rslora;
    c.method.init = s.init;
    c.method.seed = s.seed;
    c.method.threads = s.threads;
    c.optimizer.kind = s.optimizer;
    c.optimizer.lr = s.lr;
    c.lrRatio = s.lrRatio;
    return c;
}

}  // namespace loralab
