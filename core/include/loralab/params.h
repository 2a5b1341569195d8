// Parameter and memory accounting: full fine-tuning against LoRA, for one layer or a model.
//
//   one d×k layer:  full = d·k,  LoRA = r·(d+k),  ratio = full / LoRA
//   trainable % follows peft: trainable / (base + trainable) · 100
//   memory: parameters, gradients (trainable only) and Adam state (2 values per trainable
//   parameter), in fp32 (4 bytes) or bf16 (2 bytes); mixed precision; QLoRA's 4-bit base.
//   Activations are not counted: they depend on batch, sequence length and checkpointing.
#pragma once

#include "loralab/types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loralab {

struct LayerCounts {
    std::int64_t full = 0;   // d·k
    std::int64_t lora = 0;   // r·(d+k)
    double ratio = 0.0;      // full / lora ("N× fewer")
    double trainablePercent = 0.0;  // lora / (full + lora) · 100, as peft prints it
};

// Throws std::invalid_argument unless d, k >= 1 and 1 <= r <= min(d, k); counts are 64-bit.
LayerCounts layerCounts(std::int64_t d, std::int64_t k, std::int64_t r);

enum class Precision { Fp32, Bf16 };
int bytesPer(Precision p);  // 4 or 2

struct TrainingMemory {
    std::int64_t weights = 0;    // every parameter (frozen + trainable)
    std::int64_t gradients = 0;  // trainable parameters
    std::int64_t adamState = 0;  // 2 × trainable
    std::int64_t total() const { return weights + gradients + adamState; }
};

// Bytes to train with Adam. Full fine-tuning: everything trainable. LoRA: base frozen plus
// `trainable` adapter parameters that get gradients and Adam state.
TrainingMemory fullFineTuneMemory(std::int64_t baseParams, Precision p);
TrainingMemory loraMemory(std::int64_t baseParams, std::int64_t trainable, Precision p);

// Mixed precision (fp16 or bf16 compute, as AMP and DeepSpeed train): every parameter in 2
// bytes; per trainable parameter an fp32 master copy (4, counted in weights), a 2-byte gradient
// and two fp32 Adam moments (8): 16 bytes per trainable parameter.
TrainingMemory mixedFullFineTuneMemory(std::int64_t baseParams);
TrainingMemory mixedLoraMemory(std::int64_t baseParams, std::int64_t trainable);

// Bytes of n values in NF4 with double quantization, as bitsandbytes stores a 4-bit base:
// ⌈n/2⌉ bytes of 4-bit codes, one 8-bit scale per block of 64 values, one fp32 scale per 256
// blocks: 4 + 8/64 + 32/(64·256) ≈ 4.127 bits per value. (The per-tensor constants, an fp32
// offset and the 8-bit code table, are left out.)
std::int64_t nf4Bytes(std::int64_t values);
// QLoRA: the base's quantized weights (`nf4BaseBytes`) and the rest of it in bf16
// (`bf16Params`: embeddings, head, norms), bf16 adapters with bf16 gradients and fp32 Adam
// moments (the paged 32-bit AdamW QLoRA trains with): 12 bytes per trainable parameter.
TrainingMemory qloraMemory(std::int64_t nf4BaseBytes, std::int64_t bf16Params,
                           std::int64_t trainable);

// A transformer's shapes. Linear layers are y = W·x with W (out×in).
struct ModelPreset {
    std::string name;          // e.g. "llama-2-7b"
    std::string displayName;   // e.g. "Llama-2-7B"
    std::int64_t hidden = 0;
    std::int64_t intermediate = 0;
    std::int64_t layers = 0;
    std::int64_t heads = 0;
    std::int64_t kvHeads = 0;
    std::int64_t headDim = 0;  // hidden / heads unless given
    std::int64_t vocab = 0;
    std::int64_t maxPositions = 0;  // learned position embeddings (0: rotary, none)
    bool tiedEmbeddings = false;
    bool gatedMlp = true;      // gate/up/down (SwiGLU); false: up/down only (GPT)
    bool qkvBias = false;      // biases on q, k, v
    bool allBiases = false;    // biases on every linear layer (GPT-3)
    bool layerNormBias = false;  // LayerNorm (weight + bias) instead of RMSNorm (weight)
    std::int64_t publishedParams = 0;  // the total its authors publish, for checking
};

const std::vector<ModelPreset>& modelPresets();
const ModelPreset& findModel(const std::string& name);  // throws listing the names

// The linear modules LoRA can adapt, by peft's short names.
enum class Module { Q, K, V, O, Gate, Up, Down };
const char* moduleName(Module m);  // "q", "k", "v", "o", "gate", "up", "down"
// Parses "q,v" or "all-linear" for this model; throws on an unknown or absent module
// (e.g. "gate" on GPT-3) or an empty list.
std::vector<Module> parseModules(const std::string& list, const ModelPreset& model);

struct ModuleShape {
    std::int64_t in = 0, out = 0;  // W is out×in
};
ModuleShape moduleShape(const ModelPreset& model, Module m);

// Every parameter of the model, from its shapes: embeddings (+ untied head, + positions),
// attention and MLP weights and biases, norms.
std::int64_t baseParams(const ModelPreset& model);

struct ModelCounts {
    std::int64_t base = 0;
    std::int64_t trainable = 0;    // LoRA, summed over layers and modules
    std::int64_t fullTargeted = 0; // parameters of the targeted matrices (what full FT of them trains)
    double ratio = 0.0;            // fullTargeted / trainable
    double trainablePercent = 0.0; // trainable / (base + trainable) · 100
};
ModelCounts modelCounts(const ModelPreset& model, const std::vector<Module>& modules,
                        std::int64_t rank);

}  // namespace loralab
