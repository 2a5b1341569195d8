// Reading a peft LoRA adapter folder: adapter_config.json + adapter_model.safetensors (F32,
// F16 or BF16 tensors), as save_pretrained writes it.
//
//   tensors   <module>.lora_A.weight (r×k) and <module>.lora_B.weight (d×r), where <module> is
//             the module's path as the adapter writes it ("base_model.model.model.layers.0.
//             self_attn.q_proj"); ".lora_A.<adapter>.weight" is read the same way
//   config    r (default 8), lora_alpha (default 8), use_rslora, rank_pattern, alpha_pattern:
//             a module's r and α come from the first pattern key K (in the file's order) for
//             which the module path without "base_model.model." fully matches the regular
//             expression (.*\.)?(K), as peft's get_pattern_key does; else from r, lora_alpha
//   scale     s = α/r, or α/√r with use_rslora; ΔW = s·B·A
//
// The header is read when the folder is opened; each module's factors when asked for, so an
// adapter of a 70B model costs the memory of one module at a time.
#pragma once

#include "io/safetensors.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace loralab {

struct AdapterConfig {
    std::string peftType = "LORA";
    std::int64_t r = 8;
    double alpha = 8;
    bool rslora = false;
    bool dora = false;
    std::vector<std::pair<std::string, std::int64_t>> rankPattern;  // in the file's order
    std::vector<std::pair<std::string, double>> alphaPattern;
    nlohmann::ordered_json raw;  // the whole file, to write back with changes
};

struct AdapterModule {
    std::string name;          // as the adapter writes it (the tensor names without .lora_*)
    std::string keyA, keyB;    // the tensor names of A and B
    std::string dtype;         // of A (B's may differ; both are read as float)
    Index d = 0, k = 0, r = 0; // B is d×r, A is r×k
    double alpha = 0, scale = 0;
};

class AdapterFolder {
public:
    // Reads the config and the weights' header; checks that every module has both factors
    // with matching shapes and the rank its config gives. Throws InputError naming the file
    // and the module.
    explicit AdapterFolder(const std::string& dir);

    const std::string& dir() const { return m_dir; }
    const AdapterConfig& config() const { return m_config; }
    const std::vector<AdapterModule>& modules() const { return m_modules; }  // natural order
    // Tensors that are not LoRA factors (modules_to_save, DoRA magnitudes, embedding LoRA).
    const std::vector<std::string>& otherTensors() const { return m_other; }
    SafetensorsReader& reader() { return *m_reader; }

    // Reads module i's factors as float; throws InputError for non-finite values.
    void load(std::size_t i, Matrix& B, Matrix& A);

private:
    std::string m_dir;
    AdapterConfig m_config;
    std::unique_ptr<SafetensorsReader> m_reader;
    std::vector<AdapterModule> m_modules;
    std::vector<std::string> m_other;
};

// True when `dir` holds adapter_config.json (what the window and --inspect check first).
bool isAdapterFolder(const std::string& dir);

// peft's get_pattern_key: the first key K of `keys` with `moduleName` fully matching
// (.*\.)?(K); -1 when none does. Throws InputError naming `source` for a key that is not a
// valid regular expression.
int matchPattern(const std::vector<std::string>& keys, const std::string& moduleName,
                 const std::string& source);

// "a.layers.2.x" sorts before "a.layers.10.x": digit runs compare as numbers.
bool naturalLess(const std::string& a, const std::string& b);

}  // namespace loralab
