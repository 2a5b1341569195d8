#include "params/model_params.h"

#include "io/hf_config.h"
#include "io/model_weights.h"
#include "io/peft_adapter.h"
#include "params/params_report.h"

#include <nlohmann/json.hpp>

#include <ostream>
#include <stdexcept>

namespace loralab {

namespace {

using Json = nlohmann::ordered_json;

struct Source {
    std::vector<NamedShape> tensors;
    std::string title;           // first line of the readable output
    Json what;                   // what was counted, for --json
    std::string defaultModules;  // when --modules is not given
};

Source fromConfig(const std::string& path) {
    const HfConfig c = readHfConfig(path);
    const DecoderShapes& s = c.shapes;
    Source src;
    src.tensors = decoderTensors(s);
    src.title = c.name + " (" + c.modelType + ", from " + c.source + "): " + std::to_string(s.layers) +
                " layers, hidden " + std::to_string(s.hidden);
    src.what = {{"config", c.source}, {"model_type", c.modelType}, {"name", c.name}};
    src.defaultModules = c.defaultModules;
    return src;
}

Source fromWeights(const std::string& path) {
    const ModelWeights w = readModelWeights(path);
    Source src;
    src.tensors = w.shapes();
    src.title = w.source + ": " + std::to_string(w.entries.size()) + " tensors in " +
                std::to_string(w.files) + (w.files == 1 ? " file" : " files");
    src.what = {{"weights", w.source}, {"tensors", w.entries.size()}, {"files", w.files}};
    src.defaultModules = "q,v";
    return src;
}

}  // namespace

int sourceParams(const ParamsOptions& o, std::ostream& out) {
    Source src = o.config.empty() ? fromWeights(o.weights) : fromConfig(o.config);
    ParamsFigures f;
    ModuleSelection selected;
    try {
        selected = selectModules(linearModules(src.tensors), o.modules.empty() ? src.defaultModules : o.modules);
        const ModelCounts c = tensorCounts(src.tensors, selected.modules, o.rank);
        f.base = c.base;
        f.targeted = c.fullTargeted;
        f.trainable = c.trainable;
        f.ratio = c.ratio;
        f.trainablePercent = c.trainablePercent;
    } catch (const std::invalid_argument& e) {
        rethrowForFlag(e);
    }
    f.qlora = qloraBase(src.tensors);
    f.adapterBytes = adapterFileBytes(selected.modules, o.rank, "F32");
    f.adapterBytesBf16 = adapterFileBytes(selected.modules, o.rank, "BF16");
    std::string keys;
    for (const std::string& k : selected.keys) keys += (keys.empty() ? "" : ",") + k;
    if (o.json) {
        Json what = src.what;
        what["modules"] = selected.keys;
        what["matched_modules"] = selected.modules.size();
        what["rank"] = o.rank;
        what["base_params"] = f.base;
        what["trainable_params"] = f.trainable;
        out << figuresJson(what, f).dump() << '\n';
        return 0;
    }
    out << src.title << ", " << grouped(f.base) << " parameters\n";
    out << "LoRA rank " << o.rank << " on " << keys << ": " << selected.modules.size()
        << (selected.modules.size() == 1 ? " matrix" : " matrices") << "\n\n";
    printModelCounts(f, out);
    printAdapterAndMemory(f, out);
    return 0;
}

}  // namespace loralab
