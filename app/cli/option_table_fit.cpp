// The option table's rows for a fit, in the window and headless (see option_table.h): the
// scenario, the frozen base, training and the outputs.
#include "cli/option_rows.h"
#include "scenario/method_scenario.h"

#include "loralab/base.h"
#include "loralab/factors.h"
#include "loralab/format.h"
#include "loralab/target.h"

namespace loralab::cli {

std::vector<OptionRow> fitRows() {
    return {
        // ---- scenario: GUI and headless ----------------------------------------------------
        intRow("--d", kFit, "N", kScenario, "rows d of the target T (d×k)", 1, kMaxFitDim,
               [](CliOptions& o, const Value& v) {
                   o.scenario().d = v.integer;
                   o.scenario().shapeGiven = true;
               },
               [](const CliOptions& o) { return std::to_string(o.scenario().d); }),
        intRow("--k", kFit, "N", kScenario, "columns k of the target T", 1, kMaxFitDim,
               [](CliOptions& o, const Value& v) {
                   o.scenario().k = v.integer;
                   o.scenario().shapeGiven = true;
               },
               [](const CliOptions& o) { return std::to_string(o.scenario().k); }),
        intRow("--rank", kFit, "R", kScenario, "LoRA rank r: B is d×r, A is r×k (at most min(d, k))",
               1, kMaxFitDim, [](CliOptions& o, const Value& v) { o.scenario().rank = v.integer; },
               [](const CliOptions& o) { return std::to_string(o.scenario().rank); }),
        realRow("--alpha", kFit, "X", kScenario,
                "LoRA alpha: scale s = alpha/r (alpha/sqrt(r) with --rslora); default: the rank, so s = 1",
                0.0, true, 1e6,
                [](CliOptions& o, const Value& v) { o.scenario().alpha = v.real; }, nullptr),
        flagRow("--rslora", kFit, kScenario, "rank-stabilized scale s = alpha/sqrt(r)",
                [](CliOptions& o, const Value&) { o.scenario().rslora = true; }),
        choiceRow("--init", kFit, "NAME", kScenario,
                  "factor init: peft (B = 0, A uniform), gaussian (B = 0, A normal), svd (start at the floor)",
                  initChoices,
                  [](CliOptions& o, const Value& v) { o.scenario().init = parseInit(v.text); },
                  [](const CliOptions& o) { return std::string(initName(o.scenario().init)); }),
        choiceRow("--target", kFit, "KIND", kScenario,
                  "target T: full (Gaussian, full rank), lowrank (rank --target-rank), identity, "
                  "decay (singular values i^-p), file (--target-file)",
                  targetChoices,
                  [](CliOptions& o, const Value& v) { o.scenario().target = parseTargetKind(v.text); },
                  [](const CliOptions& o) { return std::string(targetKindName(o.scenario().target)); }),
        intRow("--target-rank", kFit, "R", kScenario, "rank r* of --target lowrank", 1, kMaxFitDim,
               [](CliOptions& o, const Value& v) { o.scenario().targetRank = v.integer; },
               [](const CliOptions& o) { return std::to_string(o.scenario().targetRank); }),
        realRow("--decay-power", kFit, "P", kScenario,
                "exponent p of --target decay (singular values proportional to i^-p)", 0.0, false, 10.0,
                [](CliOptions& o, const Value& v) { o.scenario().decayPower = v.real; },
                [](const CliOptions& o) { return num(o.scenario().decayPower); }),
        textRow("--target-file", kFit, "PATH", kScenario,
                "target from a CSV matrix (one row per line), a PNG/JPEG picture (grayscale in "
                "[0, 1]) or a .safetensors weight (with --tensor); d and k come from the file; "
                "implies --target file",
                [](CliOptions& o, const Value& v) { o.scenario().targetFile = v.text; }, nullptr),
        textRow("--tensor", kFit, "NAME", kScenario,
                "the 2-D F32/F16/BF16 tensor of a .safetensors --target-file (list them: loralab "
                "--inspect FILE.safetensors)",
                [](CliOptions& o, const Value& v) { o.scenario().targetTensor = v.text; }, nullptr),
        choiceRow("--base", kFit, "KIND", kBaseGroup,
                  "frozen base W0: none (fit the change T alone), gaussian (N(0, 1) entries), file "
                  "(--base-file); the fit is then W0s + s*B*A against W* = W0 + T",
                  baseChoices,
                  [](CliOptions& o, const Value& v) { o.scenario().base = parseBaseKind(v.text); },
                  [](const CliOptions& o) { return std::string(baseKindName(o.scenario().base)); }),
        textRow("--base-file", kFit, "PATH", kBaseGroup,
                "W0 from a CSV matrix, a PNG/JPEG picture, or a .safetensors file (with "
                "--base-tensor); a generated target takes its shape; implies --base file",
                [](CliOptions& o, const Value& v) { o.scenario().baseFile = v.text; }, nullptr),
        textRow("--base-tensor", kFit, "NAME", kBaseGroup,
                "the tensor of a .safetensors --base-file, e.g. model.layers.0.self_attn.q_proj.weight",
                [](CliOptions& o, const Value& v) { o.scenario().baseTensor = v.text; }, nullptr),
        choiceRow("--base-dtype", kFit, "TYPE", kBaseGroup,
                  "how W0 is held in memory: fp32, bf16, fp16, or nf4 (QLoRA: blocks of 64, "
                  "absmax scale each, 4.5 bits a value)",
                  baseDtypeChoices,
                  [](CliOptions& o, const Value& v) { o.scenario().baseDtype = parseBaseDtype(v.text); },
                  [](const CliOptions& o) { return std::string(baseDtypeName(o.scenario().baseDtype)); }),
        flagRow("--double-quant", kFit, kBaseGroup,
                "with --base-dtype nf4: quantize the block scales too (8-bit, blocks of 256; ~4.13 bits)",
                [](CliOptions& o, const Value&) { o.scenario().doubleQuant = true; }),
        choiceRow("--optimizer", kFit | kBench, "NAME", kTraining, "optimizer", optimizerChoices,
                  [](CliOptions& o, const Value& v) {
                      (o.mode == Mode::Bench ? o.bench.optimizer : o.scenario().optimizer) =
                          parseOptimizer(v.text);
                  },
                  [](const CliOptions& o) {
                      return std::string(optimizerName(o.mode == Mode::Bench ? o.bench.optimizer
                                                                             : o.scenario().optimizer));
                  }),
        realRow("--lr", kFit, "X", kTraining, "learning rate", 0.0, true, 1000.0,
                [](CliOptions& o, const Value& v) { o.scenario().lr = v.real; },
                [](const CliOptions& o) { return num(o.scenario().lr); }),
        intRow("--steps", kHeadless, "N", kTraining, "optimizer steps to train (0: the initial state)", 0, kMaxSteps,
               [](CliOptions& o, const Value& v) { o.headless.scenario.steps = v.integer; },
               [](const CliOptions& o) { return std::to_string(o.headless.scenario.steps); }),
        intRow("--steps", kGui, "N", kTraining, "steps to train before the window opens", 0,
               10000000, [](CliOptions& o, const Value& v) { o.gui.scenario.steps = v.integer; },
               [](const CliOptions& o) { return std::to_string(o.gui.scenario.steps); }),
        intRow("--seed", kFit | kBench, "N", kTraining, "random seed (target and factor init)", 0,
               kMaxSeed,
               [](CliOptions& o, const Value& v) {
                   (o.mode == Mode::Bench ? o.bench.seed : o.scenario().seed) =
                       static_cast<std::uint64_t>(v.integer);
               },
               [](const CliOptions& o) {
                   return std::to_string(o.mode == Mode::Bench ? o.bench.seed : o.scenario().seed);
               }),
        intRow("--threads", kFit | kBench, "N", kTraining, "worker threads; 0 = all cores", 0, 1024,
               [](CliOptions& o, const Value& v) {
                   (o.mode == Mode::Bench ? o.bench.threads : o.scenario().threads) =
                       static_cast<int>(v.integer);
               },
               [](const CliOptions& o) {
                   return std::to_string(o.mode == Mode::Bench ? o.bench.threads : o.scenario().threads);
               }),
        choiceRow("--method", kFit, "NAME", kTraining,
                  "lora, full (train every weight; --rank ignored), dora, pissa (both need a "
                  "base), vera (frozen random A, B; trains d + r scales)",
                  methodNames,
                  [](CliOptions& o, const Value& v) { o.scenario().method = parseMethod(v.text); },
                  [](const CliOptions& o) { return std::string(methodName(o.scenario().method)); }),
        realRow("--lr-ratio", kFit, "X", kTraining,
                "LoRA+: B (and DoRA's magnitude) learns at X times A's rate (lora, dora, pissa)",
                0.0, true, 1000.0,
                [](CliOptions& o, const Value& v) { o.scenario().lrRatio = v.real; },
                [](const CliOptions& o) { return num(o.scenario().lrRatio); }),
        textRow("--compare", kFit, "LIST", kTraining,
                "train methods side by side on one target, e.g. lora,dora,full: one row each",
                [](CliOptions& o, const Value& v) { o.scenario().compare = parseCompareList(v.text); },
                nullptr),

        // ---- outputs -----------------------------------------------------------------------
        flagRow("--json", kHeadless | kBench | kParams | kInspect, kOutput,
                "print one JSON object on stdout instead of the readable summary",
                [](CliOptions& o, const Value&) {
                    if (o.mode == Mode::Headless) o.headless.json = true;
                    if (o.mode == Mode::Bench) o.bench.json = true;
                    if (o.mode == Mode::Params) o.params.json = true;
                    if (o.mode == Mode::Inspect) o.inspect.json = true;
                }),
        textRow("--curve", kHeadless, "FILE.csv", kOutput,
                "write the loss curve: step,loss,floor,rank for every step",
                [](CliOptions& o, const Value& v) { o.headless.curvePath = v.text; }, nullptr),
        textRow("--screenshot", kHeadless, "FILE.png", kOutput,
                "after training, render the GUI panels offscreen (no X server) into a PNG",
                [](CliOptions& o, const Value& v) { o.headless.screenshotPath = v.text; }, nullptr),
        textRow("--screenshot", kGui, "FILE.png", kOutput,
                "render --frames frames, save a PNG and exit",
                [](CliOptions& o, const Value& v) { o.gui.screenshotPath = v.text; }, nullptr),
        intRow("--frames", kHeadless, "N", kOutput, "frames to render before --screenshot", 1, 600,
               [](CliOptions& o, const Value& v) { o.headless.frames = static_cast<int>(v.integer); },
               [](const CliOptions& o) { return std::to_string(o.headless.frames); }),
        intRow("--frames", kGui, "N", kOutput, "frames to render before --screenshot", 1, 600,
               [](CliOptions& o, const Value& v) { o.gui.frames = static_cast<int>(v.integer); },
               [](const CliOptions& o) { return std::to_string(o.gui.frames); }),
        textRow("--export-adapter", kHeadless, "DIR", kOutput,
                "write adapter_model.safetensors and adapter_config.json (peft's layout) into DIR",
                [](CliOptions& o, const Value& v) { o.headless.exportDir = v.text; }, nullptr),
        textRow("--export-merged", kHeadless, "FILE.safetensors", kOutput,
                "write the effective weight W0s + s*B*A as one F32 tensor '<module-name>.weight'",
                [](CliOptions& o, const Value& v) { o.headless.mergedPath = v.text; }, nullptr),
        textRow("--module-name", kHeadless, "NAME", kOutput,
                "module name in the adapter's tensor names, target_modules and the merged tensor",
                [](CliOptions& o, const Value& v) { o.headless.moduleName = v.text; },
                [](const CliOptions& o) { return o.headless.moduleName; }),
        choiceRow("--preset", kGui, "NAME", kScenario,
                  "start from a teaching preset of the Presets menu (quote names with spaces)",
                  presetChoices, [](CliOptions& o, const Value& v) { o.gui.preset = v.text; },
                  nullptr),
        textRow("--open", kGui, "PATH", kScenario,
                "open a picture or CSV (the target), a .safetensors file (its tensors) or an adapter "
                "folder (its modules), as dropping it on the window does",
                [](CliOptions& o, const Value& v) { o.gui.openPath = v.text; }, nullptr),
        textRow("--out-dir", kGui, "DIR", kOutput,
                "folder for screenshots (F12), curve and adapter exports",
                [](CliOptions& o, const Value& v) { o.gui.outDir = v.text; },
                [](const CliOptions& o) { return o.gui.outDir; }),
    };
}

}  // namespace loralab::cli
