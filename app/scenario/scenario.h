// A training scenario as the user states it (command-line flags, GUI controls, presets), and
// how it becomes a core Trainer. Shared by the GUI, the headless mode and the screenshot path.
#pragma once

#include "loralab/methods.h"
#include "loralab/trainer.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace loralab {

struct Scenario {
    Index d = 32;
    Index k = 32;
    Index rank = 4;
    std::optional<double> alpha;   // unset: α = rank, so s = 1
    bool rslora = false;
    Init init = Init::Peft;
    TargetKind target = TargetKind::Full;
    Index targetRank = 3;          // r* for --target lowrank
    double decayPower = 1.0;       // p for --target decay
    std::string targetFile;        // for --target file (CSV, PNG, JPEG or .safetensors); d, k
                                   // come from it
    std::string targetTensor;      // the tensor of a .safetensors targetFile
    // The target file's matrix once read; makeTrainer uses it instead of reading targetFile
    // again (standard input, "-", can be read once only). Not saved with the scenario.
    std::shared_ptr<const Matrix> targetData;
    OptimizerKind optimizer = OptimizerKind::Adam;
    double lr = 1e-2;
    long long steps = 0;           // steps to train (headless), or to pre-train (screenshot)
    std::uint64_t seed = 1;        // target and factor init
    int threads = 0;               // 0: all cores
    MethodKind method = MethodKind::Lora;  // --method
    double lrRatio = 1.0;          // LoRA+: B's learning rate over A's (lora, dora, pissa)
    std::vector<MethodKind> compare;  // --compare: methods side by side; empty: one method

    double effectiveAlpha() const { return alpha ? *alpha : static_cast<double>(rank); }
};

// The core configuration for a scenario (target seed = factor seed = scenario seed).
TrainerConfig toTrainerConfig(const Scenario& s);

// T: built from the spec, or read from the target file (targetData when set), checking the rank
// against its shape. Throws loralab::InputError or std::invalid_argument.
Matrix loadScenarioTarget(const Scenario& s);

// Builds the trainer, reading the target file when target == File (d and k then come from
// the file; targetData when set). Throws loralab::InputError (bad file, with path/line) or
// std::invalid_argument; `control` follows (and can cancel) the spectrum's computation, see
// Trainer.
std::unique_ptr<Trainer> makeTrainer(const Scenario& s, const SvdControl& control = {});

}  // namespace loralab
