// Small real files for tests: .safetensors with F32, F16 or BF16 tensors (built with the
// project's own header writer and the half-float encoders), and peft adapter folders.
#pragma once

#include "io/peft_adapter.h"
#include "io/safetensors.h"
#include "loralab/half_float.h"
#include "loralab/rng.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace loralab::test {

struct FixtureTensor {
    std::string name;
    std::string dtype;  // F32, F16 or BF16
    Matrix value;       // written row-major, as PyTorch stores it
};

inline Matrix randomMatrix(Index rows, Index cols, std::uint64_t seed, float scale = 1.0f) {
    Matrix m(rows, cols);
    Rng(seed).fillNormal(m);
    return m * scale;
}

// The matrix as the file will hold it (rounded to the dtype).
inline Matrix roundedTo(const Matrix& m, const std::string& dtype) {
    Matrix out = m;
    for (Index i = 0; i < out.size(); ++i) {
        float& v = out.data()[i];
        if (dtype == "F16") v = fp16ToFloat(floatToFp16(v));
        if (dtype == "BF16") v = bf16ToFloat(floatToBf16(v));
    }
    return out;
}

inline std::string safetensorsBytes(const std::vector<FixtureTensor>& tensors,
                                    const std::map<std::string, std::string>& metadata = {{"format", "pt"}}) {
    std::vector<TensorEntry> entries;
    for (const FixtureTensor& t : tensors) entries.push_back({t.name, t.dtype, {t.value.rows(), t.value.cols()}});
    std::string out = encodeSafetensorsHeader(entries, metadata);
    std::vector<const FixtureTensor*> sorted;
    for (const FixtureTensor& t : tensors) sorted.push_back(&t);
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });
    for (const FixtureTensor* t : sorted)
        for (Index r = 0; r < t->value.rows(); ++r)
            for (Index c = 0; c < t->value.cols(); ++c) {
                const float v = t->value(r, c);
                if (t->dtype == "F32") {
                    char b[4];
                    std::memcpy(b, &v, 4);  // little-endian hosts (x86-64, arm64)
                    out.append(b, 4);
                } else {
                    const std::uint16_t h = t->dtype == "F16" ? floatToFp16(v) : floatToBf16(v);
                    out.push_back(static_cast<char>(h & 0xff));
                    out.push_back(static_cast<char>(h >> 8));
                }
            }
    return out;
}

inline void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

struct FixtureModule {
    std::string name;  // as the adapter writes it, e.g. "base_model.model.model.layers.0.self_attn.q_proj"
    Matrix B, A;
};

// An adapter folder: the factors in `dtype` and `config` as adapter_config.json.
inline void writeAdapterFolder(const std::string& dir, const std::vector<FixtureModule>& modules,
                               const std::string& dtype, const std::string& config) {
    std::filesystem::create_directories(dir);
    std::vector<FixtureTensor> tensors;
    for (const FixtureModule& m : modules) {
        tensors.push_back({m.name + ".lora_A.weight", dtype, m.A});
        tensors.push_back({m.name + ".lora_B.weight", dtype, m.B});
    }
    writeBytes(dir + "/" + kAdapterWeightsFile, safetensorsBytes(tensors));
    writeBytes(dir + "/" + kAdapterConfigFile, config);
}

}  // namespace loralab::test
