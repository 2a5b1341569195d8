#include "scenario/presets.h"

#include "presets_json.h"  // generated: kPresetsJson
#include "scenario/scenario_json.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace loralab {
namespace {

using json = nlohmann::json;

Matrix readMatrix(const json& rows, const std::string& where) {
    if (!rows.is_array() || rows.empty() || !rows[0].is_array() || rows[0].empty())
        throw std::invalid_argument(where + ": expected a non-empty array of rows");
    const Index r = static_cast<Index>(rows.size());
    const Index c = static_cast<Index>(rows[0].size());
    Matrix m(r, c);
    for (Index i = 0; i < r; ++i) {
        const json& row = rows[static_cast<std::size_t>(i)];
        if (!row.is_array() || static_cast<Index>(row.size()) != c)
            throw std::invalid_argument(where + ": row " + std::to_string(i + 1) + " must have " +
                                        std::to_string(c) + " numbers");
        for (Index j = 0; j < c; ++j) {
            const json& v = row[static_cast<std::size_t>(j)];
            if (!v.is_number())
                throw std::invalid_argument(where + ": entry (" + std::to_string(i + 1) + ", " +
                                            std::to_string(j + 1) + ") is not a number");
            m(i, j) = v.get<float>();
        }
    }
    return m;
}

}  // namespace

std::vector<Preset> parsePresets(const std::string& text, const std::string& source) {
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error& e) {
        throw std::invalid_argument(source + ": invalid JSON: " + e.what());
    }
    if (!doc.is_object() || !doc.contains("presets") || !doc["presets"].is_array())
        throw std::invalid_argument(source + ": expected an object with a \"presets\" array");
    std::vector<Preset> out;
    int index = 0;
    for (const json& p : doc["presets"]) {
        ++index;
        const std::string where = source + ": preset " + std::to_string(index);
        if (!p.is_object() || !p.contains("name") || !p["name"].is_string())
            throw std::invalid_argument(where + ": needs a \"name\" string");
        Preset preset;
        preset.name = p["name"].get<std::string>();
        const std::string named = where + " (\"" + preset.name + "\")";
        if (p.contains("note")) {
            if (!p["note"].is_string()) throw std::invalid_argument(named + ": \"note\" must be text");
            preset.note = p["note"].get<std::string>();
        }
        if (p.contains("merge")) {
            if (!p["merge"].is_string()) throw std::invalid_argument(named + ": \"merge\" must be fp32 or bf16");
            try {
                preset.merge = parseMergePrecision(p["merge"].get<std::string>());
            } catch (const std::invalid_argument& e) {
                throw std::invalid_argument(named + ": \"merge\": " + e.what());
            }
        }
        json fields = p;
        fields.erase("name");
        fields.erase("note");
        fields.erase("merge");
        fields.erase("factors");
        scenarioFromJson(fields, preset.scenario, named);
        if (p.contains("factors")) {
            const json& f = p["factors"];
            if (!f.is_object() || !f.contains("B") || !f.contains("A"))
                throw std::invalid_argument(named + ": \"factors\" needs \"B\" and \"A\"");
            Matrix B = readMatrix(f["B"], named + ": factors.B");
            Matrix A = readMatrix(f["A"], named + ": factors.A");
            const Scenario& s = preset.scenario;
            if (B.rows() != s.d || B.cols() != s.rank || A.rows() != s.rank || A.cols() != s.k)
                throw std::invalid_argument(
                    named + ": factors must be B d×r = " + std::to_string(s.d) + "×" +
                    std::to_string(s.rank) + " and A r×k = " + std::to_string(s.rank) + "×" +
                    std::to_string(s.k) + ", got B " + std::to_string(B.rows()) + "×" +
                    std::to_string(B.cols()) + " and A " + std::to_string(A.rows()) + "×" +
                    std::to_string(A.cols()));
            preset.B = std::move(B);
            preset.A = std::move(A);
            preset.scenario.target = TargetKind::File;
            preset.scenario.init = Init::Svd;
        }
        out.push_back(std::move(preset));
    }
    return out;
}

const std::vector<Preset>& builtinPresets() {
    static const std::vector<Preset> presets = parsePresets(kPresetsJson, "assets/presets.json");
    return presets;
}

}  // namespace loralab
