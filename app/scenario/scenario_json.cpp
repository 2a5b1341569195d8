#include "scenario/scenario_json.h"

#include <functional>
#include <stdexcept>
#include <vector>

namespace loralab {
namespace {

using json = nlohmann::json;

struct Field {
    const char* key;
    std::function<void(const json&, Scenario&)> read;   // throws json::exception on bad type
    std::function<void(const Scenario&, json&)> write;
};

Index readIndex(const json& v) {
    const long long x = v.get<long long>();
    return static_cast<Index>(x);
}

const std::vector<Field>& fields() {
    static const std::vector<Field> table = {
        {"d", [](const json& v, Scenario& s) { s.d = readIndex(v); },
         [](const Scenario& s, json& j) { j["d"] = s.d; }},
        {"k", [](const json& v, Scenario& s) { s.k = readIndex(v); },
         [](const Scenario& s, json& j) { j["k"] = s.k; }},
        {"rank", [](const json& v, Scenario& s) { s.rank = readIndex(v); },
         [](const Scenario& s, json& j) { j["rank"] = s.rank; }},
        {"alpha",
         [](const json& v, Scenario& s) {
             if (v.is_null()) s.alpha.reset(); else s.alpha = v.get<double>();
         },
         [](const Scenario& s, json& j) { j["alpha"] = s.alpha ? json(*s.alpha) : json(nullptr); }},
        {"rslora", [](const json& v, Scenario& s) { s.rslora = v.get<bool>(); },
         [](const Scenario& s, json& j) { j["rslora"] = s.rslora; }},
        {"init", [](const json& v, Scenario& s) { s.init = parseInit(v.get<std::string>()); },
         [](const Scenario& s, json& j) { j["init"] = initName(s.init); }},
        {"target",
         [](const json& v, Scenario& s) { s.target = parseTargetKind(v.get<std::string>()); },
         [](const Scenario& s, json& j) { j["target"] = targetKindName(s.target); }},
        {"target-rank", [](const json& v, Scenario& s) { s.targetRank = readIndex(v); },
         [](const Scenario& s, json& j) { j["target-rank"] = s.targetRank; }},
        {"decay-power", [](const json& v, Scenario& s) { s.decayPower = v.get<double>(); },
         [](const Scenario& s, json& j) { j["decay-power"] = s.decayPower; }},
        {"target-file", [](const json& v, Scenario& s) { s.targetFile = v.get<std::string>(); },
         [](const Scenario& s, json& j) { j["target-file"] = s.targetFile; }},
        {"base", [](const json& v, Scenario& s) { s.base = parseBaseKind(v.get<std::string>()); },
         [](const Scenario& s, json& j) { j["base"] = baseKindName(s.base); }},
        {"base-file", [](const json& v, Scenario& s) { s.baseFile = v.get<std::string>(); },
         [](const Scenario& s, json& j) { j["base-file"] = s.baseFile; }},
        {"base-tensor", [](const json& v, Scenario& s) { s.baseTensor = v.get<std::string>(); },
         [](const Scenario& s, json& j) { j["base-tensor"] = s.baseTensor; }},
        {"base-dtype",
         [](const json& v, Scenario& s) { s.baseDtype = parseBaseDtype(v.get<std::string>()); },
         [](const Scenario& s, json& j) { j["base-dtype"] = baseDtypeName(s.baseDtype); }},
        {"double-quant", [](const json& v, Scenario& s) { s.doubleQuant = v.get<bool>(); },
         [](const Scenario& s, json& j) { j["double-quant"] = s.doubleQuant; }},
        {"tensor", [](const json& v, Scenario& s) { s.targetTensor = v.get<std::string>(); },
         [](const Scenario& s, json& j) { j["tensor"] = s.targetTensor; }},
        {"optimizer",
         [](const json& v, Scenario& s) { s.optimizer = parseOptimizer(v.get<std::string>()); },
         [](const Scenario& s, json& j) { j["optimizer"] = optimizerName(s.optimizer); }},
        {"lr", [](const json& v, Scenario& s) { s.lr = v.get<double>(); },
         [](const Scenario& s, json& j) { j["lr"] = s.lr; }},
        {"steps", [](const json& v, Scenario& s) { s.steps = v.get<long long>(); },
         [](const Scenario& s, json& j) { j["steps"] = s.steps; }},
        {"seed", [](const json& v, Scenario& s) { s.seed = v.get<std::uint64_t>(); },
         [](const Scenario& s, json& j) { j["seed"] = s.seed; }},
        {"method", [](const json& v, Scenario& s) { s.method = parseMethod(v.get<std::string>()); },
         [](const Scenario& s, json& j) { j["method"] = methodName(s.method); }},
        {"lr-ratio", [](const json& v, Scenario& s) { s.lrRatio = v.get<double>(); },
         [](const Scenario& s, json& j) { j["lr-ratio"] = s.lrRatio; }},
        // As on the command line ("lora,full"); "" is no comparison.
        {"compare",
         [](const json& v, Scenario& s) {
             const std::string list = v.get<std::string>();
             s.compare = list.empty() ? std::vector<MethodKind>{} : parseMethodList(list);
         },
         [](const Scenario& s, json& j) {
             std::string list;
             for (MethodKind kind : s.compare) list += (list.empty() ? "" : ",") + std::string(methodName(kind));
             j["compare"] = list;
         }},
    };
    return table;
}

}  // namespace

void scenarioFromJson(const json& j, Scenario& s, const std::string& where, bool allowOtherKeys) {
    if (!j.is_object()) throw std::invalid_argument(where + ": expected a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& key = it.key();
        const Field* field = nullptr;
        for (const Field& f : fields())
            if (key == f.key) field = &f;
        if (!field) {
            if (allowOtherKeys || (!key.empty() && key[0] == '_')) continue;
            throw std::invalid_argument(where + ": unknown key \"" + key + "\"");
        }
        try {
            field->read(it.value(), s);
        } catch (const json::exception& e) {
            throw std::invalid_argument(where + ": \"" + key + "\" has the wrong type (" +
                                        it.value().type_name() + ")");
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(where + ": \"" + key + "\": " + e.what());
        }
    }
}

json scenarioToJson(const Scenario& s) {
    json j = json::object();
    for (const Field& f : fields()) f.write(s, j);
    return j;
}

}  // namespace loralab
