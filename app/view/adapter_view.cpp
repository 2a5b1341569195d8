#include "view/adapter_view.h"

#include "view/tensor_list_view.h"

#include <algorithm>

namespace loralab {

std::vector<Index> sampleIndices(Index n, Index count) {
    std::vector<Index> out;
    if (n <= 0 || count <= 0) return out;
    if (n <= count) {
        for (Index i = 0; i < n; ++i) out.push_back(i);
        return out;
    }
    for (Index i = 0; i < count; ++i)
        out.push_back(count == 1 ? 0 : i * (n - 1) / (count - 1));
    return out;
}

AdapterView::AdapterView(const std::string& dir) : m_adapter(dir) {
    const auto& modules = m_adapter.modules();
    std::string prefix = modules.front().name;
    for (const AdapterModule& m : modules) {
        std::size_t n = 0;
        while (n < prefix.size() && n < m.name.size() && prefix[n] == m.name[n]) ++n;
        prefix.resize(n);
    }
    // Cut one part before the shared prefix ends ("…layers.0.self_attn.q_proj" reads better than
    // "…0.self_attn.q_proj"), and never the whole of a name.
    const std::size_t dot = prefix.rfind('.');
    const std::size_t before = dot == std::string::npos || dot == 0 ? std::string::npos : prefix.rfind('.', dot - 1);
    m_sharedPrefix = before == std::string::npos || modules.size() == 1 ? 0 : before + 1;
    setFilter("");
    select(0);
    m_keepRank = std::max<Index>(1, m_spectrum.rank90);
    updateKept();
}

std::string AdapterView::shortName(std::size_t i) const {
    const std::string& name = m_adapter.modules().at(i).name;
    return m_sharedPrefix == 0 ? name : "…" + name.substr(m_sharedPrefix);
}

void AdapterView::setFilter(const std::string& text) {
    m_visible.clear();
    for (std::size_t i = 0; i < m_adapter.modules().size(); ++i)
        if (matchesWords(m_adapter.modules()[i].name, text)) m_visible.push_back(i);
}

void AdapterView::select(std::size_t i) {
    const AdapterModule& m = m_adapter.modules().at(i);
    Matrix B, A;
    m_adapter.load(i, B, A);
    ModuleSpectrum spectrum = analyzeModule(B, A, m.scale);
    // Everything is computed before anything is replaced: a failure leaves the old module shown.
    m_rows = sampleIndices(m.d, kMaxShownCells);
    m_cols = sampleIndices(m.k, kMaxShownCells);
    m_B.resize(static_cast<Index>(m_rows.size()), m.r);
    for (std::size_t a = 0; a < m_rows.size(); ++a) m_B.row(static_cast<Index>(a)) = B.row(m_rows[a]);
    m_A.resize(m.r, static_cast<Index>(m_cols.size()));
    for (std::size_t b = 0; b < m_cols.size(); ++b) m_A.col(static_cast<Index>(b)) = A.col(m_cols[b]);
    m_deltaW = (m.scale * (m_B.cast<double>() * m_A.cast<double>())).cast<float>();
    m_spectrum = std::move(spectrum);
    m_selected = i;
    m_keepRank = std::clamp<Index>(m_keepRank, 1, m.r);
    updateKept();
}

void AdapterView::setKeepRank(Index rank) {
    const Index clamped = std::clamp<Index>(rank, 1, module().r);
    if (clamped == m_keepRank) return;
    m_keepRank = clamped;
    updateKept();
}

double AdapterView::relativeError() const { return truncationError(m_spectrum.svd.sigma, m_keepRank); }

double AdapterView::keptEnergy() const {
    const double e = relativeError();
    return 1.0 - e * e;
}

// ΔW_R at the shown rows and columns: U(rows, :R) Σ_R V(cols, :R)ᵀ.
void AdapterView::updateKept() {
    const DeltaSvd& svd = m_spectrum.svd;
    const Index R = std::min<Index>(m_keepRank, svd.sigma.size());
    MatrixD U(static_cast<Index>(m_rows.size()), R), V(static_cast<Index>(m_cols.size()), R);
    for (std::size_t a = 0; a < m_rows.size(); ++a)
        U.row(static_cast<Index>(a)) = svd.U.row(m_rows[a]).head(R).cast<double>();
    for (std::size_t b = 0; b < m_cols.size(); ++b)
        V.row(static_cast<Index>(b)) = svd.V.row(m_cols[b]).head(R).cast<double>();
    m_kept = (U * svd.sigma.head(R).asDiagonal() * V.transpose()).cast<float>();
    ++m_version;
}

}  // namespace loralab
