#include "view/tensor_list_view.h"

#include <algorithm>
#include <cctype>

namespace loralab {

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

bool matchesWords(const std::string& name, const std::string& query) {
    const std::string n = lower(name), q = lower(query);
    std::size_t start = 0;
    while (start < q.size()) {
        const std::size_t end = std::min(q.find(' ', start), q.size());
        if (end > start && n.find(q.substr(start, end - start)) == std::string::npos) return false;
        start = end + 1;
    }
    return true;
}

TensorListView::TensorListView(const std::string& path) : m_weights(readModelWeights(path)) {
    for (const WeightEntry& e : m_weights.entries) m_total += elementCount(e.shape);
    setFilter("");
}

void TensorListView::setFilter(const std::string& text) {
    m_visible.clear();
    for (std::size_t i = 0; i < m_weights.entries.size(); ++i)
        if (matchesWords(m_weights.entries[i].name, text)) m_visible.push_back(i);
}

std::string targetProblem(const WeightEntry& e, Index maxDim) {
    if (e.shape.size() != 2) return std::to_string(e.shape.size()) + "-D; a target is a matrix";
    if (e.dtype != "F32" && e.dtype != "F16" && e.dtype != "BF16")
        return e.dtype + "; a target is read from F32, F16 or BF16";
    if (e.shape[0] < 1 || e.shape[1] < 1 || e.shape[0] > maxDim || e.shape[1] > maxDim)
        return std::to_string(e.shape[0]) + "x" + std::to_string(e.shape[1]) + "; a target is at most " +
               std::to_string(maxDim) + " in each direction";
    return "";
}

}  // namespace loralab
