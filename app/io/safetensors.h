// safetensors files and LoRA adapter export in Hugging Face peft's layout.
//
// safetensors layout: 8-byte little-endian u64 N, then N bytes of JSON header
//   {"<name>": {"dtype": "F32", "shape": [rows, cols], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"<key>": "<string>", ...}}   (optional metadata, string values only)
// padded with spaces to a multiple of 8, then the tensors' bytes: little-endian float32,
// row-major (C order, as PyTorch stores them); offsets are relative to the end of the header.
//
// Adapter (what peft's save_pretrained writes, and PeftModel.from_pretrained reads):
//   DIR/adapter_model.safetensors   base_model.model.<module>.lora_A.weight  r×k
//                                   base_model.model.<module>.lora_B.weight  d×r
//   DIR/adapter_config.json         peft_type "LORA", r, lora_alpha, target_modules [module],
//                                   use_rslora, and peft's other usual fields.
// peft scales the product by lora_alpha/r (lora_alpha/√r with use_rslora), as LoRA Lab does, so
// B and A are written unchanged and a loaded adapter reproduces ΔW = s·B·A exactly.
#pragma once

#include "loralab/factors.h"
#include "loralab/types.h"

#include <map>
#include <string>
#include <vector>

namespace loralab {

struct Tensor {
    std::vector<std::int64_t> shape;  // rows, cols (any rank is read; LoRA uses 2)
    std::vector<float> data;          // row-major
};

struct SafetensorsFile {
    std::map<std::string, Tensor> tensors;
    std::map<std::string, std::string> metadata;
};

// Row-major tensor of a (column-major) matrix, and back. toMatrix throws unless 2-D.
Tensor toTensor(const Matrix& m);
Matrix toMatrix(const Tensor& t);

// Serializes to the bytes of a .safetensors file. Throws std::invalid_argument if a tensor's
// data size does not match its shape, or a name is empty or "__metadata__".
std::string encodeSafetensors(const SafetensorsFile& file);
// Parses the bytes of a .safetensors file (F32 tensors only). Throws InputError (naming
// `source`) for a short file, a bad header length, invalid JSON, another dtype, or offsets
// that are out of range, overlap or do not match the shape.
SafetensorsFile decodeSafetensors(const std::string& bytes, const std::string& source);

SafetensorsFile readSafetensors(const std::string& path);  // throws InputError
void writeSafetensors(const std::string& path, const SafetensorsFile& file);  // IoError

// File names inside the adapter directory.
constexpr const char* kAdapterWeightsFile = "adapter_model.safetensors";
constexpr const char* kAdapterConfigFile = "adapter_config.json";

// "base_model.model.<module>.lora_A.weight" (part "A") or "...lora_B.weight" (part "B").
std::string adapterTensorName(const std::string& module, char part);

// Module names peft accepts here: non-empty, letters, digits, '_', '.', '-'.
bool isValidModuleName(const std::string& module);

// Writes both files into `dir` (created if missing), each atomically. Throws IoError, or
// std::invalid_argument for a bad module name.
void writeAdapter(const std::string& dir, const std::string& module, const Factors& factors);

// The adapter_config.json text for these factors.
std::string adapterConfigJson(const std::string& module, const Factors& factors);

}  // namespace loralab
