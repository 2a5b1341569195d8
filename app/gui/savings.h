// The parameter-savings counter's figures and their text, with no ImGui: every number comes
// from the core (params.h); this file only picks the calls and formats the results, so a test
// can check the text against the core and against closed forms.
#pragma once

#include "loralab/params.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loralab::gui {

struct SavingsFigures {
    std::int64_t d = 0, k = 0, rank = 0;
    LayerCounts layer;              // this d×k layer at this rank
    TrainingMemory layerFull;       // Adam, fp32, full fine-tuning of the layer
    TrainingMemory layerLora;       // Adam, fp32, LoRA on the frozen layer
    LayerCounts big;                // a 4096×4096 layer at the same rank
    std::string modelDisplayName;
    std::string modules;            // e.g. "q,v"
    ModelCounts model;              // the chosen model preset at this rank
    TrainingMemory modelFull, modelLora;
};

// Throws std::invalid_argument (from the core) for a bad shape, rank, model or module list.
// A rank above 4096 is clamped to 4096 for the 4096×4096 row.
SavingsFigures computeSavings(std::int64_t d, std::int64_t k, std::int64_t rank,
                              const std::string& modelName, const std::string& modules);

std::string formatCount(std::int64_t n);       // 16777216 -> "16,777,216"
std::string formatBytes(std::int64_t bytes);   // 1536 -> "1.5 KiB", 3221225472 -> "3.00 GiB"
std::string formatRatio(double ratio);         // 256 -> "256×", 1.5 -> "1.5×", 12.46 -> "12.5×"
std::string formatPercent(double percent);     // 0.78125 -> "0.78%", 33.3 -> "33.3%"
// LoRA against full fine-tuning in words: ratio 256 -> "256× fewer", 0.5 -> "2× more"
// (tiny layers at high rank train more numbers with LoRA than without).
std::string formatSavings(double ratio);

// The counter as rows of (label, full fine-tuning, LoRA) text, top to bottom, for the panel
// and for tests.
struct SavingsRow {
    std::string label, full, lora;
};
std::vector<SavingsRow> savingsRows(const SavingsFigures& f);

}  // namespace loralab::gui
