// A training scenario as the user states it (command-line flags, GUI controls, presets), and
// how it becomes a core Trainer. Shared by the GUI, the headless mode and the screenshot path.
#pragma once

#include "loralab/methods.h"
#include "loralab/base.h"
#include "loralab/trainer.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace loralab {

// Where the frozen base W0 comes from: none (W0 = 0, today's fit), i.i.d. N(0, 1) (unit RMS,
// like the targets, from its own seed), or a file (CSV, PNG/JPEG, or a .safetensors tensor).
enum class BaseKind { None, Gaussian, File };
const char* baseKindName(BaseKind kind);          // "none", "gaussian", "file"
BaseKind parseBaseKind(const std::string& name);  // throws std::invalid_argument

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
    BaseKind base = BaseKind::None;
    std::string baseFile;          // for base == File
    std::string baseTensor;        // the tensor's name when baseFile is a .safetensors file
    BaseDtype baseDtype = BaseDtype::Fp32;
    bool doubleQuant = false;      // NF4 only: quantize the block scales too
    bool shapeGiven = false;       // --d/--k were given: a base file's shape must agree
    std::shared_ptr<const Matrix> baseData;  // the base file's matrix once read (not saved)
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

// A scenario made real: the trainer, and with a base, the base and the target T itself (the
// trainer fits T_eff = T + (W0 − W0ₛ), loralab/base.h; W* = W0 + T).
struct Fit {
    std::unique_ptr<Trainer> trainer;
    std::shared_ptr<const BaseWeight> base;  // null for BaseKind::None
    std::shared_ptr<const Matrix> target;    // T; null for BaseKind::None (then the trainer's)
};

// Builds the fit, reading the target file when target == File (d and k then come from the
// file; targetData when set) and the base file when base == File (baseData when set; with a
// generated target d and k come from it). Shapes that disagree throw std::invalid_argument.
// Throws loralab::InputError (bad file, with path/line) or std::invalid_argument. `control`
// follows (and can cancel) the spectrum's computation, see Trainer.
Fit makeFit(const Scenario& s, const SvdControl& control = {});
std::unique_ptr<Trainer> makeTrainer(const Scenario& s, const SvdControl& control = {});  // .trainer

// The scenario's frozen base alone, for a d×k layer (what any fit on a base starts from):
// null for BaseKind::None (W0 = 0); else base->W0 is W0 at full precision, base->stored is W0ₛ
// (= storeBase(W0, s.baseDtype, s.doubleQuant), loralab/base.h), base->quantizationError its
// error. d, k ≤ 0: a base file keeps its own shape, a Gaussian base takes s.d × s.k. A file of
// another shape than d×k throws std::invalid_argument; a bad file, loralab::InputError.
std::shared_ptr<const BaseWeight> makeScenarioBase(const Scenario& s, Index d = 0, Index k = 0);

// T: built from the spec, or read from the target file (targetData when set), checking the rank
// against its shape. Throws loralab::InputError or std::invalid_argument.
Matrix loadScenarioTarget(const Scenario& s);

}  // namespace loralab
