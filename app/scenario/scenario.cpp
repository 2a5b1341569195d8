#include "scenario/scenario.h"

#include "io/input_file.h"
#include "io/target_file.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace loralab {

TrainerConfig toTrainerConfig(const Scenario& s) {
    TrainerConfig c;
    c.target.kind = s.target;
    c.target.d = s.d;
    c.target.k = s.k;
    c.target.targetRank = s.targetRank;
    c.target.decayPower = s.decayPower;
    c.target.seed = s.seed;
    c.rank = s.rank;
    c.alpha = s.effectiveAlpha();
    c.rslora = s.rslora;
    c.init = s.init;
    c.optimizer.kind = s.optimizer;
    c.optimizer.lr = s.lr;
    c.seed = s.seed;
    c.threads = s.threads;
    return c;
}

Matrix loadScenarioTarget(const Scenario& s) {
    if (s.target != TargetKind::File) return makeTarget(toTrainerConfig(s).target);
    if (s.targetFile.empty())
        throw std::invalid_argument("--target file needs --target-file PATH (CSV, PNG, JPEG or .safetensors)");
    Matrix T = s.targetData ? *s.targetData : loadTargetFile(s.targetFile, s.targetTensor);
    const Index maxRank = std::min(T.rows(), T.cols());
    if (s.rank > maxRank)
        throw std::invalid_argument("--rank " + std::to_string(s.rank) + " is larger than min(d, k) = " +
                                    std::to_string(maxRank) + " of " + inputName(s.targetFile) + " (" +
                                    std::to_string(T.rows()) + "x" + std::to_string(T.cols()) +
                                    "); allowed: 1 to " + std::to_string(maxRank));
    return T;
}

std::unique_ptr<Trainer> makeTrainer(const Scenario& s, const SvdControl& control) {
    TrainerConfig config = toTrainerConfig(s);
    if (s.target != TargetKind::File) return std::make_unique<Trainer>(config, control);
    Matrix T = loadScenarioTarget(s);
    config.target.d = T.rows();
    config.target.k = T.cols();
    return std::make_unique<Trainer>(config, std::move(T), control);
}

}  // namespace loralab
