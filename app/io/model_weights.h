// A model's weights as its safetensors headers describe them: names, dtypes and shapes, with
// no tensor data read. `path` is one .safetensors file, a sharded model's
// model.safetensors.index.json (only its "weight_map" is used; shard names are resolved
// relative to the index's folder), or a folder holding either of those.
#pragma once

#include "loralab/model_tensors.h"

#include <string>
#include <vector>

namespace loralab {

struct WeightEntry {
    std::string name;
    std::string dtype;
    std::vector<std::int64_t> shape;
    std::string file;  // the .safetensors file that holds it
};

struct ModelWeights {
    std::string source;                // the file given (or found in the folder)
    std::vector<WeightEntry> entries;  // sorted by name
    std::size_t files = 0;             // .safetensors files read

    std::vector<NamedShape> shapes() const;
};

// Throws InputError naming the file (and the tensor or shard): any header error of
// safetensors_header.h, a bad index (invalid JSON, no weight_map, a value that is not a file
// name, a tensor its shard does not hold), or a folder with neither file.
ModelWeights readModelWeights(const std::string& path);

}  // namespace loralab
