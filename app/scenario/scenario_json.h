// Scenario <-> JSON, one table of fields (keys are the command-line names: "d", "target-rank",
// ...). Used by the teaching presets (assets/presets.json) and the settings file.
#pragma once

#include "scenario/scenario.h"

#include <nlohmann/json.hpp>

#include <string>

namespace loralab {

// Sets the fields present in `j` (an object); other fields keep their values. Unknown keys
// starting with '_' are ignored, other unknown keys throw. Throws std::invalid_argument naming
// `where` and the key for a wrong type or a bad value (e.g. an unknown optimizer name).
void scenarioFromJson(const nlohmann::json& j, Scenario& s, const std::string& where,
                      bool allowOtherKeys = false);

nlohmann::json scenarioToJson(const Scenario& s);

}  // namespace loralab
