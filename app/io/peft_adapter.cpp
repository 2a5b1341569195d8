#include "io/peft_adapter.h"

#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "io/safetensors_header.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <filesystem>
#include <stdexcept>

namespace loralab {

using nlohmann::json;

std::string adapterTensorName(const std::string& module, char part) {
    return "base_model.model." + module + ".lora_" + std::string(1, part) + ".weight";
}

bool isValidModuleName(const std::string& module) {
    if (module.empty() || module.size() > 200) return false;
    for (char c : module)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
            return false;
    return module.front() != '.' && module.back() != '.';
}

std::string adapterConfigJson(const std::string& module, const Factors& factors) {
    json alpha;
    if (factors.alpha == static_cast<double>(static_cast<long long>(factors.alpha)))
        alpha = static_cast<long long>(factors.alpha);  // peft writes an int when it is one
    else
        alpha = factors.alpha;
    const json config = {
        {"alpha_pattern", json::object()},
        {"auto_mapping", nullptr},
        {"base_model_name_or_path", nullptr},
        {"bias", "none"},
        {"fan_in_fan_out", false},
        {"inference_mode", true},
        {"init_lora_weights", true},
        {"layers_pattern", nullptr},
        {"layers_to_transform", nullptr},
        {"lora_alpha", alpha},
        {"lora_dropout", 0.0},
        {"modules_to_save", nullptr},
        {"peft_type", "LORA"},
        {"r", factors.rank()},
        {"rank_pattern", json::object()},
        {"revision", nullptr},
        {"target_modules", json::array({module})},
        {"task_type", nullptr},
        {"use_dora", false},
        {"use_rslora", factors.rslora},
    };
    return config.dump(2) + "\n";
}

const std::map<std::string, std::string>& adapterMetadata() {
    static const std::map<std::string, std::string> metadata{{"format", "pt"}};  // constant
    return metadata;
}

std::int64_t adapterFileBytes(const std::vector<LinearModule>& modules, std::int64_t rank,
                              const std::string& dtype) {
    std::vector<TensorEntry> entries;
    entries.reserve(2 * modules.size());
    for (const LinearModule& m : modules) {
        entries.push_back({adapterTensorName(m.name, 'A'), dtype, {rank, m.in}});
        entries.push_back({adapterTensorName(m.name, 'B'), dtype, {m.out, rank}});
    }
    return safetensorsFileBytes(entries, adapterMetadata());
}

void writeAdapter(const std::string& dir, const std::string& module, const Factors& factors) {
    if (!isValidModuleName(module))
        throw std::invalid_argument("module name '" + module +
                                    "': allowed letters, digits, '_', '.', '-'");
    ensureDirectory(dir);
    SafetensorsFile file;
    file.tensors[adapterTensorName(module, 'A')] = toTensor(factors.A);
    file.tensors[adapterTensorName(module, 'B')] = toTensor(factors.B);
    file.metadata = adapterMetadata();
    const std::filesystem::path base(dir);
    writeSafetensors((base / kAdapterWeightsFile).string(), file);
    writeFileAtomic((base / kAdapterConfigFile).string(), adapterConfigJson(module, factors));
}

}  // namespace loralab
