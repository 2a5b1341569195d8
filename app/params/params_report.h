// What every form of --params reports, computed and printed one way: the counts, the adapter
// file's size, and the memory to train with Adam in fp32, bf16, mixed precision and QLoRA.
#pragma once

#include "loralab/model_tensors.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <iosfwd>
#include <string>

namespace loralab {

struct ParamsFigures {
    std::int64_t base = 0;       // every parameter of the model (for one layer: d·k)
    std::int64_t targeted = 0;   // parameters of the adapted matrices (what full FT of them trains)
    std::int64_t trainable = 0;  // LoRA's
    double ratio = 0, trainablePercent = 0;
    QloraBase qlora;             // the base as QLoRA holds it
    std::int64_t adapterBytes = 0, adapterBytesBf16 = 0;  // adapter_model.safetensors
};

// "16,777,216"
std::string grouped(std::int64_t v);
// `s` padded with spaces to `width`, on the left (right-aligned) or on the right.
std::string pad(const std::string& s, std::size_t width, bool right = true);
// "256x fewer", or "2x more" when LoRA trains more than the full matrix (tiny layers).
std::string ratioText(double ratio);

// `what` (what was counted) followed by full_params, lora_params, ratio, trainable_percent,
// memory_bytes {fp32, bf16, mixed: {full, lora}, qlora: {lora}} each {weights, gradients,
// adam_state, total}, adapter_file_bytes and adapter_file_bytes_bf16.
nlohmann::ordered_json figuresJson(nlohmann::ordered_json what, const ParamsFigures& f);

// The model forms' lines: targeted matrices, LoRA trainable, trainable %.
void printModelCounts(const ParamsFigures& f, std::ostream& out);
// The adapter file's size, then the memory table and what it leaves out.
void printAdapterAndMemory(const ParamsFigures& f, std::ostream& out);

// A core message "modules: …" or "rank: …" as the flag's: "--modules: …".
[[noreturn]] void rethrowForFlag(const std::exception& e);

}  // namespace loralab
