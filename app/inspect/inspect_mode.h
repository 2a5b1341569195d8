// `loralab --inspect PATH`: what a file holds, with no training.
//
//   an adapter folder     one row per module: name (as the adapter writes it), r, α, scale,
//                         d×k, ‖ΔW‖_F, the ranks holding 90 % and 99 % of ‖ΔW‖²_F and the
//                         leading singular values of ΔW = s·B·A (all of them with --json,
//                         descending)
//     --resize-rank R     each module's best rank-R version and its relative error
//     --export-adapter D  written as a peft adapter in D (F32, same tensor names, r = R)
//   a .safetensors file   its tensors: name, dtype, shape, parameters (also a sharded model's
//   (or an index.json)    model.safetensors.index.json)
//
// A readable table on `out`, or with `json` exactly one JSON object. Exit codes: 0; 2 for bad
// input (a malformed file, --resize-rank on a tensor file); 1 when the export cannot be written.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace loralab {

struct InspectOptions {
    std::string path;
    bool json = false;
    std::int64_t resizeRank = 0;  // 0: none
    std::string exportDir;        // with resizeRank: write the resized adapter here
    bool progressTty = false;     // stderr is a terminal: show which module is being read
};

int runInspect(const InspectOptions& options, std::ostream& out, std::ostream& err);

}  // namespace loralab
