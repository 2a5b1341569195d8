// A Hugging Face config.json of a decoder-only language model, as the shapes of its tensors.
//
// model_type llama, mistral, qwen2, gemma or phi3. Required: hidden_size, intermediate_size,
// num_hidden_layers, num_attention_heads, vocab_size. Optional fields take the defaults
// transformers gives them for that model_type:
//   num_key_value_heads   num_attention_heads (llama, phi3; and wherever it is null);
//                         when absent 8 for mistral, 32 for qwen2, 16 for gemma (their config
//                         classes' defaults)
//   head_dim              hidden_size / num_attention_heads (gemma: 256)
//   tie_word_embeddings   false (gemma: true)
//   biases                qwen2: q, k, v always; llama and gemma: attention_bias (q, k, v, o),
//                         llama: mlp_bias (gate, up, down); all false when absent
// phi3 fuses q, k, v into qkv_proj and gate, up into gate_up_proj, as its checkpoints do.
#pragma once

#include "loralab/model_tensors.h"

#include <string>

namespace loralab {

struct HfConfig {
    std::string source;          // the config.json read
    std::string name;            // _name_or_path, else the folder's name
    std::string modelType;       // "llama", …
    DecoderShapes shapes;
    std::string defaultModules;  // peft's default target_modules for the type: q,v (phi3: qkv_proj)
};

// Throws InputError naming `source` and the field: invalid JSON, an unknown model_type, a
// missing required field, a value of the wrong type or out of range.
HfConfig parseHfConfig(const std::string& text, const std::string& source);

// `path` is a config.json or the folder holding one. Throws InputError.
HfConfig readHfConfig(const std::string& path);

// The model types parseHfConfig knows, for messages: "llama, mistral, qwen2, gemma, phi3".
std::string knownModelTypes();

}  // namespace loralab
