// `loralab --params`: parameter and memory accounting, no training (all figures from
// core's params.h).
//
//   layer:  --d --k --rank          full = d·k, LoRA = r·(d+k), ratio, trainable %, memory
//   model:  --model NAME --rank R --modules LIST    summed over the model's layers
//           --model list             the presets
// A readable table on `out`, or with `json` exactly one JSON object.
// Exit codes: 0, 2 for an invalid combination (rank above min(d, k), a module the model lacks).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace loralab {

struct ParamsOptions {
    std::int64_t d = 4096;
    std::int64_t k = 4096;
    std::int64_t rank = 8;
    std::string model;            // empty: one d×k layer; "list": list the presets
    std::string modules = "q,v";  // for --model: peft short names, or "all-linear"
    bool json = false;
};

int runParams(const ParamsOptions& options, std::ostream& out, std::ostream& err);

}  // namespace loralab
