#include "io/peft_variants.h"

#include "io/atomic_file.h"
#include "io/peft_adapter.h"
#include "io/safetensors.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <stdexcept>

namespace loralab {

using nlohmann::json;

namespace {

Tensor vectorTensor(const Matrix& column) {
    Tensor t;
    t.shape = {column.rows()};
    t.data.assign(column.data(), column.data() + column.rows());
    return t;
}

// Looks a frozen tensor up in the list method.frozen() returned; the reference lives as long as
// that list, so callers fetch the list once and look up every name in it.
const Matrix& frozenNamed(const Method& method, const std::vector<NamedMatrix>& frozen,
                          const std::string& name) {
    for (const NamedMatrix& m : frozen)
        if (m.name == name) return m.value;
    throw std::logic_error("method " + std::string(methodName(method.kind())) + " has no " + name);
}

void writeBoth(const std::string& dir, const SafetensorsFile& file, const std::string& config) {
    ensureDirectory(dir);
    const std::filesystem::path base(dir);
    writeSafetensors((base / kAdapterWeightsFile).string(), file);
    writeFileAtomic((base / kAdapterConfigFile).string(), config);
}

std::string prefix(const std::string& module) { return "base_model.model." + module + "."; }

}  // namespace

std::string veraConfigJson(const std::string& module, Index rank, double dInitial) {
    const json config = {
        {"base_model_name_or_path", nullptr},
        {"bias", "none"},
        {"d_initial", dInitial},
        {"fan_in_fan_out", false},
        {"inference_mode", true},
        {"init_weights", true},
        {"layers_pattern", nullptr},
        {"layers_to_transform", nullptr},
        {"modules_to_save", nullptr},
        {"peft_type", "VERA"},
        {"projection_prng_key", 0},
        {"r", rank},
        {"revision", nullptr},
        {"save_projection", true},
        {"target_modules", json::array({module})},
        {"task_type", nullptr},
        {"vera_dropout", 0.0},
    };
    return config.dump(2) + "\n";
}

void writeMethodAdapter(const std::string& dir, const std::string& module, const Method& method) {
    if (!isValidModuleName(module))
        throw std::invalid_argument("module name '" + module +
                                    "': allowed letters, digits, '_', '.', '-'");
    const MethodConfig& c = method.config();
    switch (method.kind()) {
        case MethodKind::Full:
            throw std::invalid_argument("--export-adapter: full fine-tuning changes every weight "
                                        "and has no adapter; use an adapter method");
        case MethodKind::Lora:
            writeAdapter(dir, module, Factors{method.block(0), method.block(1), c.alpha, c.rslora});
            return;
        case MethodKind::Dora: {
            const Factors f{method.block(0), method.block(1), c.alpha, c.rslora};
            SafetensorsFile file;
            file.tensors[adapterTensorName(module, 'A')] = toTensor(f.A);
            file.tensors[adapterTensorName(module, 'B')] = toTensor(f.B);
            file.tensors[prefix(module) + "lora_magnitude_vector"] = vectorTensor(method.block(2));
            file.metadata["format"] = "pt";
            json config = json::parse(adapterConfigJson(module, f));
            config["use_dora"] = true;
            writeBoth(dir, file, config.dump(2) + "\n");
            return;
        }
        case MethodKind::Pissa: {
            const std::vector<NamedMatrix> frozen = method.frozen();
            const Matrix& A0 = frozenNamed(method, frozen, "lora_A_init");
            const Matrix& B0 = frozenNamed(method, frozen, "lora_B_init");
            const Index r = c.rank;
            Factors f;
            f.A.resize(2 * r, method.k());
            f.A << method.block(1), A0;
            f.B.resize(method.d(), 2 * r);
            f.B << method.block(0), -B0;
            // The scale stays α/r (α/√r): twice the rank takes twice α (√2·α with rsLoRA).
            f.alpha = c.rslora ? c.alpha * std::sqrt(2.0) : 2.0 * c.alpha;
            f.rslora = c.rslora;
            writeAdapter(dir, module, f);
            return;
        }
        case MethodKind::Vera: {
            const std::vector<NamedMatrix> frozen = method.frozen();
            SafetensorsFile file;
            file.tensors[prefix(module) + "vera_lambda_b"] = vectorTensor(method.block(0));
            file.tensors[prefix(module) + "vera_lambda_d"] = vectorTensor(method.block(1));
            file.tensors["base_model.vera_A"] = toTensor(frozenNamed(method, frozen, "vera_A"));
            file.tensors["base_model.vera_B"] = toTensor(frozenNamed(method, frozen, "vera_B"));
            file.metadata["format"] = "pt";
            writeBoth(dir, file, veraConfigJson(module, c.rank, c.veraDInitial));
            return;
        }
    }
}

}  // namespace loralab
