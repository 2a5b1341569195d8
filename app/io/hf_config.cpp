#include "io/hf_config.h"

#include "io/input_file.h"
#include "loralab/input_error.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace loralab {

namespace {

using nlohmann::json;

// What differs between the supported types: transformers' defaults and each model's biases.
struct TypeRules {
    const char* type;
    std::int64_t kvHeadsWhenAbsent;  // 0: num_attention_heads
    std::int64_t headDimDefault;     // 0: hidden_size / num_attention_heads
    bool tiedDefault;
    bool qkvBiasAlways;              // qwen2
    bool attentionBiasField;         // "attention_bias" sets q, k, v, o biases
    bool mlpBiasField;               // "mlp_bias" sets gate, up, down biases
    bool fused;                      // phi3
};

constexpr TypeRules kTypes[] = {
    {"llama", 0, 0, false, false, true, true, false},
    {"mistral", 8, 0, false, false, false, false, false},
    {"qwen2", 32, 0, false, true, false, false, false},
    {"gemma", 16, 256, true, false, true, false, false},
    {"phi3", 0, 0, false, false, false, false, true},
};

class Fields {
public:
    Fields(const json& j, std::string source, std::string type)
        : m_json(j), m_source(std::move(source)), m_type(std::move(type)) {}

    bool present(const char* key) const { return m_json.contains(key) && !m_json[key].is_null(); }

    std::int64_t integer(const char* key, std::int64_t max) const {
        if (!m_json.contains(key))
            throw error(std::string("missing required field '") + key + "'");
        return positive(key, max);
    }
    std::int64_t integerOr(const char* key, std::int64_t fallback, std::int64_t max) const {
        return present(key) ? positive(key, max) : fallback;
    }
    bool boolean(const char* key, bool fallback) const {
        if (!present(key)) return fallback;
        if (!m_json[key].is_boolean()) throw error(std::string("'") + key + "' must be true or false");
        return m_json[key].get<bool>();
    }
    InputError error(const std::string& what) const {
        return InputError(m_source + ": " + what + (m_type.empty() ? "" : " (model_type " + m_type + ")"));
    }

private:
    // Limits far above any real model keep every product of them inside 64 bits.
    std::int64_t positive(const char* key, std::int64_t max) const {
        const json& v = m_json[key];
        if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::int64_t>() > max)
            throw error(std::string("'") + key + "' must be an integer from 1 to " + std::to_string(max) +
                        ", got " + v.dump(-1, ' ', true, json::error_handler_t::replace).substr(0, 40));
        return v.get<std::int64_t>();
    }

    const json& m_json;
    std::string m_source, m_type;
};

}  // namespace

std::string knownModelTypes() {
    std::string out;
    for (const TypeRules& t : kTypes) out += (out.empty() ? "" : ", ") + std::string(t.type);
    return out;
}

HfConfig parseHfConfig(const std::string& text, const std::string& source) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        throw InputError(source + ": not valid JSON: " + e.what());
    }
    if (!j.is_object()) throw InputError(source + ": not a JSON object");
    if (!j.contains("model_type") || !j["model_type"].is_string())
        throw InputError(source + ": missing required field 'model_type'; supported: " + knownModelTypes());
    const std::string type = j["model_type"].get<std::string>();
    const TypeRules* rules = nullptr;
    for (const TypeRules& t : kTypes)
        if (type == t.type) rules = &t;
    if (!rules)
        throw InputError(source + ": model_type '" + type.substr(0, 40) + "' is not supported; supported: " +
                         knownModelTypes());

    const Fields f(j, source, type);
    HfConfig c;
    c.source = source;
    c.modelType = type;
    DecoderShapes& s = c.shapes;
    s.hidden = f.integer("hidden_size", std::int64_t{1} << 20);
    s.intermediate = f.integer("intermediate_size", std::int64_t{1} << 22);
    s.layers = f.integer("num_hidden_layers", 1 << 12);
    s.heads = f.integer("num_attention_heads", 1 << 14);
    s.vocab = f.integer("vocab_size", std::int64_t{1} << 24);
    // Absent and null differ: an absent field takes the config class's default, a null one
    // falls back to num_attention_heads.
    const bool kvAbsent = !j.contains("num_key_value_heads");
    s.kvHeads = kvAbsent && rules->kvHeadsWhenAbsent ? rules->kvHeadsWhenAbsent
                                                     : f.integerOr("num_key_value_heads", s.heads, 1 << 14);
    s.headDim = f.integerOr("head_dim", rules->headDimDefault ? rules->headDimDefault : s.hidden / s.heads,
                            1 << 14);
    if (s.headDim < 1) throw f.error("hidden_size / num_attention_heads is 0; give head_dim");
    s.tiedEmbeddings = f.boolean("tie_word_embeddings", rules->tiedDefault);
    const bool attentionBias = rules->attentionBiasField && f.boolean("attention_bias", false);
    s.qkvBias = rules->qkvBiasAlways || attentionBias;
    s.oBias = attentionBias;
    s.mlpBias = rules->mlpBiasField && f.boolean("mlp_bias", false);
    s.fusedProjections = rules->fused;
    if (s.kvHeads > s.heads || s.heads % s.kvHeads != 0)
        throw f.error("num_key_value_heads = " + std::to_string(s.kvHeads) +
                      (kvAbsent ? " (transformers' default)" : "") +
                      " does not divide num_attention_heads = " + std::to_string(s.heads));
    try {
        checkDecoderShapes(s);
    } catch (const std::invalid_argument& e) {
        throw f.error(std::string("out of range: ") + e.what());
    }
    if (j.contains("_name_or_path") && j["_name_or_path"].is_string())
        c.name = j["_name_or_path"].get<std::string>();
    c.defaultModules = rules->fused ? "qkv_proj" : "q,v";
    return c;
}

HfConfig readHfConfig(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::string file = path;
    if (fs::is_directory(path, ec)) {
        file = (fs::path(path) / "config.json").string();
        if (!fs::exists(file, ec))
            throw InputError(path + ": no config.json in this folder");
    }
    const std::string text =
        readInputFile(file, std::uintmax_t{16} << 20, "a model's config.json or the folder holding it");
    HfConfig c = parseHfConfig(text, inputName(file));
    if (c.name.empty())
        c.name = file == "-" ? inputName(file) : fs::absolute(fs::path(file)).parent_path().filename().string();
    return c;
}

}  // namespace loralab
