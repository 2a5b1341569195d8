// The command line as one table: every option of every mode is a row with its flag, the modes
// that take it, its value kind and allowed range, its help text, where it is stored and how its
// default is shown. Parsing (parse.cpp), validation messages and --help all come from here.
#pragma once

#include "bench/bench.h"
#include "cli/gui_entry.h"
#include "headless/headless.h"
#include "inspect/inspect_mode.h"
#include "params/params_mode.h"

#include <string>
#include <vector>

namespace loralab::cli {

enum class Mode { Gui, Headless, Bench, Params, Inspect };

// Bit masks of the modes an option belongs to.
enum ModeMask : unsigned {
    kGui = 1u << 0,
    kHeadless = 1u << 1,
    kBench = 1u << 2,
    kParams = 1u << 3,
    kInspect = 1u << 4,
    kFit = kGui | kHeadless,  // the scenario flags
};
unsigned maskOf(Mode mode);

struct ModeInfo {
    Mode mode;
    const char* flag;     // "" for the GUI
    const char* title;    // for --help
    const char* valueName = nullptr;  // the mode flag takes a value ("--inspect PATH"), or nullptr
};
const std::vector<ModeInfo>& modeTable();
const ModeInfo& modeInfo(Mode mode);
std::string modeHelpHint(Mode mode);  // "see 'loralab --headless --help'"

// Everything the command line can set; each mode reads its own part.
struct CliOptions {
    Mode mode = Mode::Gui;
    GuiOptions gui;
    HeadlessOptions headless;
    ParamsOptions params;
    BenchOptions bench;
    InspectOptions inspect;

    Scenario& scenario() { return mode == Mode::Headless ? headless.scenario : gui.scenario; }
    const Scenario& scenario() const {
        return mode == Mode::Headless ? headless.scenario : gui.scenario;
    }
};

enum class ValueKind { Flag, Integer, Real, Choice, IntegerList, Text };

// A converted, range-checked value (the field matching the row's kind is set).
struct Value {
    long long integer = 0;
    double real = 0.0;
    std::string text;                // Choice, Text (and the raw text for every kind)
    std::vector<long long> list;     // IntegerList
};

struct OptionRow {
    const char* flag;                // "--d"
    unsigned modes;                  // ModeMask bits
    ValueKind kind;
    const char* valueName;           // "N", "FILE.csv" (unused for flags)
    const char* group;               // help section
    const char* help;
    long long minInt = 0, maxInt = 0;   // Integer, IntegerList: inclusive bounds
    double minReal = 0.0, maxReal = 0.0;
    bool minOpen = false;               // Real: min excluded (value must be > min)
    std::vector<std::string> (*choices)() = nullptr;  // Choice
    void (*apply)(CliOptions&, const Value&) = nullptr;
    std::string (*show)(const CliOptions&) = nullptr;  // current value; nullptr: no default shown
};

const std::vector<OptionRow>& optionTable();

// The row for `flag` in `mode`, or nullptr.
const OptionRow* findRow(const std::string& flag, Mode mode);
// True when some mode has an option named `flag`; sets `modes` to the union of their masks.
bool isKnownFlag(const std::string& flag, unsigned& modes);
bool takesValue(const std::string& flag);

// "an integer from 1 to 4096", "one of: sgd, momentum, adam", ...
std::string allowedText(const OptionRow& row);
// The same, compact, for --help: "1..4096", "> 0, <= 1000", "sgd|momentum|adam" ("" for text).
std::string shortAllowedText(const OptionRow& row);

// Converts and range-checks `text`. Returns "" on success, else what was wrong (without the
// flag; the caller prefixes it and appends allowedText).
std::string convertValue(const OptionRow& row, const std::string& text, Value& value);

}  // namespace loralab::cli
