#include "settings.h"

#include "io/atomic_file.h"
#include "scenario/scenario_json.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace loralab::gui {
namespace {

using json = nlohmann::json;

template <typename T>
void readIf(const json& j, const char* key, T& out) {
    if (j.contains(key)) out = j.at(key).get<T>();
}

void checkRange(bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument(what);
}

}  // namespace

std::string settingsPath() {
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    if (xdg && *xdg) return std::string(xdg) + "/loralab/settings.json";
    const char* home = std::getenv("HOME");
    if (home && *home) return std::string(home) + "/.config/loralab/settings.json";
    return {};
}

Settings loadSettings(const std::string& path, std::string& warning) {
    warning.clear();
    Settings defaults;
    if (path.empty()) return defaults;
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (status.type() == std::filesystem::file_type::not_found) return defaults;
    // Only a regular file is read: a FIFO would block the start, a folder or device is no file.
    if (!std::filesystem::is_regular_file(status)) {
        warning = "ignoring settings " + path + ": not a regular file";
        return defaults;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        warning = "cannot read settings " + path + ": " + std::strerror(errno) + " (ignored)";
        return defaults;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    try {
        const json j = json::parse(buffer.str());
        if (!j.is_object()) throw std::invalid_argument("expected a JSON object");
        Settings s;
        if (j.contains("window")) {
            const json& w = j.at("window");
            readIf(w, "width", s.windowWidth);
            readIf(w, "height", s.windowHeight);
            if (w.contains("x") && w.contains("y")) {
                s.windowX = w.at("x").get<int>();
                s.windowY = w.at("y").get<int>();
            }
        }
        if (j.contains("view")) {
            const json& v = j.at("view");
            readIf(v, "stepsPerFrame", s.stepsPerFrame);
            readIf(v, "sharedScale", s.sharedScale);
            readIf(v, "model", s.modelName);
            readIf(v, "modules", s.modules);
            readIf(v, "fontSize", s.fontSize);
        }
        if (j.contains("scenario")) {
            Scenario sc;
            scenarioFromJson(j.at("scenario"), sc, "scenario");
            sc.steps = 0;
            s.scenario = sc;
        }
        checkRange(s.windowWidth >= 200 && s.windowWidth <= 16384 && s.windowHeight >= 150 &&
                       s.windowHeight <= 16384,
                   "window size out of range");
        checkRange(s.stepsPerFrame >= 1 && s.stepsPerFrame <= 10000, "stepsPerFrame out of 1..10000");
        checkRange(s.fontSize >= 10.0f && s.fontSize <= 48.0f, "fontSize out of 10..48");
        return s;
    } catch (const std::exception& e) {
        warning = "ignoring corrupt settings file " + path + ": " + e.what();
        return defaults;
    }
}

bool saveSettings(const std::string& path, const Settings& s, std::string& error) {
    if (path.empty()) {
        error = "no settings folder (neither XDG_CONFIG_HOME nor HOME is set)";
        return false;
    }
    json j;
    j["window"] = {{"width", s.windowWidth}, {"height", s.windowHeight}};
    if (s.windowX && s.windowY) {
        j["window"]["x"] = *s.windowX;
        j["window"]["y"] = *s.windowY;
    }
    j["view"] = {{"stepsPerFrame", s.stepsPerFrame},
                 {"sharedScale", s.sharedScale},
                 {"model", s.modelName},
                 {"modules", s.modules},
                 {"fontSize", s.fontSize}};
    if (s.scenario) {
        json sc = scenarioToJson(*s.scenario);
        sc.erase("steps");
        j["scenario"] = sc;
    }
    try {
        const std::string folder = std::filesystem::path(path).parent_path().string();
        if (!folder.empty()) ensureDirectory(folder);
        writeOutputFile(path, j.dump(2) + "\n");
    } catch (const std::exception& e) {  // IoError, OutputPathError
        error = e.what();
        return false;
    }
    return true;
}

}  // namespace loralab::gui
