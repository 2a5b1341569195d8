// safetensors files: Hugging Face's format for tensors (reading and writing F32 tensors).
//
// Layout: 8-byte little-endian u64 N, then N bytes of JSON header
//   {"<name>": {"dtype": "F32", "shape": [rows, cols], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"<key>": "<string>", ...}}   (optional metadata, string values only)
// padded with spaces to a multiple of 8, then the tensors' bytes: little-endian float32,
// row-major (C order, as PyTorch stores them); offsets are relative to the end of the header.
#pragma once

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

}  // namespace loralab
