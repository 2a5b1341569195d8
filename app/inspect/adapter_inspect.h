// What a peft LoRA adapter holds, module by module, and its best lower-rank version.
//
// For each module (B d×r, A r×k, scale s): σ(ΔW) of ΔW = s·B·A through QR of B and Aᵀ (never
// d×k; core's rank_resize.h), ‖ΔW‖_F = √Σσ², and the fewest singular values holding 90 % and
// 99 % of ‖ΔW‖²_F. Resizing to rank R gives module m rank R_m = min(R, r_m): its truncated SVD,
// split as B' = U√(σ/|s'|), A' = ±√(σ/|s'|)Vᵀ with s' the scale the new config gives it
// (lora_alpha and alpha_pattern are kept), so s'·B'·A' is the best rank-R_m approximation.
#pragma once

#include "io/adapter_reader.h"
#include "loralab/rank_resize.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace loralab {

struct ModuleSpectrum {
    DeltaSvd svd;           // σ descending, U, V
    double frobenius = 0;   // ‖ΔW‖_F
    Index rank90 = 0, rank99 = 0;
};

ModuleSpectrum analyzeModule(const Matrix& B, const Matrix& A, double scale);

struct ModuleReport {
    AdapterModule module;
    VectorD sigma;
    double frobenius = 0;
    Index rank90 = 0, rank99 = 0;
    Index resizedRank = 0;        // 0: no resize asked
    double relativeError = 0;     // ‖ΔW − ΔW_R‖_F / ‖ΔW‖_F
};

// The rank module `m` gets when the adapter is resized to `rank`, and the scale it then has.
Index resizedRank(const AdapterModule& m, Index rank);
double resizedScale(const AdapterModule& m, Index rank, bool rslora);

// Reads and analyzes every module. With resizeRank > 0, each module's truncation error is
// measured and, when `resized` is given, its truncated factors are stored there under the
// adapter's own tensor names (F32), with the adapter's other tensors carried over as F32.
// `progress(i, n)` is called before module i. Throws InputError for bad tensors.
std::vector<ModuleReport> inspectAdapter(AdapterFolder& adapter, Index resizeRank,
                                         SafetensorsFile* resized,
                                         const std::function<void(std::size_t, std::size_t)>& progress = {});

// adapter_config.json for the resized adapter: the original with r = R and rank_pattern such
// that every module gets resizedRank (existing keys capped at R, in their order; modules that
// would fall back to a global r below R get their own entry).
std::string resizedConfigJson(const AdapterFolder& adapter, Index rank);

}  // namespace loralab
