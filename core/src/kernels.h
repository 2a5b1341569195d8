// The SIMD kernels' table (internal to core/src): one per instruction set, each compiled in a
// translation unit of its own (kernels/kernels_<isa>.cpp) with that set's flags, and chosen at
// run time (loralab/isa.h). The table's functions take raw column-major arrays: no Eigen or
// standard-library code is compiled for a wider ISA than the baseline, so no inline function
// shared between files can come in a copy the CPU cannot run.
#pragma once

#include "fit_plan.h"
#include "loralab/isa.h"

#include <cstddef>

namespace loralab::detail {

// One thread's share of the pass over T (thin_products.cpp's driver): TAt's partial and BtT's
// columns [j0, j1) from packed B (packB's layout, the plan's P).
struct FitPassArgs {
    const float* T;        // d×k, columns d apart
    Index d, k, r;
    const float* A;        // r×k
    float* BtT;            // r×k, its columns [j0, j1) zeroed by the caller
    const float* packedB;  // this thread's packB() output
    float* partial;        // this thread's TAt partial (packed as B, zeroed), or null
    FitPlan plan;
};

// Adam's update of n values: m = b1·m + omb1·g; v = b2·v + omb2·g²;
// p = p − stepScale·m / (√(invBc2·v) + eps). Inputs and outputs may be the same arrays.
struct AdamArgs {
    const float* p; const float* g; const float* m; const float* v;
    float* pOut; float* mOut; float* vOut;
    float b1, b2, omb1, omb2, stepScale, invBc2, eps;
};

struct KernelTable {
    Isa isa;
    int width;  // floats per vector

    // ---- the pass over T (thin_products.h) ----
    // B (d×r) packed as blocks of P ranks: block p0 at p0·⌈d/W⌉·W, row vector v's `width`
    // runs of W lanes; zeros past row d. ⌈d/W⌉·W·r floats.
    void (*packB)(const float* B, Index d, Index r, int P, float* out);
    void (*fitColumns)(const FitPassArgs& args, Index j0, Index j1);
    // TAt's row vectors [vb, ve) = Σ of n packed partials (TAt d×r, columns d apart).
    void (*sumPartials)(const float* const* parts, int n, Index d, Index r, int P, Index vb,
                        Index ve, float* TAt);

    // ---- the Gram form's r-sized products (objective.cpp), any r >= 1 ----
    // out (r×r) = Σ a_j·a_jᵀ over w columns of r floats stored one after another. Symmetric.
    void (*gramOfColumns)(const float* A, Index r, Index w, float* out);
    // out (r×r) = BᵀB over h rows: B's r columns are runs of h floats, ldB apart. Symmetric.
    void (*gramOfRows)(const float* B, Index ldB, Index h, Index r, float* out);
    // out[:, j] = cs·G·A[:, j] − c·C[:, j] over w columns of r floats (G r×r).
    void (*gradientOfColumns)(const float* G, const float* A, const float* C, Index r, Index w,
                              float c, float cs, float* out);
    // B's h rows (columns ldB apart) packed by rows: row vector v's r runs of W lanes at
    // out + (v·r + p)·W, zeros past row h. ⌈h/W⌉·W·r floats.
    void (*packRows)(const float* B, Index ldB, Index h, Index r, float* out);
    // out(i, q) = cs·Σ_p B(i, p)·G(p, q) − c·C(i, q) over h rows (Bp from packRows; C and out
    // with columns ldC and ldOut apart).
    void (*gradientOfRows)(const float* Bp, const float* G, const float* C, Index ldC, Index h,
                           Index r, float c, float cs, float* out, Index ldOut);
    // Σ (s·(B·A)(i, j) − T(i, j))² over d rows and w columns: residuals in float, the squares
    // of a block summed in float and the blocks in double (Bp from packRows of all d rows).
    double (*residualSquares)(const float* Bp, Index d, Index r, const float* A, const float* T,
                              Index ldT, Index w, float s);

    // ---- vectors ----
    double (*dotDouble)(const float* a, const float* b, Index n);  // Σ a·b in double
    bool (*allFinite)(const float* x, Index n);                     // no NaN, no ±inf
    void (*adam)(const AdamArgs& args, Index n);
};

const KernelTable& kernelTable(Isa isa);  // throws std::invalid_argument if not supported
const KernelTable& kernels();             // activeIsa()'s

// Floats that packB and packRows fill.
inline Index packedSize(const KernelTable& kt, Index d, Index r) {
    return (d + kt.width - 1) / kt.width * kt.width * r;
}

}  // namespace loralab::detail

// Each kernel translation unit defines its table.
namespace loralab::generic { const detail::KernelTable& table(); }
namespace loralab::avx2 { const detail::KernelTable& table(); }
namespace loralab::avx512 { const detail::KernelTable& table(); }
