#include "cli/option_table.h"

#include "cli/value_parse.h"
#include "scenario/method_scenario.h"
#include "scenario/presets.h"
#include "loralab/base.h"
#include "loralab/factors.h"
#include "loralab/format.h"
#include "loralab/params.h"
#include "loralab/target.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace loralab::cli {

namespace {

using Apply = void (*)(CliOptions&, const Value&);
using Show = std::string (*)(const CliOptions&);

constexpr long long kMaxWindowDim = 4096;     // what the window builds and draws interactively
constexpr long long kMaxHeadlessDim = 1 << 20; // headless refuses what does not fit in memory
constexpr long long kMaxParamsDim = 10000000;  // counting only: 64-bit products stay exact
constexpr long long kMaxBenchDim = 1 << 20;    // the bench refuses what does not fit in memory
constexpr long long kMaxSeed = std::numeric_limits<long long>::max();

std::string join(const std::vector<std::string>& items, const char* sep) {
    std::string out;
    for (const std::string& s : items) out += (out.empty() ? "" : sep) + s;
    return out;
}

OptionRow flagRow(const char* flag, unsigned modes, const char* group, const char* help,
                  Apply apply) {
    OptionRow r{flag, modes, ValueKind::Flag, "", group, help};
    r.apply = apply;
    return r;
}

OptionRow intRow(const char* flag, unsigned modes, const char* valueName, const char* group,
                 const char* help, long long lo, long long hi, Apply apply, Show show) {
    OptionRow r{flag, modes, ValueKind::Integer, valueName, group, help};
    r.minInt = lo;
    r.maxInt = hi;
    r.apply = apply;
    r.show = show;
    return r;
}

OptionRow listRow(const char* flag, unsigned modes, const char* valueName, const char* group,
                  const char* help, long long lo, long long hi, Apply apply, Show show) {
    OptionRow r = intRow(flag, modes, valueName, group, help, lo, hi, apply, show);
    r.kind = ValueKind::IntegerList;
    return r;
}

OptionRow realRow(const char* flag, unsigned modes, const char* valueName, const char* group,
                  const char* help, double lo, bool loOpen, double hi, Apply apply, Show show) {
    OptionRow r{flag, modes, ValueKind::Real, valueName, group, help};
    r.minReal = lo;
    r.minOpen = loOpen;
    r.maxReal = hi;
    r.apply = apply;
    r.show = show;
    return r;
}

OptionRow choiceRow(const char* flag, unsigned modes, const char* valueName, const char* group,
                    const char* help, std::vector<std::string> (*choices)(), Apply apply,
                    Show show) {
    OptionRow r{flag, modes, ValueKind::Choice, valueName, group, help};
    r.choices = choices;
    r.apply = apply;
    r.show = show;
    return r;
}

OptionRow textRow(const char* flag, unsigned modes, const char* valueName, const char* group,
                  const char* help, Apply apply, Show show) {
    OptionRow r{flag, modes, ValueKind::Text, valueName, group, help};
    r.apply = apply;
    r.show = show;
    return r;
}

std::string listText(const std::vector<Index>& v) {
    std::string out;
    for (Index x : v) out += (out.empty() ? "" : ",") + std::to_string(x);
    return out;
}

std::vector<std::string> initChoices() {
    return {initName(Init::Peft), initName(Init::Gaussian), initName(Init::Svd)};
}
std::vector<std::string> targetChoices() {
    return {targetKindName(TargetKind::Full), targetKindName(TargetKind::LowRank),
            targetKindName(TargetKind::Identity), targetKindName(TargetKind::Decay),
            targetKindName(TargetKind::File)};
}
std::vector<std::string> baseChoices() { return {"none", "gaussian", "file"}; }  // BaseKind's names
std::vector<std::string> baseDtypeChoices() { return {"fp32", "bf16", "fp16", "nf4"}; }  // BaseDtype's
std::vector<std::string> optimizerChoices() {
    return {optimizerName(OptimizerKind::Sgd), optimizerName(OptimizerKind::Momentum),
            optimizerName(OptimizerKind::Adam)};
}
std::vector<std::string> presetChoices() {
    std::vector<std::string> names;
    for (const Preset& p : builtinPresets()) names.push_back(p.name);
    return names;
}
std::vector<std::string> workloadChoices() { return {"fit", "layer", "full", "all"}; }
std::vector<std::string> modelChoices() {
    std::vector<std::string> names;
    for (const ModelPreset& m : modelPresets()) names.push_back(m.name);
    names.push_back("list");
    return names;
}

// The option table. Scenario rows (kFit) store into the scenario of the mode being parsed.
std::vector<OptionRow> buildTable() {
    const char* kScenario = "Scenario";
    const char* kBaseGroup = "Base weight";
    const char* kTraining = "Training";
    const char* kOutput = "Output";
    const char* kLayer = "Layer";
    const char* kModel = "Model";
    const char* kBenchGroup = "Bench";
    const long long kMaxSteps = 1000000000;
    return {
        // ---- scenario: GUI and headless ----------------------------------------------------
        intRow("--d", kFit, "N", kScenario, "rows d of the target T (d×k)", 1, kMaxWindowDim,
               [](CliOptions& o, const Value& v) {
                   o.scenario().d = v.integer;
                   o.scenario().shapeGiven = true;
               },
               [](const CliOptions& o) { return std::to_string(o.scenario().d); }),
        intRow("--k", kFit, "N", kScenario, "columns k of the target T", 1, kMaxWindowDim,
               [](CliOptions& o, const Value& v) {
                   o.scenario().k = v.integer;
                   o.scenario().shapeGiven = true;
               },
               [](const CliOptions& o) { return std::to_string(o.scenario().k); }),
        intRow("--rank", kFit, "R", kScenario, "LoRA rank r: B is d×r, A is r×k (at most min(d, k))",
               1, kMaxWindowDim, [](CliOptions& o, const Value& v) { o.scenario().rank = v.integer; },
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
        intRow("--target-rank", kFit, "R", kScenario, "rank r* of --target lowrank", 1, kMaxWindowDim,
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

        // ---- params ------------------------------------------------------------------------
        intRow("--d", kParams, "N", kLayer, "rows d of the layer (output features)", 1, kMaxParamsDim,
               [](CliOptions& o, const Value& v) { o.params.d = v.integer; },
               [](const CliOptions& o) { return std::to_string(o.params.d); }),
        intRow("--k", kParams, "N", kLayer, "columns k of the layer (input features)", 1,
               kMaxParamsDim, [](CliOptions& o, const Value& v) { o.params.k = v.integer; },
               [](const CliOptions& o) { return std::to_string(o.params.k); }),
        intRow("--rank", kParams, "R", kLayer, "LoRA rank r", 1, kMaxParamsDim,
               [](CliOptions& o, const Value& v) { o.params.rank = v.integer; },
               [](const CliOptions& o) { return std::to_string(o.params.rank); }),
        choiceRow("--model", kParams, "NAME", kModel,
                  "count a whole model instead of one layer ('list' lists the presets)",
                  modelChoices, [](CliOptions& o, const Value& v) { o.params.model = v.text; },
                  nullptr),
        textRow("--config", kParams, "PATH", kModel,
                "count the model of a Hugging Face config.json (or its folder): llama, mistral, "
                "qwen2, gemma, phi3",
                [](CliOptions& o, const Value& v) { o.params.config = v.text; }, nullptr),
        textRow("--weights", kParams, "PATH", kModel,
                "count the tensors of a .safetensors file or a sharded model's "
                "model.safetensors.index.json (headers only, any architecture)",
                [](CliOptions& o, const Value& v) { o.params.weights = v.text; }, nullptr),
        textRow("--modules", kParams, "LIST", kModel,
                "modules LoRA adapts, as peft's target_modules: q,k,v,o,gate,up,down (= *_proj), "
                "module names or suffixes, or all-linear",
                [](CliOptions& o, const Value& v) { o.params.modules = v.text; },
                [](const CliOptions&) { return std::string("q,v (phi3: qkv_proj)"); }),

        // ---- inspect -----------------------------------------------------------------------
        intRow("--resize-rank", kInspect, "R", kOutput,
               "the best rank-R adapter (truncated SVD of each ΔW): print each module's relative "
               "error; with --export-adapter, write it",
               1, 65536, [](CliOptions& o, const Value& v) { o.inspect.resizeRank = v.integer; },
               nullptr),
        textRow("--export-adapter", kInspect, "DIR", kOutput,
                "write the --resize-rank adapter (F32, same tensor names, r = R) into DIR",
                [](CliOptions& o, const Value& v) { o.inspect.exportDir = v.text; }, nullptr),

        // ---- bench -------------------------------------------------------------------------
        choiceRow("--workload", kBench, "NAME", kBenchGroup,
                  "fit (factors to a target), layer (LoRA on a frozen layer, a token batch), "
                  "full (full fine-tuning of that layer), all",
                  workloadChoices, [](CliOptions& o, const Value& v) { o.bench.workload = v.text; },
                  [](const CliOptions& o) { return o.bench.workload; }),
        intRow("--d", kBench, "N", kBenchGroup, "rows d of one layer size (use with --k; instead of --sizes)",
               1, kMaxBenchDim, [](CliOptions& o, const Value& v) { o.bench.d = v.integer; }, nullptr),
        intRow("--k", kBench, "N", kBenchGroup, "columns k of one layer size (use with --d)", 1,
               kMaxBenchDim, [](CliOptions& o, const Value& v) { o.bench.k = v.integer; }, nullptr),
        listRow("--sizes", kBench, "LIST", kBenchGroup, "square sizes d = k to run", 1, kMaxBenchDim,
                [](CliOptions& o, const Value& v) {
                    o.bench.sizes.assign(v.list.begin(), v.list.end());
                },
                [](const CliOptions& o) { return listText(o.bench.sizes); }),
        listRow("--ranks", kBench, "LIST", kBenchGroup, "LoRA ranks to run", 1, 65536,
                [](CliOptions& o, const Value& v) {
                    o.bench.ranks.assign(v.list.begin(), v.list.end());
                },
                [](const CliOptions& o) { return listText(o.bench.ranks); }),
        intRow("--batch", kBench, "N", kBenchGroup, "tokens per step for the layer and full workloads",
               1, kMaxBenchDim, [](CliOptions& o, const Value& v) { o.bench.batch = v.integer; },
               [](const CliOptions& o) { return std::to_string(o.bench.batch); }),
        intRow("--warmup", kBench, "N", kBenchGroup,
               "untimed steps before timing; unless 0, warm-up lasts at least 100 ms", 0, 1000,
               [](CliOptions& o, const Value& v) { o.bench.warmup = static_cast<int>(v.integer); },
               [](const CliOptions& o) { return std::to_string(o.bench.warmup); }),
        intRow("--reps", kBench, "N", kBenchGroup,
               "fewest timed steps per case; timing goes on until 200 ms have passed", 1, 100000,
               [](CliOptions& o, const Value& v) { o.bench.reps = static_cast<int>(v.integer); },
               [](const CliOptions& o) { return std::to_string(o.bench.reps); }),
    };
}

}  // namespace

unsigned maskOf(Mode mode) { return 1u << static_cast<unsigned>(mode); }

const std::vector<ModeInfo>& modeTable() {
    static const std::vector<ModeInfo> table{
        {Mode::Gui, "", "the window: heatmaps of B, A and ΔW, the loss curve and the savings counter"},
        {Mode::Headless, "--headless", "train with no window; progress on stderr, summary on stdout"},
        {Mode::Bench, "--bench", "time training steps on model-sized layers (markdown table, or --json)"},
        {Mode::Params, "--params", "parameter and memory accounting, no training"},
        {Mode::Inspect, "--inspect",
         "what the peft adapter folder or .safetensors file PATH holds (modules, singular values "
         "of each ΔW; tensors)",
         "PATH"},
    };
    return table;
}

const ModeInfo& modeInfo(Mode mode) {
    for (const ModeInfo& m : modeTable())
        if (m.mode == mode) return m;
    return modeTable().front();
}

std::string modeHelpHint(Mode mode) {
    const std::string flag = modeInfo(mode).flag;
    return "see 'loralab " + (flag.empty() ? std::string() : flag + " ") + "--help'";
}

namespace {

// The size flags (--d, --k, --rank, --target-rank: the scenario rows bounded by the window's
// limit) get a headless row of their own with headless's limit, right after the window's.
std::vector<OptionRow> withHeadlessSizes(std::vector<OptionRow> rows) {
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].modes != kFit || rows[i].kind != ValueKind::Integer ||
            rows[i].maxInt != kMaxWindowDim)
            continue;
        OptionRow headless = rows[i];
        headless.modes = kHeadless;
        headless.maxInt = kMaxHeadlessDim;
        rows[i].modes = kGui;
        rows.insert(rows.begin() + static_cast<long>(i) + 1, headless);
    }
    return rows;
}

}  // namespace

const std::vector<OptionRow>& optionTable() {
    static const std::vector<OptionRow> table = withHeadlessSizes(buildTable());
    return table;
}

const OptionRow* findRow(const std::string& flag, Mode mode) {
    for (const OptionRow& row : optionTable())
        if (flag == row.flag && (row.modes & maskOf(mode))) return &row;
    return nullptr;
}

bool isKnownFlag(const std::string& flag, unsigned& modes) {
    modes = 0;
    for (const OptionRow& row : optionTable())
        if (flag == row.flag) modes |= row.modes;
    return modes != 0;
}

bool takesValue(const std::string& flag) {
    for (const OptionRow& row : optionTable())
        if (flag == row.flag) return row.kind != ValueKind::Flag;
    return false;
}

std::string allowedText(const OptionRow& row) {
    switch (row.kind) {
    case ValueKind::Flag:
        return "no value";
    case ValueKind::Integer:
        return "an integer from " + std::to_string(row.minInt) + " to " + std::to_string(row.maxInt);
    case ValueKind::IntegerList:
        return "comma-separated integers from " + std::to_string(row.minInt) + " to " +
               std::to_string(row.maxInt);
    case ValueKind::Real:
        return std::string("a number ") + (row.minOpen ? "> " : ">= ") + num(row.minReal) +
               " and <= " + num(row.maxReal);
    case ValueKind::Choice:
        return "one of " + join(row.choices(), ", ");
    case ValueKind::Text:
        return "a non-empty " + std::string(row.valueName);
    }
    return "";
}

std::string shortAllowedText(const OptionRow& row) {
    switch (row.kind) {
    case ValueKind::Integer:
        return std::to_string(row.minInt) + ".." +
               (row.maxInt == kMaxSeed ? std::string("2^63-1") : std::to_string(row.maxInt));
    case ValueKind::IntegerList:
        return "each " + std::to_string(row.minInt) + ".." + std::to_string(row.maxInt);
    case ValueKind::Real:
        return std::string(row.minOpen ? "> " : ">= ") + num(row.minReal) + ", <= " + num(row.maxReal);
    case ValueKind::Choice:
        return join(row.choices(), "|");
    case ValueKind::Flag:
    case ValueKind::Text:
        return "";
    }
    return "";
}

std::string convertValue(const OptionRow& row, const std::string& text, Value& value) {
    value = Value{};
    value.text = text;
    auto quoted = [](const std::string& s) { return "'" + s + "'"; };
    switch (row.kind) {
    case ValueKind::Flag:
        return "";
    case ValueKind::Integer: {
        std::string error = parseInteger(text, value.integer);
        if (!error.empty()) return error;
        if (value.integer < row.minInt)
            return value.integer < 0 ? text + " is negative" : text + " is too small";
        if (value.integer > row.maxInt) return text + " is too large";
        return "";
    }
    case ValueKind::IntegerList: {
        std::string error = parseIntegerList(text, value.list);
        if (!error.empty()) return error;
        for (long long v : value.list) {
            if (v < row.minInt)
                return std::to_string(v) + (v < 0 ? " is negative" : " is too small") + " (in " +
                       quoted(text) + ")";
            if (v > row.maxInt) return std::to_string(v) + " is too large (in " + quoted(text) + ")";
        }
        return "";
    }
    case ValueKind::Real: {
        std::string error = parseReal(text, value.real);
        if (!error.empty()) return error;
        const bool below = row.minOpen ? !(value.real > row.minReal) : value.real < row.minReal;
        if (below) {
            if (value.real < 0) return text + " is negative";
            return value.real == 0 ? text + " is zero" : text + " is too small";
        }
        if (value.real > row.maxReal) return text + " is too large";
        return "";
    }
    case ValueKind::Choice: {
        const std::vector<std::string> choices = row.choices();
        if (std::find(choices.begin(), choices.end(), text) == choices.end())
            return quoted(text) + " is not a choice";
        return "";
    }
    case ValueKind::Text:
        if (text.empty()) return "empty value";
        return "";
    }
    return "";
}

}  // namespace loralab::cli
