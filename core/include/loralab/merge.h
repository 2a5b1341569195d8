// Merging an adapter into its base, taking it out again, and the two ways of running a layer.
//
//   merge      W' = W0ₛ + s·B·A (d×k), kept in fp32, or stored in bf16 (each entry rounded)
//   unmerge    W' − s·B·A: in fp32 it gives W0ₛ back up to float rounding; after a bf16
//              merge the rounding stays in the base (what a hot swap through merging costs)
//   forward    for one input x (k): the adapter kept apart, y = W0ₛx + s·B(Ax), set against the
//              merged y' = W'x. FLOPs: W0ₛx and W'x cost 2dk each; Ax and B(Ax) 2r(d+k)
//              together (the additions and the scale by s are not counted).
#pragma once

#include "loralab/factors.h"

#include <string>

namespace loralab {

enum class MergePrecision { Fp32, Bf16 };
const char* mergePrecisionName(MergePrecision p);            // "fp32", "bf16"
MergePrecision parseMergePrecision(const std::string& name);  // throws std::invalid_argument

// Throws std::invalid_argument unless base is factors.d() × factors.k().
Matrix mergeAdapter(const Matrix& base, const Factors& factors, MergePrecision precision);
Matrix unmergeAdapter(const Matrix& merged, const Factors& factors, MergePrecision precision);

struct ForwardPass {
    Vector base;        // W0ₛ·x (d)
    Vector bottleneck;  // A·x (r): the whole input squeezed through r numbers
    Vector adapter;     // s·B·(A·x) (d)
    Vector sum;         // base + adapter
    Vector merged;      // W'·x (d)
    double flopsBase = 0, flopsAdapter = 0, flopsMerged = 0;
    double maxAbsDiff = 0;  // max |sum − merged|
};

// Throws std::invalid_argument unless x has k entries and merged is d×k.
ForwardPass forwardPass(const Matrix& base, const Factors& factors, const Matrix& merged,
                        const Vector& x);

}  // namespace loralab
