// Exporting the factors as a LoRA adapter that Hugging Face peft loads.
//
// What peft's save_pretrained writes, and PeftModel.from_pretrained reads:
//   DIR/adapter_model.safetensors   base_model.model.<module>.lora_A.weight  r×k
//                                   base_model.model.<module>.lora_B.weight  d×r
//   DIR/adapter_config.json         peft_type "LORA", r, lora_alpha, target_modules [module],
//                                   use_rslora, and peft's other usual fields.
// peft scales the product by lora_alpha/r (lora_alpha/√r with use_rslora), as LoRA Lab does, so
// B and A are written unchanged and a loaded adapter reproduces ΔW = s·B·A exactly.
#pragma once

#include "loralab/factors.h"
#include "loralab/model_tensors.h"

#include <map>
#include <string>
#include <vector>

namespace loralab {

// File names inside the adapter directory.
constexpr const char* kAdapterWeightsFile = "adapter_model.safetensors";
constexpr const char* kAdapterConfigFile = "adapter_config.json";

// "base_model.model.<module>.lora_A.weight" (part "A") or "...lora_B.weight" (part "B").
std::string adapterTensorName(const std::string& module, char part);

// Module names peft accepts here: non-empty, letters, digits, '_', '.', '-'.
bool isValidModuleName(const std::string& module);

// The metadata peft's save_pretrained stores in adapter_model.safetensors.
const std::map<std::string, std::string>& adapterMetadata();

// The exact size in bytes of the adapter_model.safetensors that holds rank-`rank` factors of
// `modules` in `dtype` (e.g. "F32", "BF16"): its header is built as writeAdapter builds it.
// Module names are the model's ("model.layers.0.self_attn.q_proj"); peft prefixes
// "base_model.model.".
std::int64_t adapterFileBytes(const std::vector<LinearModule>& modules, std::int64_t rank,
                              const std::string& dtype);

// Writes both files into `dir` (created if missing), each atomically. Throws IoError, or
// std::invalid_argument for a bad module name.
void writeAdapter(const std::string& dir, const std::string& module, const Factors& factors);

// The adapter_config.json text for these factors.
std::string adapterConfigJson(const std::string& module, const Factors& factors);

}  // namespace loralab
