// A model as the list of its tensors (name, shape), the way a checkpoint stores them, and which
// of its linear modules LoRA adapts (peft's target_modules). The tensors come from a
// safetensors header (any architecture), from a decoder's config (decoderTensors) or from a
// preset (presetTensors); everything after that is the same for all three.
//
//   linear module        a 2-D "<module>.weight" tensor, W (out×in); LoRA adds B (out×r), A (r×in)
//   in a decoder layer   its name has a numeric part ("model.layers.7.mlp.up_proj") and no part
//                        naming an embedding: what peft's "all-linear" adapts (the embeddings and
//                        the output head are outside the numbered layers)
//   --modules items      q, k, v, o, gate, up, down mean q_proj … down_proj; any other item is a
//                        module name or a suffix of one after a '.', as peft matches
//                        target_modules; "all-linear" alone means every linear module in a
//                        decoder layer
#pragma once

#include "loralab/params.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loralab {

struct NamedShape {
    std::string name;                 // "model.layers.0.self_attn.q_proj.weight"
    std::vector<std::int64_t> shape;  // PyTorch order: out, in for a linear weight
};

// Product of the dimensions; throws std::invalid_argument on a negative dimension or overflow.
std::int64_t elementCount(const std::vector<std::int64_t>& shape);

// A decoder-only transformer in the layout of Hugging Face's Llama family (llama, mistral,
// qwen2, gemma; phi3 with fused qkv_proj and gate_up_proj): RMSNorm weights, rotary positions.
struct DecoderShapes {
    std::int64_t hidden = 0, intermediate = 0, layers = 0, heads = 0, kvHeads = 0, headDim = 0,
                 vocab = 0;
    bool tiedEmbeddings = false;  // no separate lm_head
    bool qkvBias = false;         // biases on q, k, v
    bool oBias = false;           // bias on o
    bool mlpBias = false;         // biases on gate, up, down
    bool fusedProjections = false;  // phi3: qkv_proj ((heads + 2·kvHeads)·headDim × hidden) and
                                    // gate_up_proj (2·intermediate × hidden)
};

// Throws std::invalid_argument naming the field unless every size is in range and
// heads is a multiple of kvHeads.
void checkDecoderShapes(const DecoderShapes& d);
// The tensors of the checkpoint, named as transformers saves them.
std::vector<NamedShape> decoderTensors(const DecoderShapes& d);
// A preset's tensors under Llama's names (GPT presets too: their q, k, v, o as separate
// modules, as the preset counts them), so they sum to baseParams(model).
std::vector<NamedShape> presetTensors(const ModelPreset& model);

struct LinearModule {
    std::string name;           // the tensor name without ".weight"
    std::int64_t out = 0, in = 0;
    bool inDecoderLayer = false;
};

std::vector<LinearModule> linearModules(const std::vector<NamedShape>& tensors);

struct ModuleSelection {
    std::vector<std::string> keys;       // the items as matched: "q_proj", "self_attn.o_proj", …
    std::vector<LinearModule> modules;   // every module matched, in tensor order, once each
};

// Throws std::invalid_argument ("modules: …") for an empty list or item, an item given twice,
// all-linear combined with others, or an item that matches nothing (naming the suffixes that
// exist).
ModuleSelection selectModules(const std::vector<LinearModule>& linear, const std::string& list);

// Counts for LoRA of rank `rank` on `selected`: base = every tensor's elements, trainable =
// Σ r·(out + in), fullTargeted = Σ out·in. Throws unless 1 <= rank <= min(out, in) of each
// selected module (the message names the module).
ModelCounts tensorCounts(const std::vector<NamedShape>& tensors,
                         const std::vector<LinearModule>& selected, std::int64_t rank);

// QLoRA's base: the linear weights of the decoder layers in NF4 (nf4Bytes each), everything
// else stays in bf16.
struct QloraBase {
    std::int64_t nf4Bytes = 0;    // the quantized weights
    std::int64_t bf16Params = 0;  // embeddings, output head, norms, biases
};
QloraBase qloraBase(const std::vector<NamedShape>& tensors);

}  // namespace loralab
