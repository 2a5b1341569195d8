// Teaching presets: scenarios defined as data (assets/presets.json, embedded at build time).
#pragma once

#include "scenario/scenario.h"
#include "loralab/merge.h"

#include <optional>
#include <string>
#include <vector>

namespace loralab {

struct Preset {
    std::string name;   // shown in the Presets menu
    std::string note;   // one or two sentences for the class, shown under the controls
    Scenario scenario;
    // Optional fixed factors B (d×r) and A (r×k): the target is then T = s·B·A and the app
    // shows exactly these factors until training or an edit changes them.
    std::optional<Matrix> B, A;
    // With a base: the precision the window merges in (its "merge" radio buttons).
    MergePrecision merge = MergePrecision::Fp32;
};

// Parses the presets file's text. Throws std::invalid_argument naming `source`, the preset and
// the field on any error (bad JSON, wrong type, factor shapes that do not match d, k, rank).
std::vector<Preset> parsePresets(const std::string& text, const std::string& source);

// The presets embedded from assets/presets.json.
const std::vector<Preset>& builtinPresets();

}  // namespace loralab
