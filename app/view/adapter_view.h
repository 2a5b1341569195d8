// What the window shows of a peft adapter folder, with no ImGui or GL: the modules (filtered
// by a search text), and for the selected one B, A, ΔW = s·B·A, and ΔW_R, what resizing it to
// rank R keeps (its truncated SVD, as --inspect --resize-rank writes it), with σ(ΔW), the
// relative error ‖ΔW − ΔW_R‖_F/‖ΔW‖_F and the kept share of ‖ΔW‖²_F.
//
// Matrices larger than kMaxShownCells rows or columns are shown sampled: evenly spaced rows of
// B and ΔW, columns of A and ΔW, each entry exact (s·B(i,:)·A(:,j)); ΔW is never formed whole.
#pragma once

#include "inspect/adapter_inspect.h"

#include <string>
#include <vector>

namespace loralab {

inline constexpr Index kMaxShownCells = 192;

class AdapterView {
public:
    // Opens the folder and selects the first module. Throws InputError.
    explicit AdapterView(const std::string& dir);

    const AdapterFolder& adapter() const { return m_adapter; }
    const std::string& dir() const { return m_adapter.dir(); }

    // Case-insensitive; every space-separated word must appear in the module name.
    void setFilter(const std::string& text);
    const std::vector<std::size_t>& visible() const { return m_visible; }
    // Module i's name without the part every module's name shares ("…0.self_attn.q_proj").
    std::string shortName(std::size_t i) const;

    // Loads and analyzes module i (keeping the rank R as far as it fits). Throws InputError for
    // bad tensors, leaving the previous selection shown.
    void select(std::size_t i);
    std::size_t selected() const { return m_selected; }
    const AdapterModule& module() const { return m_adapter.modules()[m_selected]; }

    void setKeepRank(Index rank);  // clamped to 1..r of the module
    Index keepRank() const { return m_keepRank; }

    const ModuleSpectrum& spectrum() const { return m_spectrum; }
    double relativeError() const;  // of ΔW_R
    double keptEnergy() const;     // Σ_{i<=R} σᵢ² / Σσᵢ² (1 when ΔW = 0)

    const Matrix& shownB() const { return m_B; }          // sampled rows × r
    const Matrix& shownA() const { return m_A; }          // r × sampled columns
    const Matrix& shownDeltaW() const { return m_deltaW; }
    const Matrix& shownKept() const { return m_kept; }    // ΔW_R at the same rows and columns
    const std::vector<Index>& rows() const { return m_rows; }
    const std::vector<Index>& cols() const { return m_cols; }

    long long version() const { return m_version; }  // changes whenever a shown matrix does

private:
    void updateKept();

    AdapterFolder m_adapter;
    std::size_t m_sharedPrefix = 0;  // length of the dotted prefix all module names share
    std::vector<std::size_t> m_visible;
    std::size_t m_selected = 0;
    Index m_keepRank = 1;
    ModuleSpectrum m_spectrum;
    Matrix m_B, m_A, m_deltaW, m_kept;
    std::vector<Index> m_rows, m_cols;
    long long m_version = 0;
};

// `count` evenly spaced indices of 0..n−1 (all of them when n <= count), first and last included.
std::vector<Index> sampleIndices(Index n, Index count);

}  // namespace loralab
