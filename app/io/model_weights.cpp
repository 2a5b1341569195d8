#include "io/model_weights.h"

#include "io/safetensors_header.h"
#include "io/input_file.h"
#include "loralab/input_error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>

namespace loralab {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

ModelWeights fromFile(const std::string& path) {
    const SafetensorsHeader h = readSafetensorsHeader(path);
    ModelWeights w;
    w.source = path;
    w.files = 1;
    for (const TensorInfo& t : h.tensors) w.entries.push_back({t.name, t.dtype, t.shape, path});
    return w;
}

ModelWeights fromIndex(const std::string& path) {
    const std::string text =
        readInputFile(path, std::uintmax_t{64} << 20, "a sharded model's model.safetensors.index.json");
    json index;
    try {
        index = json::parse(text);
    } catch (const json::exception& e) {
        throw InputError(path + ": not valid JSON: " + e.what());
    }
    if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
        throw InputError(path + ": no \"weight_map\" object (a sharded model's index maps each "
                                "tensor name to its .safetensors file)");
    const fs::path folder = fs::path(path).parent_path();
    std::map<std::string, SafetensorsHeader> shards;
    ModelWeights w;
    w.source = path;
    for (const auto& [name, file] : index["weight_map"].items()) {
        if (!file.is_string() || file.get<std::string>().empty() ||
            fs::path(file.get<std::string>()).is_absolute())
            throw InputError(path + ": weight_map['" + name + "'] must be a file name relative to the index");
        const std::string shard = (folder / file.get<std::string>()).string();
        auto it = shards.find(shard);
        if (it == shards.end()) it = shards.emplace(shard, readSafetensorsHeader(shard)).first;
        const TensorInfo* t = it->second.find(name);
        if (!t)
            throw InputError(path + ": tensor '" + name + "' is listed for " + shard +
                             ", which does not hold it");
        w.entries.push_back({t->name, t->dtype, t->shape, shard});
    }
    w.files = shards.size();
    std::sort(w.entries.begin(), w.entries.end(),
              [](const WeightEntry& a, const WeightEntry& b) { return a.name < b.name; });
    return w;
}

}  // namespace

std::vector<NamedShape> ModelWeights::shapes() const {
    std::vector<NamedShape> out;
    out.reserve(entries.size());
    for (const WeightEntry& e : entries) out.push_back({e.name, e.shape});
    return out;
}

ModelWeights readModelWeights(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        for (const char* name : {"model.safetensors.index.json", "model.safetensors"}) {
            const std::string candidate = (fs::path(path) / name).string();
            if (fs::exists(candidate, ec)) return readModelWeights(candidate);
        }
        throw InputError(path + ": no model.safetensors or model.safetensors.index.json in this folder");
    }
    if (!fs::exists(path, ec)) throw InputError(path + ": no such file");
    return endsWith(path, ".json") ? fromIndex(path) : fromFile(path);
}

}  // namespace loralab
