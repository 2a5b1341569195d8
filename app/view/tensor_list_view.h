// What the window shows of a .safetensors file (or a sharded model's index): its tensors,
// filtered by a search text, and which of them can become the fit's target. No ImGui or GL.
//
// Each row can take actions (tensorActions() in the panel): use as target or as base; an action
// states what it needs of a tensor through a check like targetProblem below.
#pragma once

#include "io/model_weights.h"
#include "loralab/types.h"

#include <string>
#include <vector>

namespace loralab {

class TensorListView {
public:
    // Reads the headers only. Throws InputError.
    explicit TensorListView(const std::string& path);

    const ModelWeights& weights() const { return m_weights; }
    std::int64_t totalParams() const { return m_total; }

    // Case-insensitive; every space-separated word must appear in the tensor name.
    void setFilter(const std::string& text);
    const std::vector<std::size_t>& visible() const { return m_visible; }

private:
    ModelWeights m_weights;
    std::int64_t m_total = 0;
    std::vector<std::size_t> m_visible;
};

// Why `e` cannot be the fit's target ("" when it can): it must be 2-D, F32/F16/BF16, and at
// most maxDim in each direction.
std::string targetProblem(const WeightEntry& e, Index maxDim);

// Every space-separated word of `query` appears in `name`, ignoring case.
bool matchesWords(const std::string& name, const std::string& query);

}  // namespace loralab
