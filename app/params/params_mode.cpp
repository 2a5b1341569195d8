#include "params/params_mode.h"

#include "io/peft_adapter.h"
#include "loralab/params.h"
#include "params/model_params.h"
#include "params/params_report.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ostream>
#include <stdexcept>

namespace loralab {

namespace {

using Json = nlohmann::ordered_json;

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
    out << "\nUse: loralab --params --model NAME --rank R --modules q,v\n"
           "     loralab --params --config config.json (or --weights model.safetensors) --rank R\n";
    return 0;
}

int layerParams(const ParamsOptions& o, std::ostream& out) {
    const LayerCounts c = layerCounts(o.d, o.k, o.rank);
    ParamsFigures f;
    f.base = f.targeted = c.full;
    f.trainable = c.lora;
    f.ratio = c.ratio;
    f.trainablePercent = c.trainablePercent;
    f.qlora.nf4Bytes = nf4Bytes(c.full);
    // As --headless --export-adapter writes it: one module named "layer".
    const std::vector<LinearModule> layer{{"layer", o.d, o.k, false}};
    f.adapterBytes = adapterFileBytes(layer, o.rank, "F32");
    f.adapterBytesBf16 = adapterFileBytes(layer, o.rank, "BF16");
    if (o.json) {
        out << figuresJson(Json{{"d", o.d}, {"k", o.k}, {"rank", o.rank}}, f).dump() << '\n';
        return 0;
    }
    out << "Layer " << o.d << " x " << o.k << ", LoRA rank " << o.rank << "\n\n";
    out << "  full fine-tuning  " << pad(grouped(c.full), 16) << "  = d*k\n";
    char percent[32];
    std::snprintf(percent, sizeof percent, "%.4g", c.trainablePercent);
    out << "  LoRA              " << pad(grouped(c.lora), 16) << "  = r*(d+k)   "
        << ratioText(c.ratio) << ", " << percent << " % trainable\n";
    printAdapterAndMemory(f, out);
    return 0;
}

int presetParams(const ParamsOptions& o, std::ostream& out) {
    const ModelPreset& model = findModel(o.model);
    std::vector<Module> modules;
    try {
        modules = parseModules(o.modules.empty() ? "q,v" : o.modules, model);
    } catch (const std::invalid_argument& e) {
        rethrowForFlag(e);
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
    std::string list, keys;
    for (Module m : modules) {
        names.push_back(moduleName(m));
        list += (list.empty() ? "" : ",") + std::string(moduleName(m));
        keys += (keys.empty() ? "" : ",") + std::string(moduleName(m)) + "_proj";
    }
    // The preset's tensors under Llama's names give the adapter file and QLoRA's base.
    const std::vector<NamedShape> tensors = presetTensors(model);
    const ModuleSelection selected = selectModules(linearModules(tensors), keys);
    ParamsFigures f;
    f.base = c.base;
    f.targeted = c.fullTargeted;
    f.trainable = c.trainable;
    f.ratio = c.ratio;
    f.trainablePercent = c.trainablePercent;
    f.qlora = qloraBase(tensors);
    f.adapterBytes = adapterFileBytes(selected.modules, o.rank, "F32");
    f.adapterBytesBf16 = adapterFileBytes(selected.modules, o.rank, "BF16");
    if (o.json) {
        const Json what{{"model", model.name}, {"modules", names}, {"rank", o.rank},
                        {"base_params", c.base}, {"trainable_params", c.trainable}};
        out << figuresJson(what, f).dump() << '\n';
        return 0;
    }
    out << model.displayName << ": " << model.layers << " layers, hidden " << model.hidden << ", "
        << grouped(c.base) << " parameters\n";
    out << "LoRA rank " << o.rank << " on " << list << " in every layer\n\n";
    printModelCounts(f, out);
    printAdapterAndMemory(f, out);
    return 0;
}

}  // namespace

int runParams(const ParamsOptions& o, std::ostream& out, std::ostream& /*err*/) {
    if (o.model == "list") return listModels(o.json, out);
    if (!o.model.empty()) return presetParams(o, out);
    if (!o.config.empty() || !o.weights.empty()) return sourceParams(o, out);
    return layerParams(o, out);
}

}  // namespace loralab
