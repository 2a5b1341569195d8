// The building blocks of the option table (option_table.cpp and option_table_fit.cpp): one
// constructor per value kind, the limits and help groups the rows share, and the choice lists.
#pragma once

#include "cli/option_table.h"

#include "loralab/types.h"

#include <limits>
#include <string>
#include <vector>

namespace loralab::cli {

using Apply = void (*)(CliOptions&, const Value&);
using Show = std::string (*)(const CliOptions&);

constexpr long long kMaxFitDim = 1 << 20;      // the window and headless refuse what does not fit in memory
constexpr long long kMaxParamsDim = 10000000;  // counting only: 64-bit products stay exact
constexpr long long kMaxBenchDim = 1 << 20;    // the bench refuses what does not fit in memory
constexpr long long kMaxSeed = std::numeric_limits<long long>::max();
constexpr long long kMaxSteps = 1000000000;

// Help sections.
constexpr const char* kScenario = "Scenario";
constexpr const char* kBaseGroup = "Base weight";
constexpr const char* kTraining = "Training";
constexpr const char* kOutput = "Output";
constexpr const char* kLayer = "Layer";
constexpr const char* kModel = "Model";
constexpr const char* kBenchGroup = "Bench";

OptionRow flagRow(const char* flag, unsigned modes, const char* group, const char* help,
                  Apply apply);
OptionRow intRow(const char* flag, unsigned modes, const char* valueName, const char* group,
                 const char* help, long long lo, long long hi, Apply apply, Show show);
OptionRow listRow(const char* flag, unsigned modes, const char* valueName, const char* group,
                  const char* help, long long lo, long long hi, Apply apply, Show show);
// loOpen: the value must be > lo (else >= lo).
OptionRow realRow(const char* flag, unsigned modes, const char* valueName, const char* group,
                  const char* help, double lo, bool loOpen, double hi, Apply apply, Show show);
OptionRow choiceRow(const char* flag, unsigned modes, const char* valueName, const char* group,
                    const char* help, std::vector<std::string> (*choices)(), Apply apply,
                    Show show);
OptionRow textRow(const char* flag, unsigned modes, const char* valueName, const char* group,
                  const char* help, Apply apply, Show show);

std::string join(const std::vector<std::string>& items, const char* sep);
std::string listText(const std::vector<Index>& v);  // "256,512"

std::vector<std::string> initChoices();
std::vector<std::string> targetChoices();
std::vector<std::string> baseChoices();
std::vector<std::string> baseDtypeChoices();
std::vector<std::string> optimizerChoices();
std::vector<std::string> presetChoices();
std::vector<std::string> workloadChoices();
std::vector<std::string> modelChoices();

// The rows of a fit, window and headless: scenario, base, training and outputs.
std::vector<OptionRow> fitRows();

}  // namespace loralab::cli
