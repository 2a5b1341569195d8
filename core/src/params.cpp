// Parameter and memory accounting, and the model presets (shapes from each model's published
// config; base totals are computed from the shapes and checked against the published figures in
// tests/core/test_params.cpp).
//
//   layerCounts / bytesPer / *Memory   one layer, bytes to train
//   modelPresets / findModel           the preset table
//   parseModules / moduleShape         peft's short module names and the W (out×in) they adapt
//   baseParams / modelCounts           whole-model totals
#include "loralab/params.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace loralab {

namespace {

// Dimensions above this would risk int64 overflow in d·k and r·(d+k); nothing real is near it.
constexpr std::int64_t kMaxDim = std::int64_t{1} << 30;
// Parameter counts above this would overflow the byte totals (16 bytes per parameter at most).
constexpr std::int64_t kMaxParams = std::int64_t{1} << 56;

std::string str(std::int64_t v) { return std::to_string(v); }

void requireDim(std::int64_t v, const std::string& name) {
    require(v >= 1 && v <= kMaxDim, name,
            name + " = " + str(v) + "; allowed 1.." + str(kMaxDim));
}

void requireCount(std::int64_t v, const std::string& name, std::int64_t min) {
    require(v >= min && v <= kMaxParams, name,
            name + " = " + str(v) + "; allowed " + str(min) + ".." + str(kMaxParams));
}

// Every field a count depends on must be sane, whoever built the preset.
void checkPreset(const ModelPreset& m) {
    const std::string who = "model preset '" + m.name + "'";
    auto dim = [&](std::int64_t v, const char* field, std::int64_t max) {
        require(v >= 1 && v <= max, who,
                std::string(field) + " = " + str(v) + "; allowed 1.." + str(max));
    };
    dim(m.hidden, "hidden", std::int64_t{1} << 20);
    dim(m.intermediate, "intermediate", std::int64_t{1} << 22);
    dim(m.layers, "layers", 1 << 12);
    dim(m.heads, "heads", 1 << 14);
    dim(m.kvHeads, "kvHeads", m.heads);
    dim(m.headDim, "headDim", 1 << 14);
    dim(m.vocab, "vocab", std::int64_t{1} << 24);
    require(m.heads % m.kvHeads == 0, who,
            "heads = " + str(m.heads) + " is not a multiple of kvHeads = " + str(m.kvHeads) +
                "; grouped-query attention shares each KV head among heads / kvHeads query heads");
    require(m.maxPositions >= 0 && m.maxPositions <= (std::int64_t{1} << 24), who,
            "maxPositions = " + str(m.maxPositions) + "; allowed 0 (rotary) .. " +
                str(std::int64_t{1} << 24));
}

ModelPreset llama(const char* name, const char* display, std::int64_t hidden,
                  std::int64_t intermediate, std::int64_t layers, std::int64_t heads,
                  std::int64_t kvHeads, std::int64_t vocab, std::int64_t published) {
    ModelPreset m;
    m.name = name;
    m.displayName = display;
    m.hidden = hidden;
    m.intermediate = intermediate;
    m.layers = layers;
    m.heads = heads;
    m.kvHeads = kvHeads;
    m.headDim = hidden / heads;
    m.vocab = vocab;
    m.publishedParams = published;
    return m;  // untied, SwiGLU, RMSNorm, no biases, rotary positions
}

ModelPreset qwen2(const char* name, const char* display, std::int64_t hidden,
                  std::int64_t intermediate, std::int64_t layers, std::int64_t heads,
                  std::int64_t kvHeads, std::int64_t published) {
    ModelPreset m = llama(name, display, hidden, intermediate, layers, heads, kvHeads, 151936,
                          published);
    m.tiedEmbeddings = true;
    m.qkvBias = true;
    return m;
}

ModelPreset gpt(const char* name, const char* display, std::int64_t dModel, std::int64_t layers,
                std::int64_t heads, std::int64_t positions, std::int64_t published) {
    ModelPreset m = llama(name, display, dModel, 4 * dModel, layers, heads, heads, 50257,
                          published);
    m.maxPositions = positions;
    m.tiedEmbeddings = true;
    m.gatedMlp = false;
    m.qkvBias = true;
    m.allBiases = true;
    m.layerNormBias = true;
    return m;
}

std::vector<ModelPreset> buildPresets() {
    // Published totals: the exact counts Meta, Mistral, Qwen and OpenAI (GPT-2) release with the
    // weights; GPT-3's paper gives only "175B".
    std::vector<ModelPreset> p;
    p.push_back(llama("llama-2-7b", "Llama-2-7B", 4096, 11008, 32, 32, 32, 32000, 6738415616));
    p.push_back(llama("llama-2-13b", "Llama-2-13B", 5120, 13824, 40, 40, 40, 32000, 13015864320));
    p.push_back(llama("llama-2-70b", "Llama-2-70B", 8192, 28672, 80, 64, 8, 32000, 68976648192));
    p.push_back(llama("llama-3-8b", "Llama-3-8B", 4096, 14336, 32, 32, 8, 128256, 8030261248));
    p.push_back(llama("mistral-7b", "Mistral-7B", 4096, 14336, 32, 32, 8, 32000, 7241732096));
    p.push_back(qwen2("qwen2-0.5b", "Qwen2-0.5B", 896, 4864, 24, 14, 2, 494032768));
    p.push_back(qwen2("qwen2-1.5b", "Qwen2-1.5B", 1536, 8960, 28, 12, 2, 1543714304));
    p.push_back(gpt("gpt-2", "GPT-2 (124M)", 768, 12, 12, 1024, 124439808));
    p.push_back(gpt("gpt-3-175b", "GPT-3 175B", 12288, 96, 96, 2048, 175000000000));
    for (const ModelPreset& m : p) checkPreset(m);
    return p;
}

std::string presetNames() {
    std::string names;
    for (const ModelPreset& m : modelPresets()) names += (names.empty() ? "" : ", ") + m.name;
    return names;
}

constexpr Module kAllModules[] = {Module::Q,    Module::K,  Module::V,   Module::O,
                                  Module::Gate, Module::Up, Module::Down};

bool hasModule(const ModelPreset& model, Module m) { return m != Module::Gate || model.gatedMlp; }

std::string allowedModules(const ModelPreset& model) {
    std::string list;
    for (Module m : kAllModules)
        if (hasModule(model, m)) list += std::string(list.empty() ? "" : ",") + moduleName(m);
    return list + " (comma-separated, each once) or all-linear";
}

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    const auto last = s.find_last_not_of(" \t");
    return s.substr(first, last - first + 1);
}

}  // namespace

// ---- one layer ---------------------------------------------------------------------------------

LayerCounts layerCounts(std::int64_t d, std::int64_t k, std::int64_t r) {
    requireDim(d, "d");
    requireDim(k, "k");
    requireShape(static_cast<Index>(d), static_cast<Index>(k), static_cast<Index>(r));
    LayerCounts c;
    c.full = d * k;
    c.lora = r * (d + k);
    c.ratio = static_cast<double>(c.full) / static_cast<double>(c.lora);
    c.trainablePercent =
        100.0 * static_cast<double>(c.lora) / static_cast<double>(c.full + c.lora);
    return c;
}

int bytesPer(Precision p) {
    switch (p) {
        case Precision::Fp32: return 4;
        case Precision::Bf16: return 2;
    }
    throw std::invalid_argument("precision: unknown value; allowed Fp32 or Bf16");
}

TrainingMemory fullFineTuneMemory(std::int64_t baseParams, Precision p) {
    requireCount(baseParams, "baseParams", 1);
    const std::int64_t b = bytesPer(p);
    TrainingMemory m;
    m.weights = baseParams * b;
    m.gradients = baseParams * b;
    m.adamState = 2 * baseParams * b;
    return m;
}

TrainingMemory loraMemory(std::int64_t baseParams, std::int64_t trainable, Precision p) {
    requireCount(baseParams, "baseParams", 1);
    requireCount(trainable, "trainable", 1);
    const std::int64_t b = bytesPer(p);
    TrainingMemory m;
    m.weights = (baseParams + trainable) * b;  // frozen base + adapters
    m.gradients = trainable * b;
    m.adamState = 2 * trainable * b;
    return m;
}

TrainingMemory mixedFullFineTuneMemory(std::int64_t baseParams) {
    requireCount(baseParams, "baseParams", 1);
    TrainingMemory m;
    m.weights = (2 + 4) * baseParams;  // half-precision copy + fp32 master
    m.gradients = 2 * baseParams;
    m.adamState = 8 * baseParams;
    return m;
}

TrainingMemory mixedLoraMemory(std::int64_t baseParams, std::int64_t trainable) {
    requireCount(baseParams, "baseParams", 1);
    requireCount(trainable, "trainable", 1);
    TrainingMemory m;
    m.weights = 2 * baseParams + (2 + 4) * trainable;  // frozen half base; adapters + fp32 master
    m.gradients = 2 * trainable;
    m.adamState = 8 * trainable;
    return m;
}

std::int64_t nf4Bytes(std::int64_t values) {
    requireCount(values, "values", 0);
    const std::int64_t blocks = (values + 63) / 64;
    return (values + 1) / 2 + blocks + 4 * ((blocks + 255) / 256);
}

TrainingMemory qloraMemory(std::int64_t nf4BaseBytes, std::int64_t bf16Params,
                           std::int64_t trainable) {
    requireCount(nf4BaseBytes, "nf4BaseBytes", 0);
    requireCount(bf16Params, "bf16Params", 0);
    requireCount(trainable, "trainable", 1);
    TrainingMemory m;
    m.weights = nf4BaseBytes + 2 * bf16Params + 2 * trainable;
    m.gradients = 2 * trainable;
    m.adamState = 8 * trainable;
    return m;
}

// ---- presets -----------------------------------------------------------------------------------

const std::vector<ModelPreset>& modelPresets() {
    static const std::vector<ModelPreset> presets = buildPresets();  // immutable table
    return presets;
}

const ModelPreset& findModel(const std::string& name) {
    for (const ModelPreset& m : modelPresets())
        if (m.name == name) return m;
    throw std::invalid_argument("model: unknown preset '" + name + "'; allowed: " + presetNames());
}

// ---- modules -----------------------------------------------------------------------------------

const char* moduleName(Module m) {
    switch (m) {
        case Module::Q: return "q";
        case Module::K: return "k";
        case Module::V: return "v";
        case Module::O: return "o";
        case Module::Gate: return "gate";
        case Module::Up: return "up";
        case Module::Down: return "down";
    }
    throw std::invalid_argument("module: unknown enum value; allowed q, k, v, o, gate, up, down");
}

// Returns the modules in the canonical order q, k, v, o, gate, up, down whatever the list order.
std::vector<Module> parseModules(const std::string& list, const ModelPreset& model) {
    checkPreset(model);
    const std::string allowed = "; allowed: " + allowedModules(model);
    const std::string whole = trim(list);
    require(!whole.empty(), "modules", "the list is empty" + allowed);
    if (whole == "all-linear") {
        std::vector<Module> all;
        for (Module m : kAllModules)
            if (hasModule(model, m)) all.push_back(m);
        return all;
    }
    bool seen[7] = {};
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = whole.find(',', start);
        const std::string item =
            trim(whole.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        require(!item.empty(), "modules", "empty entry in '" + list + "'" + allowed);
        require(item != "all-linear", "modules",
                "all-linear cannot be combined with other modules in '" + list + "'" + allowed);
        int found = -1;
        for (int i = 0; i < 7; ++i)
            if (item == moduleName(kAllModules[i])) found = i;
        require(found >= 0, "modules", "unknown module '" + item + "'" + allowed);
        require(hasModule(model, kAllModules[found]), "modules",
                "'" + item + "' does not exist in " + model.displayName +
                    " (its MLP has no gate projection)" + allowed);
        require(!seen[found], "modules", "'" + item + "' is listed twice" + allowed);
        seen[found] = true;
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    std::vector<Module> out;
    for (int i = 0; i < 7; ++i)
        if (seen[i]) out.push_back(kAllModules[i]);
    return out;
}

ModuleShape moduleShape(const ModelPreset& model, Module m) {
    checkPreset(model);
    const std::int64_t qOut = model.heads * model.headDim;
    const std::int64_t kvOut = model.kvHeads * model.headDim;
    switch (m) {
        case Module::Q: return {model.hidden, qOut};
        case Module::K: return {model.hidden, kvOut};  // grouped-query: kvHeads·headDim outputs
        case Module::V: return {model.hidden, kvOut};
        case Module::O: return {qOut, model.hidden};
        case Module::Gate:
            require(model.gatedMlp, "module",
                    "gate does not exist in " + model.displayName + "; allowed: " +
                        allowedModules(model));
            return {model.hidden, model.intermediate};
        case Module::Up: return {model.hidden, model.intermediate};
        case Module::Down: return {model.intermediate, model.hidden};
    }
    throw std::invalid_argument("module: unknown enum value; allowed q, k, v, o, gate, up, down");
}

// ---- whole model -------------------------------------------------------------------------------

std::int64_t baseParams(const ModelPreset& model) {
    checkPreset(model);
    const std::int64_t h = model.hidden;
    std::int64_t perLayer = 0;
    for (Module m : kAllModules) {
        if (!hasModule(model, m)) continue;
        const ModuleShape s = moduleShape(model, m);
        perLayer += s.in * s.out;
        const bool isQkv = m == Module::Q || m == Module::K || m == Module::V;
        if (model.allBiases || (model.qkvBias && isQkv)) perLayer += s.out;
    }
    const std::int64_t norm = model.layerNormBias ? 2 * h : h;  // LayerNorm γ,β or RMSNorm γ
    perLayer += 2 * norm;                                        // before attention, before MLP

    std::int64_t total = model.layers * perLayer;
    total += norm;                                  // final norm
    total += model.vocab * h;                       // token embeddings
    if (!model.tiedEmbeddings) total += model.vocab * h;  // separate output head
    total += model.maxPositions * h;                // learned position embeddings
    return total;
}

ModelCounts modelCounts(const ModelPreset& model, const std::vector<Module>& modules,
                        std::int64_t rank) {
    checkPreset(model);
    require(!modules.empty(), "modules", "the list is empty; allowed: " + allowedModules(model));
    bool seen[7] = {};
    std::int64_t perLayerLora = 0, perLayerFull = 0;
    for (Module m : modules) {
        const auto i = static_cast<std::size_t>(m);
        require(i < 7, "modules", "unknown enum value; allowed q, k, v, o, gate, up, down");
        require(!seen[i], "modules",
                std::string("'") + moduleName(m) + "' is listed twice; each module once");
        seen[i] = true;
        const ModuleShape s = moduleShape(model, m);  // throws for gate on a non-gated MLP
        const std::int64_t maxRank = std::min(s.in, s.out);
        require(rank >= 1 && rank <= maxRank, "rank",
                "rank = " + str(rank) + "; allowed 1.." + str(maxRank) + " (min(out, in) of " +
                    moduleName(m) + ", " + str(s.out) + "x" + str(s.in) + ")");
        perLayerLora += rank * (s.in + s.out);
        perLayerFull += s.in * s.out;
    }
    ModelCounts c;
    c.base = baseParams(model);
    c.trainable = model.layers * perLayerLora;
    c.fullTargeted = model.layers * perLayerFull;
    c.ratio = static_cast<double>(c.fullTargeted) / static_cast<double>(c.trainable);
    c.trainablePercent =
        100.0 * static_cast<double>(c.trainable) / static_cast<double>(c.base + c.trainable);
    return c;
}

}  // namespace loralab
