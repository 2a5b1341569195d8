// The method-generic training loop (with LoRA+'s two rates and the divergence guard) and the
// comparison of several methods on one problem.
#include "loralab/method_trainer.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace loralab {

MethodTrainer::MethodTrainer(const MethodTrainerConfig& config,
                             std::shared_ptr<const MethodProblem> problem)
    : m_config(config) {
    validate(config.optimizer);
    requireFinite(config.lrRatio, "lr ratio", true);
    require(config.historyLimit >= 2, "historyLimit",
            "historyLimit = " + std::to_string(config.historyLimit) + "; must be >= 2");
    m_method = makeMethod(config.method, std::move(problem));
    std::vector<std::pair<Index, Index>> shapes;
    for (std::size_t i = 0; i < m_method->blockCount(); ++i)
        shapes.emplace_back(m_method->block(i).rows(), m_method->block(i).cols());
    m_opt = Optimizer(config.optimizer, shapes, config.method.threads);
    const MethodProblem& p = m_method->problem();
    m_floor = p.loraFloor(std::min<Index>(config.method.rank, p.spectrum.sigma.size()));
}

bool MethodTrainer::evaluateCurrent() {
    m_loss = m_method->evaluate(&m_grads);
    m_evalValid = true;
    if (!std::isfinite(m_loss)) return false;
    for (const Matrix& g : m_grads)
        if (!allFinite(g)) return false;
    return true;
}

double MethodTrainer::currentLoss() {
    if (!m_evalValid) evaluateCurrent();
    return m_loss;
}

void MethodTrainer::record(double loss) {
    if (m_step % m_historyStride != 0) return;
    m_history.push_back({m_step, loss, m_floor, m_method->rank()});
    if (m_history.size() > m_config.historyLimit) {
        // Thin 2:1 (even positions and the newest) and record half as often: memory stays flat.
        std::vector<HistoryPoint> kept;
        for (std::size_t i = 0; i < m_history.size(); i += 2) kept.push_back(m_history[i]);
        if (kept.back().step != m_history.back().step) kept.push_back(m_history.back());
        m_history = std::move(kept);
        m_historyStride *= 2;
    }
}

StepReport MethodTrainer::step(long long n) {
    require(n >= 0, "steps", "n = " + std::to_string(n) + "; must be >= 0");
    StepReport report;
    const double lr = m_opt.config().lr;
    for (long long i = 0; i < n; ++i) {
        if (!m_evalValid && !evaluateCurrent()) {
            report.diverged = true;  // only a problem built non-finite could land here
            report.divergedAtStep = m_step;
            break;
        }
        record(m_loss);
        m_saved.resize(m_method->blockCount());
        for (std::size_t b = 0; b < m_method->blockCount(); ++b) m_saved[b] = m_method->block(b);
        const Optimizer::State savedState = m_opt.state();
        m_opt.beginStep();
        for (std::size_t b = 0; b < m_method->blockCount(); ++b) {
            // LoRA+: one optimizer, its rate set per block (peft gives the groups two rates).
            const bool fast = m_method->fastBlock(b) && methodHasB(m_method->kind());
            m_opt.setLearningRate(fast ? lr * m_config.lrRatio : lr);
            m_opt.update(b, m_method->block(b), m_grads[b]);
        }
        m_opt.setLearningRate(lr);
        ++m_step;
        bool finite = evaluateCurrent();
        for (std::size_t b = 0; finite && b < m_method->blockCount(); ++b)
            finite = allFinite(m_method->block(b));
        if (!finite) {
            for (std::size_t b = 0; b < m_method->blockCount(); ++b)
                m_method->block(b) = m_saved[b];
            m_opt.setState(savedState);
            --m_step;
            m_evalValid = false;
            report.diverged = true;
            report.divergedAtStep = m_step + 1;
            break;
        }
        ++report.stepsDone;
    }
    return report;
}

CompareRun::CompareRun(const CompareConfig& config, std::shared_ptr<const MethodProblem> problem) {
    require(!config.methods.empty(), "compare", "no method given; e.g. lora,dora,full");
    for (MethodKind kind : config.methods) {
        MethodTrainerConfig c = config.trainer;
        c.method.kind = kind;
        try {
            m_trainers.push_back(std::make_unique<MethodTrainer>(c, problem));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(std::string(methodName(kind)) + ": " + e.what());
        }
        m_initial.push_back(m_trainers.back()->currentLoss());
        m_diverged.push_back(false);
    }
}

void CompareRun::step(long long n) {
    for (long long i = 0; i < n; ++i)
        for (std::size_t m = 0; m < m_trainers.size(); ++m)
            if (!m_diverged[m]) m_diverged[m] = m_trainers[m]->step(1).diverged;
}

std::vector<CompareResult> CompareRun::results() {
    std::vector<CompareResult> out;
    for (std::size_t m = 0; m < m_trainers.size(); ++m) {
        MethodTrainer& t = *m_trainers[m];
        CompareResult r;
        r.method = t.method().kind();
        r.trainableParams = t.method().trainableParams();
        r.initialLoss = m_initial[m];
        r.finalLoss = t.currentLoss();
        r.loraFloor = t.loraFloor();
        // A floor of 0 (a target LoRA fits exactly) is never reached in float: use a relative one.
        r.threshold = r.loraFloor > 0.0 ? 1.1 * r.loraFloor : 1e-6 * r.initialLoss;
        for (const HistoryPoint& h : t.history())
            if (h.loss <= r.threshold) {
                r.stepsToThreshold = h.step;
                break;
            }
        if (r.stepsToThreshold < 0 && r.finalLoss <= r.threshold)
            r.stepsToThreshold = t.stepCount();
        // A margin over float noise: LoRA itself can land a hair under its floor.
        r.belowFloor = r.finalLoss < r.loraFloor * (1.0 - 1e-4);
        r.diverged = m_diverged[m];
        r.steps = t.stepCount();
        out.push_back(r);
    }
    return out;
}

std::vector<CompareResult> runCompare(const CompareConfig& config,
                                      std::shared_ptr<const MethodProblem> problem,
                                      long long steps) {
    require(steps >= 0, "steps", "steps = " + std::to_string(steps) + "; must be >= 0");
    CompareRun run(config, std::move(problem));
    run.step(steps);
    return run.results();
}

}  // namespace loralab
