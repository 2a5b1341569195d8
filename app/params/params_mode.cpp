#include "params/params_mode.h"

#include "loralab/params.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ostream>
#include <stdexcept>

namespace loralab {

namespace {

using Json = nlohmann::ordered_json;

// 16777216 → "16,777,216"
std::string grouped(std::int64_t v) {
    std::string digits = std::to_string(v < 0 ? -v : v);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return v < 0 ? "-" + out : out;
}

std::string bytesText(std::int64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double x = static_cast<double>(bytes);
    int u = 0;
    while (x >= 1024.0 && u < 4) {
        x /= 1024.0;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", x, units[u]);
    return buf;
}

std::string fixed(const char* format, double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, x);
    return buf;
}

// "256x fewer", or "2x more" when LoRA trains more than the full matrix (tiny layers).
std::string ratioText(double ratio) {
    return ratio >= 1.0 ? fixed("%.4g", ratio) + "x fewer" : fixed("%.4g", 1.0 / ratio) + "x more";
}

std::string pad(const std::string& s, std::size_t width, bool right = true) {
    if (s.size() >= width) return s;
    return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

Json memoryJson(const TrainingMemory& m) {
    Json j;
    j["weights"] = m.weights;
    j["gradients"] = m.gradients;
    j["adam_state"] = m.adamState;
    j["total"] = m.total();
    return j;
}

// Memory to train with Adam, full fine-tuning against LoRA, in both precisions.
Json memoryFigures(std::int64_t base, std::int64_t trainable) {
    Json j;
    for (Precision p : {Precision::Fp32, Precision::Bf16}) {
        const char* name = p == Precision::Fp32 ? "fp32" : "bf16";
        j[name]["full"] = memoryJson(fullFineTuneMemory(base, p));
        j[name]["lora"] = memoryJson(loraMemory(base, trainable, p));
    }
    return j;
}

void printMemory(std::int64_t base, std::int64_t trainable, std::ostream& out) {
    out << "\nMemory to train with Adam (weights + gradients + 2 Adam values per trainable "
           "parameter):\n";
    out << "          " << pad("full fine-tuning", 18) << pad("LoRA", 14) << '\n';
    for (Precision p : {Precision::Fp32, Precision::Bf16}) {
        out << "  " << pad(p == Precision::Fp32 ? "fp32" : "bf16", 6, false) << "  "
            << pad(bytesText(fullFineTuneMemory(base, p).total()), 18)
            << pad(bytesText(loraMemory(base, trainable, p).total()), 14) << '\n';
    }
}

int listModels(bool json, std::ostream& out) {
    if (json) {
        Json list = Json::array();
        for (const ModelPreset& m : modelPresets()) {
            Json e;
            e["name"] = m.name;
            e["display_name"] = m.displayName;
            e["layers"] = m.layers;
            e["hidden"] = m.hidden;
            e["intermediate"] = m.intermediate;
            e["heads"] = m.heads;
            e["kv_heads"] = m.kvHeads;
            e["vocab"] = m.vocab;
            e["params"] = baseParams(m);
            e["published_params"] = m.publishedParams;
            list.push_back(e);
        }
        Json j;
        j["models"] = list;
        out << j.dump() << '\n';
        return 0;
    }
    out << pad("name", 16, false) << pad("model", 14, false) << pad("layers", 7) << pad("hidden", 8)
        << pad("parameters", 17) << '\n';
    for (const ModelPreset& m : modelPresets())
        out << pad(m.name, 16, false) << pad(m.displayName, 14, false) << pad(std::to_string(m.layers), 7)
            << pad(std::to_string(m.hidden), 8) << pad(grouped(baseParams(m)), 17) << '\n';
    out << "\nUse: loralab --params --model NAME --rank R --modules q,v\n";
    return 0;
}

// The JSON object of both forms: `j` says what was counted, the counts follow in one order.
void printCountsJson(Json j, std::int64_t full, std::int64_t lora, double ratio, double percent,
                     std::int64_t base, std::ostream& out) {
    j["full_params"] = full;
    j["lora_params"] = lora;
    j["ratio"] = ratio;
    j["trainable_percent"] = percent;
    j["memory_bytes"] = memoryFigures(base, lora);
    out << j.dump() << '\n';
}

int layerParams(const ParamsOptions& o, std::ostream& out) {
    const LayerCounts c = layerCounts(o.d, o.k, o.rank);
    if (o.json) {
        printCountsJson(Json{{"d", o.d}, {"k", o.k}, {"rank", o.rank}}, c.full, c.lora, c.ratio,
                        c.trainablePercent, c.full, out);
        return 0;
    }
    out << "Layer " << o.d << " x " << o.k << ", LoRA rank " << o.rank << "\n\n";
    out << "  full fine-tuning  " << pad(grouped(c.full), 16) << "  = d*k\n";
    out << "  LoRA              " << pad(grouped(c.lora), 16) << "  = r*(d+k)   "
        << ratioText(c.ratio) << ", " << fixed("%.4g", c.trainablePercent)
        << " % trainable\n";
    printMemory(c.full, c.lora, out);
    return 0;
}

int modelParams(const ParamsOptions& o, std::ostream& out) {
    const ModelPreset& model = findModel(o.model);
    std::vector<Module> modules;
    try {
        modules = parseModules(o.modules, model);
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();  // the core names the field "modules: ..."
        throw std::invalid_argument(what.rfind("modules:", 0) == 0 ? "--" + what
                                                                   : "--modules: " + what);
    }
    for (Module m : modules) {
        const ModuleShape shape = moduleShape(model, m);
        const std::int64_t limit = std::min(shape.in, shape.out);
        if (o.rank > limit)
            throw std::invalid_argument("--rank: " + std::to_string(o.rank) + " is larger than the " +
                                        std::string(moduleName(m)) + " matrix allows (" +
                                        std::to_string(shape.out) + "x" + std::to_string(shape.in) +
                                        "); allowed: an integer from 1 to " + std::to_string(limit));
    }
    const ModelCounts c = modelCounts(model, modules, o.rank);
    Json names = Json::array();
    std::string list;
    for (Module m : modules) {
        names.push_back(moduleName(m));
        list += (list.empty() ? "" : ",") + std::string(moduleName(m));
    }
    if (o.json) {
        const Json what{{"model", model.name}, {"modules", names}, {"rank", o.rank},
                        {"base_params", c.base}, {"trainable_params", c.trainable}};
        printCountsJson(what, c.fullTargeted, c.trainable, c.ratio, c.trainablePercent, c.base, out);
        return 0;
    }
    out << model.displayName << ": " << model.layers << " layers, hidden " << model.hidden << ", "
        << grouped(c.base) << " parameters\n";
    out << "LoRA rank " << o.rank << " on " << list << " in every layer\n\n";
    out << "  targeted matrices " << pad(grouped(c.fullTargeted), 16)
        << "  (what full fine-tuning of them trains)\n";
    out << "  LoRA trainable    " << pad(grouped(c.trainable), 16) << "  " << ratioText(c.ratio)
        << '\n';
    out << "  trainable %       " << pad(fixed("%.4f", c.trainablePercent), 16)
        << "  trainable / (base + trainable), as peft prints it\n";
    printMemory(c.base, c.trainable, out);
    return 0;
}

}  // namespace

int runParams(const ParamsOptions& o, std::ostream& out, std::ostream& /*err*/) {
    if (o.model == "list") return listModels(o.json, out);
    if (!o.model.empty()) return modelParams(o, out);
    return layerParams(o, out);
}

}  // namespace loralab
