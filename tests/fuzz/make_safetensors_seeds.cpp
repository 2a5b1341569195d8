// Writes the seed corpus of fuzz_safetensors into a folder (scripts/check.sh fuzz runs it):
// small valid files in every float dtype, with metadata, empty and 3-D tensors, and a few
// near misses, all built with the project's own writer so nothing is downloaded.
//   make_safetensors_seeds DIR
#include "io/safetensors.h"
#include "loralab/half_float.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {

void write(const std::string& dir, const std::string& name, const std::string& bytes) {
    std::ofstream(dir + "/" + name, std::ios::binary) << bytes;
}

// A file of one 2×3 tensor in `dtype` (values 1 .. 6).
std::string oneTensor(const std::string& dtype) {
    std::string out = loralab::encodeSafetensorsHeader({{"w", dtype, {2, 3}}}, {{"format", "pt"}});
    for (int i = 1; i <= 6; ++i) {
        const float v = static_cast<float>(i);
        if (dtype == "F32") {
            out.append(reinterpret_cast<const char*>(&v), 4);
        } else {
            const std::uint16_t h = dtype == "F16" ? loralab::floatToFp16(v) : loralab::floatToBf16(v);
            out.push_back(static_cast<char>(h & 0xff));
            out.push_back(static_cast<char>(h >> 8));
        }
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_safetensors_seeds DIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    for (const char* dtype : {"F32", "F16", "BF16"}) write(dir, std::string("one_") + dtype, oneTensor(dtype));
    loralab::SafetensorsFile adapter;
    adapter.tensors["base_model.model.q_proj.lora_A.weight"] = {{2, 4}, std::vector<float>(8, 0.5f)};
    adapter.tensors["base_model.model.q_proj.lora_B.weight"] = {{3, 2}, std::vector<float>(6, -1.0f)};
    adapter.tensors["empty"] = {{0, 5}, {}};
    adapter.tensors["cube"] = {{2, 1, 2}, {1, 2, 3, 4}};
    adapter.metadata["format"] = "pt";
    write(dir, "adapter", loralab::encodeSafetensors(adapter));
    std::string shortData = oneTensor("F32");
    shortData.resize(shortData.size() - 4);
    write(dir, "short_data", shortData);
    std::string otherDtype = oneTensor("F16");
    otherDtype.replace(otherDtype.find("F16"), 3, "I16");
    write(dir, "i16", otherDtype);
    return 0;
}
