#include "cli/parse.h"

#include "io/base_file.h"
#include "io/peft_adapter.h"
#include "scenario/method_scenario.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <ostream>
#include <set>
#include <sstream>

#ifndef LORALAB_VERSION
#define LORALAB_VERSION "unknown"
#endif

namespace loralab::cli {

namespace {

struct Split {
    std::string name;
    bool hasValue = false;
    std::string value;
};

Split splitToken(const std::string& token) {
    Split s;
    const auto eq = token.find('=');
    if (token.rfind("--", 0) == 0 && eq != std::string::npos) {
        s.name = token.substr(0, eq);
        s.hasValue = true;
        s.value = token.substr(eq + 1);
    } else {
        s.name = token;
    }
    return s;
}

// "-1", "-1e-3", "-inf", "-nan": a (bad) value, not a flag.
bool isNumberLike(const std::string& a) {
    if (a.size() < 2 || a[0] != '-') return false;
    char* end = nullptr;
    std::strtod(a.c_str(), &end);
    return end != a.c_str() && *end == '\0';
}

bool isOptionLike(const std::string& a) { return a.size() >= 2 && a[0] == '-' && !isNumberLike(a); }

bool isHelpOrVersion(const std::string& a) { return a == "-h" || a == "--help" || a == "--version"; }

const ModeInfo* modeByFlag(const std::string& flag) {
    for (const ModeInfo& m : modeTable())
        if (m.flag[0] != '\0' && flag == m.flag) return &m;
    return nullptr;
}

std::string modeName(Mode mode) {
    const std::string flag = modeInfo(mode).flag;
    return flag.empty() ? "the GUI (no mode flag)" : flag;
}

std::string modesText(unsigned mask) {
    std::string out;
    for (const ModeInfo& m : modeTable())
        if (mask & maskOf(m.mode)) out += (out.empty() ? "" : " and ") + modeName(m.mode);
    return out;
}

std::size_t editDistance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

// " (did you mean --rank?)" for a near miss among this mode's flags, else "".
std::string suggestion(const std::string& name, Mode mode) {
    std::string dashed = name;
    if (dashed.rfind("--", 0) != 0) dashed = "-" + dashed;  // "-rank" → "--rank"
    std::string best;
    std::size_t bestDistance = 3;
    auto consider = [&](const std::string& flag) {
        const std::size_t dist = editDistance(dashed, flag);
        if (dist < bestDistance) {
            bestDistance = dist;
            best = flag;
        }
    };
    for (const OptionRow& row : optionTable())
        if (row.modes & maskOf(mode)) consider(row.flag);
    for (const ModeInfo& m : modeTable())
        if (m.flag[0] != '\0') consider(m.flag);
    consider("--help");
    return best.empty() ? "" : " (did you mean " + best + "?)";
}

[[noreturn]] void missingValue(const OptionRow& row) {
    throw UsageError(std::string(row.flag) + ": missing value; allowed: " + allowedText(row));
}

// Pass 1: which mode. Values of value-taking options are skipped so that they are never
// mistaken for flags. A mode flag that takes a value ("--inspect PATH") is taken out of the
// arguments with its value; a missing value is reported after the other options were checked,
// so that a bad option is named first.
struct Detected {
    Mode mode = Mode::Gui;
    std::string value;              // the mode flag's value
    std::vector<std::string> rest;  // the arguments without a value-taking mode flag
};

Detected detectMode(const std::vector<std::string>& args) {
    const ModeInfo* chosen = nullptr;
    Detected d;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const Split s = splitToken(args[i]);
        if (const ModeInfo* m = modeByFlag(s.name)) {
            if (s.hasValue && !m->valueName) throw UsageError(s.name + ": takes no value (it selects the mode)");
            if (chosen && chosen->mode == m->mode) throw UsageError(s.name + ": given twice");
            if (chosen)
                throw UsageError(std::string(chosen->flag) + " and " + m->flag +
                                 " cannot be combined; choose one mode: --headless, --bench, "
                                 "--params, --inspect PATH, or none for the GUI");
            chosen = m;
            if (!m->valueName) {
                d.rest.push_back(args[i]);
            } else if (s.hasValue) {
                d.value = s.value;
            } else if (i + 1 < args.size() && !args[i + 1].empty() && !isOptionLike(args[i + 1])) {
                d.value = args[++i];
            }
            continue;
        }
        d.rest.push_back(args[i]);
        if (!s.hasValue && takesValue(s.name) && i + 1 < args.size() && !isOptionLike(args[i + 1]))
            d.rest.push_back(args[++i]);
    }
    d.mode = chosen ? chosen->mode : Mode::Gui;
    return d;
}

// Pass 2: every token is a known option of this mode with its value, or the error says which
// is not. (--help and --version are left to CLI11.)
void checkTokens(const std::vector<std::string>& args, Mode mode) {
    const std::string hint = modeHelpHint(mode);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (isHelpOrVersion(a)) continue;
        if (!isOptionLike(a))
            throw UsageError("unexpected argument '" + a + "' (options start with --); " + hint);
        const Split s = splitToken(a);
        if (modeByFlag(s.name)) continue;
        const OptionRow* row = findRow(s.name, mode);
        if (!row) {
            unsigned modes = 0;
            if (isKnownFlag(s.name, modes))
                throw UsageError(s.name + " is an option of " + modesText(modes) + ", not of " +
                                 modeName(mode) + "; " + hint);
            throw UsageError("unknown option " + s.name + suggestion(s.name, mode) + "; " + hint);
        }
        if (!seen.insert(s.name).second) throw UsageError(s.name + ": given more than once");
        if (row->kind == ValueKind::Flag) {
            if (s.hasValue) throw UsageError(s.name + ": takes no value");
            continue;
        }
        if (s.hasValue) {
            if (s.value.empty()) missingValue(*row);
            continue;
        }
        if (i + 1 >= args.size() || args[i + 1].empty() || isOptionLike(args[i + 1]))
            missingValue(*row);
        ++i;
    }
}

std::string oneLine(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

struct BoundOption {
    const OptionRow* row;
    CLI::Option* option;
    std::string* value;
};

std::unique_ptr<CLI::App> makeApp(Mode mode, std::deque<std::string>& storage,
                                  std::vector<BoundOption>& bound) {
    const ModeInfo& info = modeInfo(mode);
    const std::string name = std::string("loralab") + (info.flag[0] ? std::string(" ") + info.flag : "") +
                             (info.valueName ? std::string(" ") + info.valueName : "");
    auto app = std::make_unique<CLI::App>(std::string("LoRA Lab ") + LORALAB_VERSION + ": " + info.title,
                                          name);
    app->set_help_flag("-h,--help", "print this help (defaults shown after '=') and exit");
    app->set_version_flag("--version", std::string("loralab ") + LORALAB_VERSION,
                          "print the version and exit");
    app->get_formatter()->column_width(34);

    CliOptions defaults;
    defaults.mode = mode;
    for (const OptionRow& row : optionTable()) {
        if (!(row.modes & maskOf(mode))) continue;
        storage.emplace_back();
        std::string* value = &storage.back();
        CLI::Option* opt = nullptr;
        if (row.kind == ValueKind::Flag) {
            opt = app->add_flag(row.flag, row.help);
        } else {
            const std::string allowed = shortAllowedText(row);
            const std::string help = std::string(row.help) + (allowed.empty() ? "" : " [" + allowed + "]");
            opt = app->add_option(row.flag, *value, help);
            opt->type_name(row.valueName);
            if (row.show) opt->default_str(row.show(defaults));
        }
        opt->group(row.group);
        bound.push_back({&row, opt, value});
    }
    for (const ModeInfo& m : modeTable())
        if (m.flag[0] != '\0' && !(m.valueName && m.mode == mode)) app->add_flag(m.flag, m.title)->group("Modes");

    std::string footer =
        "Exit codes: 0 done, 1 runtime failure (I/O" +
        std::string(mode == Mode::Headless ? ", divergence" : "") +
        "), 2 bad usage or bad input.";
    if (mode == Mode::Gui)
        footer += "\nEach mode has its own options: loralab --headless --help, loralab --bench "
                  "--help, loralab --params --help, loralab --inspect --help.";
    if (mode == Mode::Headless)
        footer += "\nExample: loralab --headless --target lowrank --target-rank 3 --rank 3 --json";
    if (mode == Mode::Params)
        footer += "\nExamples: loralab --params --d 4096 --k 4096 --rank 8\n"
                  "          loralab --params --model llama-2-7b --rank 8 --modules q,v\n"
                  "          loralab --params --config path/to/config.json --rank 16 --modules all-linear\n"
                  "          loralab --params --weights model.safetensors.index.json --json";
    if (mode == Mode::Inspect)
        footer += "\nPATH is a peft adapter folder (adapter_config.json + adapter_model.safetensors) "
                  "or a .safetensors\nfile or model.safetensors.index.json (lists the tensors: name, "
                  "dtype, shape).\n"
                  "Examples: loralab --inspect my-adapter --json\n"
                  "          loralab --inspect my-adapter --resize-rank 4 --export-adapter my-adapter-r4";
    if (mode == Mode::Bench)
        footer += "\nExample: loralab --bench --workload layer --sizes 1024,4096 --ranks 8";
    app->footer(footer);
    return app;
}

bool given(const std::set<std::string>& flags, const char* flag) { return flags.count(flag) > 0; }

// "-" is standard output for the text outputs that allow it (--curve); a picture or a folder
// named "-" would only surprise, so those say how to mean a file.
void refuseStandardOutput(const std::string& value, const char* flag, const char* wanted) {
    if (value == "-")
        throw UsageError(std::string(flag) + ": '-' (standard output) is for the CSV of --curve; give " +
                         wanted + " (./- for one named '-')");
}

// Options whose "-" is standard input, which can be read once: at most one may say "-".
void checkStandardInput(const CliOptions& o) {
    std::vector<std::string> readers;
    if (o.scenario().target == TargetKind::File && o.scenario().targetFile == "-")
        readers.push_back("--target-file");
    if (o.scenario().base == BaseKind::File && o.scenario().baseFile == "-")
        readers.push_back("--base-file");
    if (o.mode == Mode::Gui && !readers.empty())
        throw UsageError(readers.front() + " -: the window reads files only (it reloads the target "
                         "on Reset); save standard input to a file, or use --headless");
    if (readers.size() > 1)
        throw UsageError(readers[0] + " and " + readers[1] + " both say '-', but standard input "
                         "can be read once; save one of them to a file");
}

// A scenario flag is one both the window and headless take, outputs aside (the size flags have
// a row per mode, each with its mode's limit).
bool isScenarioFlag(const std::string& flag, Mode mode) {
    const OptionRow* row = findRow(flag, mode);
    return row && findRow(flag, Mode::Gui) && findRow(flag, Mode::Headless) &&
           std::string(row->group) != "Output";
}

// The base's flags among themselves; shapes are checked once the files are read.
void checkBase(Scenario& s, const std::set<std::string>& flags) {
    if (given(flags, "--base-file") && !given(flags, "--base")) s.base = BaseKind::File;
    if (given(flags, "--base-file") && s.base != BaseKind::File)
        throw UsageError(std::string("--base-file needs --base file (got --base ") + baseKindName(s.base) + ")");
    if (s.base == BaseKind::File && s.baseFile.empty())
        throw UsageError("--base file needs --base-file PATH (CSV, PNG/JPEG, or .safetensors with --base-tensor)");
    if (given(flags, "--base-tensor") && !isSafetensorsPath(s.baseFile))
        throw UsageError("--base-tensor applies to a .safetensors --base-file only");
    if (s.base == BaseKind::File && isSafetensorsPath(s.baseFile) && s.baseTensor.empty())
        throw UsageError("--base-file " + s.baseFile + " is a .safetensors file: name the weight with --base-tensor NAME");
    if (s.base == BaseKind::None && given(flags, "--base-dtype"))
        throw UsageError("--base-dtype applies with a base (--base gaussian or --base-file PATH)");
    if (s.doubleQuant && s.baseDtype != BaseDtype::Nf4)
        throw UsageError(std::string("--double-quant applies with --base-dtype nf4 only (got ") +
                         baseDtypeName(s.baseDtype) + ")");
}

// Rules between flags, after each value passed its own check.
void checkCombinations(CliOptions& o, const std::set<std::string>& flags) {
    if (o.mode == Mode::Gui || o.mode == Mode::Headless) {
        Scenario& s = o.scenario();
        const std::string target = targetKindName(s.target);
        if (given(flags, "--target-file") && !given(flags, "--target")) s.target = TargetKind::File;
        if (given(flags, "--target-file") && s.target != TargetKind::File)
            throw UsageError("--target-file needs --target file (got --target " + target + ")");
        if (s.target == TargetKind::File && s.targetFile.empty())
            throw UsageError("--target file needs --target-file PATH (a CSV matrix or a PNG/JPEG picture)");
        if (s.target == TargetKind::File && (given(flags, "--d") || given(flags, "--k")))
            throw UsageError("--d and --k come from --target-file; leave them out");
        checkBase(s, flags);
        if (given(flags, "--target-rank") && s.target != TargetKind::LowRank)
            throw UsageError("--target-rank applies to --target lowrank only (got --target " +
                             std::string(targetKindName(s.target)) + ")");
        if (given(flags, "--decay-power") && s.target != TargetKind::Decay)
            throw UsageError("--decay-power applies to --target decay only (got --target " +
                             std::string(targetKindName(s.target)) + ")");
        if (s.target != TargetKind::File && s.base != BaseKind::File) {
            const Index m = std::min(s.d, s.k);
            if (s.rank > m)
                throw UsageError("--rank: " + std::to_string(s.rank) + " is larger than min(--d, --k) = " +
                                 std::to_string(m) + "; allowed: an integer from 1 to " +
                                 std::to_string(m));
            if (s.target == TargetKind::LowRank && s.targetRank > m)
                throw UsageError("--target-rank: " + std::to_string(s.targetRank) +
                                 " is larger than min(--d, --k) = " + std::to_string(m) +
                                 "; allowed: an integer from 1 to " + std::to_string(m));
        }
        bool scenarioFlag = false;
        for (const std::string& f : flags)
            if (isScenarioFlag(f, o.mode)) scenarioFlag = true;
        o.gui.scenarioGiven = scenarioFlag;
        checkMethodOptions(s, given(flags, "--method"));
        checkStandardInput(o);
    }
    if (o.mode == Mode::Gui) {
        refuseStandardOutput(o.gui.screenshotPath, "--screenshot", "a FILE.png");
        refuseStandardOutput(o.gui.outDir, "--out-dir", "a folder");
    }
    if (o.mode == Mode::Headless) {
        HeadlessOptions& h = o.headless;
        refuseStandardOutput(h.screenshotPath, "--screenshot", "a FILE.png");
        refuseStandardOutput(h.exportDir, "--export-adapter", "a folder");
        if (h.curvePath == "-" && h.json)
            throw UsageError("--json and --curve - both want standard output; send the curve to a "
                             "file, or leave out --json (the summary then goes to stderr)");
        refuseStandardOutput(h.mergedPath, "--export-merged", "a FILE.safetensors");
        if (given(flags, "--module-name") && h.exportDir.empty() && h.mergedPath.empty())
            throw UsageError("--module-name applies with --export-adapter DIR or --export-merged FILE only");
        if (!isValidModuleName(o.headless.moduleName))
            throw UsageError("--module-name: '" + o.headless.moduleName +
                             "' is not a module name; allowed: letters, digits, '_', '.', '-'");
        if (given(flags, "--frames") && o.headless.screenshotPath.empty())
            throw UsageError("--frames applies with --screenshot FILE.png only");
    }
    if (o.mode == Mode::Gui && given(flags, "--frames") && o.gui.screenshotPath.empty())
        throw UsageError("--frames applies with --screenshot FILE.png only");
    if (o.mode == Mode::Gui && given(flags, "--preset")) {
        for (const std::string& f : flags) {
            // How long to pre-train it and on how many threads are not part of a scenario.
            if (isScenarioFlag(f, o.mode) && f != "--threads" && f != "--steps")
                throw UsageError("--preset sets the whole scenario; leave out " + f +
                                 " (change it in the window instead)");
        }
    }
    if (o.mode == Mode::Params) {
        ParamsOptions& p = o.params;
        const int models = given(flags, "--model") + given(flags, "--config") + given(flags, "--weights");
        if (models > 1)
            throw UsageError("--model, --config and --weights each describe a whole model; give one");
        if (models == 1) {
            if (given(flags, "--d") || given(flags, "--k"))
                throw UsageError("--d/--k describe one layer and --model/--config/--weights a whole "
                                 "model; give one or the other");
        } else {
            if (given(flags, "--modules"))
                throw UsageError("--modules applies with --model NAME, --config PATH or --weights PATH only");
            const std::int64_t m = std::min(p.d, p.k);
            if (p.rank > m)
                throw UsageError("--rank: " + std::to_string(p.rank) + " is larger than min(--d, --k) = " +
                                 std::to_string(m) + "; allowed: an integer from 1 to " +
                                 std::to_string(m));
        }
    }
    if (o.mode == Mode::Inspect) {
        if (o.inspect.path.empty())
            throw UsageError("--inspect: missing value; allowed: a peft adapter folder "
                             "(adapter_config.json + adapter_model.safetensors) or a .safetensors file");
        if (given(flags, "--export-adapter") && !given(flags, "--resize-rank"))
            throw UsageError("--export-adapter writes the --resize-rank R adapter; give --resize-rank R too");
    }
    if (o.mode == Mode::Gui || o.mode == Mode::Headless) {
        const Scenario& s = o.scenario();
        const bool safetensors = s.targetFile.size() > 12 &&
                                 s.targetFile.compare(s.targetFile.size() - 12, 12, ".safetensors") == 0;
        if (given(flags, "--tensor") && !safetensors)
            throw UsageError("--tensor applies with --target-file FILE.safetensors only");
        if (safetensors && s.targetTensor.empty())
            throw UsageError("--target-file " + s.targetFile + " needs --tensor NAME (list the tensors: "
                             "loralab --inspect " + s.targetFile + ")");
    }
    if (o.mode == Mode::Bench) {
        BenchOptions& b = o.bench;
        const bool layer = given(flags, "--d") || given(flags, "--k");
        if (layer && given(flags, "--sizes"))
            throw UsageError("--d/--k give one size and --sizes several; give one or the other");
        if (given(flags, "--d") && !given(flags, "--k")) b.k = b.d;
        if (given(flags, "--k") && !given(flags, "--d")) b.d = b.k;
    }
}

}  // namespace

std::string helpText(Mode mode) {
    std::deque<std::string> storage;
    std::vector<BoundOption> bound;
    return makeApp(mode, storage, bound)->help();
}

CliOptions parseOrThrow(const std::vector<std::string>& args, std::ostream& out, bool& helpShown) {
    helpShown = false;
    const Detected detected = detectMode(args);
    const Mode mode = detected.mode;
    const bool wantsHelp = std::any_of(detected.rest.begin(), detected.rest.end(), isHelpOrVersion);
    if (!wantsHelp) checkTokens(detected.rest, mode);

    std::deque<std::string> storage;
    std::vector<BoundOption> bound;
    auto app = makeApp(mode, storage, bound);
    try {
        std::vector<std::string> reversed(detected.rest.rbegin(), detected.rest.rend());
        app->parse(reversed);
    } catch (const CLI::Success& e) {  // --help, --version
        std::ostringstream text, errors;
        app->exit(e, text, errors);
        out << text.str() << errors.str();
        helpShown = true;
        return {};
    } catch (const CLI::ParseError& e) {
        throw UsageError(oneLine(e.what()) + "; " + modeHelpHint(mode));
    }

    CliOptions options;
    options.mode = mode;
    options.inspect.path = detected.value;
    std::set<std::string> flags;
    for (const BoundOption& b : bound) {
        if (b.option->count() == 0) continue;
        flags.insert(b.row->flag);
        Value value;
        const std::string error = convertValue(*b.row, *b.value, value);
        if (!error.empty())
            throw UsageError(std::string(b.row->flag) + ": " + error + "; allowed: " +
                             allowedText(*b.row));
        b.row->apply(options, value);
    }
    checkCombinations(options, flags);
    return options;
}

ParseResult parseCommandLine(const std::vector<std::string>& args, std::ostream& out,
                             std::ostream& err) {
    ParseResult result;
    try {
        bool helpShown = false;
        CliOptions options = parseOrThrow(args, out, helpShown);
        if (helpShown) return result;
        result.options = std::move(options);
    } catch (const std::invalid_argument& e) {  // UsageError, and a core parse*() that threw
        err << "loralab: " << oneLine(e.what()) << '\n';
        result.exitCode = 2;
    }
    return result;
}

}  // namespace loralab::cli
