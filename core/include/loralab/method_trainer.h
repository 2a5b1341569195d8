// Training any method (methods.h) with the core's optimizer, and several side by side.
//
//   MethodTrainer t(config, problem);   // the method at its peft init, the optimizer on its blocks
//   t.step(100);                        // 100 updates; LoRA+ blocks at lr·lrRatio
//   CompareRun run(config, problem);    // one trainer per method: same problem, seed, steps
//   run.step(1);                        // every method one step (lockstep, for the window)
//   run.results()                       // in the order given: counts, losses, steps to 1.1×floor
#pragma once

#include "loralab/methods.h"
#include "loralab/optimizer.h"
#include "loralab/trainer.h"

#include <memory>
#include <vector>

namespace loralab {

struct MethodTrainerConfig {
    MethodConfig method;
    OptimizerConfig optimizer;
    double lrRatio = 1.0;  // LoRA+: the fast blocks' lr over the others'; > 0, finite
    std::size_t historyLimit = 200000;  // past this the history is thinned 2:1
};

class MethodTrainer {
public:
    // Throws std::invalid_argument for a bad config or a problem the method refuses (makeMethod).
    MethodTrainer(const MethodTrainerConfig& config, std::shared_ptr<const MethodProblem> problem);

    // n updates. Each records the loss at the current blocks, then updates every block (Adam's
    // t advances once per step). Divergence guard as the Trainer's: a non-finite loss,
    // parameter or gradient after an update restores the blocks and optimizer state before it
    // and stops, reporting that step.
    StepReport step(long long n = 1);

    const MethodTrainerConfig& config() const { return m_config; }
    const Method& method() const { return *m_method; }
    const std::vector<HistoryPoint>& history() const { return m_history; }  // floor: LoRA's
    long long stepCount() const { return m_step; }
    double currentLoss();
    double loraFloor() const { return m_floor; }  // LoRA's Eckart–Young floor at the rank

private:
    bool evaluateCurrent();  // false when the loss or a gradient is non-finite
    void record(double loss);

    MethodTrainerConfig m_config;
    std::unique_ptr<Method> m_method;
    Optimizer m_opt;
    std::vector<Matrix> m_grads;
    std::vector<Matrix> m_saved;  // the blocks before the last update (the divergence guard)
    double m_floor = 0.0;
    double m_loss = 0.0;
    bool m_evalValid = false;
    long long m_step = 0;
    long long m_historyStride = 1;
    std::vector<HistoryPoint> m_history;
};

struct CompareConfig {
    std::vector<MethodKind> methods;  // in the order results are reported
    MethodTrainerConfig trainer;      // shared by all; method.kind is set per method
};

struct CompareResult {
    MethodKind method = MethodKind::Lora;
    std::int64_t trainableParams = 0;
    double initialLoss = 0.0;
    double finalLoss = 0.0;
    double loraFloor = 0.0;    // LoRA's floor at the rank (the reference line)
    double threshold = 0.0;    // 1.1 × loraFloor; 1e-6 × initialLoss when the floor is 0
    long long stepsToThreshold = -1;  // first step whose loss is <= threshold; −1: not reached
    bool belowFloor = false;   // finalLoss < loraFloor: more than any rank-r ΔW can do
    bool diverged = false;
    long long steps = 0;       // updates applied
};

class CompareRun {
public:
    // Throws std::invalid_argument for an empty list, a bad config, or any method refusing the
    // problem (the message names the method).
    CompareRun(const CompareConfig& config, std::shared_ptr<const MethodProblem> problem);

    // n steps of every method, one step of each in turn; a diverged method stops, the rest go on.
    void step(long long n = 1);
    std::size_t size() const { return m_trainers.size(); }
    MethodTrainer& trainer(std::size_t i) { return *m_trainers.at(i); }
    const MethodTrainer& trainer(std::size_t i) const { return *m_trainers.at(i); }
    bool diverged(std::size_t i) const { return m_diverged.at(i); }  // stopped at a non-finite step
    std::vector<CompareResult> results();

private:
    std::vector<std::unique_ptr<MethodTrainer>> m_trainers;
    std::vector<double> m_initial;
    std::vector<bool> m_diverged;
};

// A whole headless comparison: CompareRun, `steps` steps, results.
std::vector<CompareResult> runCompare(const CompareConfig& config,
                                      std::shared_ptr<const MethodProblem> problem,
                                      long long steps);

}  // namespace loralab
