// Settings that persist between runs: window geometry, view options and the last scenario.
// Stored as JSON in $XDG_CONFIG_HOME/loralab/settings.json (or ~/.config/loralab/...).
// A missing file gives the defaults; a corrupt one is ignored with a warning.
#pragma once

#include "scenario/scenario.h"

#include <optional>
#include <string>

namespace loralab::gui {

struct Settings {
    int windowWidth = 1600;         // logical pixels
    int windowHeight = 1000;
    std::optional<int> windowX, windowY;
    int stepsPerFrame = 20;         // training speed when playing
    bool sharedScale = true;        // one colour scale for all heatmaps
    std::string modelName = "llama-2-7b";  // savings counter's model preset (core params.h name)
    std::string modules = "q,v";    // savings counter's adapted modules
    float fontSize = 21.0f;         // pixels
    std::optional<Scenario> scenario;  // the last scenario (steps not kept)
};

// The settings file path; empty if neither XDG_CONFIG_HOME nor HOME is set.
std::string settingsPath();

// Reads `path`. Missing file: defaults and no warning. Unreadable or corrupt file (bad JSON,
// wrong types, out-of-range values, not a regular file): defaults, and `warning` says what was
// wrong and where. Never fails the start.
Settings loadSettings(const std::string& path, std::string& warning);

// Writes through the one output path (io/output_file.h), creating the folder. Returns false
// with `error` set.
bool saveSettings(const std::string& path, const Settings& settings, std::string& error);

}  // namespace loralab::gui
