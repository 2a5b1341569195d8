#include "cli/option_table.h"

#include "cli/option_rows.h"
#include "cli/value_parse.h"
#include "loralab/format.h"
#include "loralab/params.h"

#include <utility>

namespace loralab::cli {

namespace {

// The rows of the modes that are not a fit: params, inspect and bench (the fit's rows, window
// and headless, are in option_table_fit.cpp).
std::vector<OptionRow> toolRows() {
    return {
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

std::vector<OptionRow> buildTable() {
    std::vector<OptionRow> rows = fitRows();
    for (OptionRow& row : toolRows()) rows.push_back(std::move(row));
    return rows;
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

const std::vector<OptionRow>& optionTable() {
    static const std::vector<OptionRow> table = buildTable();
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
