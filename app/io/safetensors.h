// safetensors files: Hugging Face's format for tensors. Reads F32, F16 and BF16 tensors (as
// float), writes F32. The header and its checks are in safetensors_header.h.
//
// Data: each tensor's bytes little-endian, row-major (C order, as PyTorch stores them), at its
// data_offsets relative to the end of the header.
#pragma once

#include "io/safetensors_header.h"
#include "loralab/types.h"

#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace loralab {

struct Tensor {
    std::vector<std::int64_t> shape;  // any rank; LoRA's factors and weights are 2-D
    std::vector<float> data;          // row-major
};

struct SafetensorsFile {
    std::map<std::string, Tensor> tensors;
    std::map<std::string, std::string> metadata;
};

// Row-major tensor of a (column-major) matrix, and back. toMatrix throws unless 2-D.
Tensor toTensor(const Matrix& m);
Matrix toMatrix(const Tensor& t);

// `count` values of `dtype` (F32, F16 or BF16) from little-endian bytes, as float. Throws
// InputError naming `what` for another dtype.
std::vector<float> decodeFloats(const unsigned char* bytes, std::size_t count,
                                const std::string& dtype, const std::string& what);

// Serializes to the bytes of a .safetensors file (F32). Throws std::invalid_argument if a
// tensor's data size does not match its shape, or a name is empty or "__metadata__".
std::string encodeSafetensors(const SafetensorsFile& file);
// Parses the bytes of a whole .safetensors file (F32, F16 and BF16 tensors; another dtype is
// an error). Throws InputError naming `source` (every check of safetensors_header.h).
SafetensorsFile decodeSafetensors(const std::string& bytes, const std::string& source);

SafetensorsFile readSafetensors(const std::string& path);  // throws InputError
void writeSafetensors(const std::string& path, const SafetensorsFile& file);  // IoError

// Reads single tensors of a file by seeking to them: a model's shard of many GiB costs its
// header plus the tensors asked for.
class SafetensorsReader {
public:
    explicit SafetensorsReader(const std::string& path);  // reads and checks the header
    const SafetensorsHeader& header() const { return m_header; }
    const std::string& path() const { return m_path; }
    // Throws InputError naming the file and tensor: absent, or not F32/F16/BF16.
    Tensor readTensor(const std::string& name);
    // The same, for a 2-D tensor (rows×cols as stored, W is out×in); throws unless 2-D.
    Matrix readMatrix(const std::string& name);

private:
    std::string m_path;
    SafetensorsHeader m_header;
    std::ifstream m_in;
};

// One 2-D F32, F16 or BF16 tensor of a .safetensors file by name, as a float matrix (rows ×
// cols as stored). Reads the header and that tensor only. Throws InputError naming the file
// and the tensor (absent: the message lists a few names that exist).
Matrix readSafetensorsMatrix(const std::string& path, const std::string& name);

}  // namespace loralab
