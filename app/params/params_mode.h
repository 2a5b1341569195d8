// `loralab --params`: parameter and memory accounting, no training (figures from core's
// params.h and model_tensors.h).
//
//   layer:   --d --k --rank                  full = d·k, LoRA = r·(d+k), ratio, trainable %
//   model:   --model NAME --rank R --modules LIST          a preset, summed over its layers
//            --config PATH --rank R --modules LIST         a Hugging Face config.json (or its folder)
//            --weights PATH --rank R --modules LIST        a .safetensors file or a sharded model's
//                                                          model.safetensors.index.json: headers only
//            --model list                                  the presets
// Every form adds the adapter file's exact size (fp32, bf16) and the memory to train with Adam
// (fp32, bf16, mixed precision, QLoRA). A readable table on `out`, or with `json` exactly one
// JSON object. Exit codes: 0, 2 for bad input (an unknown module, a rank above min(out, in),
// a bad config or header).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace loralab {

struct ParamsOptions {
    std::int64_t d = 4096;
    std::int64_t k = 4096;
    std::int64_t rank = 8;
    std::string model;            // empty: one d×k layer (or --config/--weights); "list": presets
    std::string config;           // config.json or its folder
    std::string weights;          // .safetensors, model.safetensors.index.json, or their folder
    std::string modules;          // peft target_modules, or "all-linear"; empty: q,v (phi3: qkv_proj)
    bool json = false;
};

int runParams(const ParamsOptions& options, std::ostream& out, std::ostream& err);

}  // namespace loralab
