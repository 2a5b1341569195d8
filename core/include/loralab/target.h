// Targets the factors are fitted to: T (d×k), deterministic from a seed.
//
// Scaling: Gaussian, low-rank and decay targets have entries of unit RMS (‖T‖²_F = d·k), so
// losses across kinds compare; the identity is the plain d×k identity (ones on the diagonal).
#pragma once

#include "loralab/types.h"

#include <cstdint>
#include <string>

namespace loralab {

enum class TargetKind {
    Full,      // i.i.d. N(0, 1): full rank, Marchenko–Pastur spectrum
    LowRank,   // U·V with U d×r*, V r*×k Gaussian: rank exactly r*
    Identity,  // I (d×k): full rank, flat spectrum: the worst case for low rank
    Decay,     // U·diag(σ)·Vᵀ, σᵢ = c·i^(−p), U, V random orthogonal
    File,      // given by the caller (CSV or picture, read by the app)
};

const char* targetKindName(TargetKind kind);  // "full", "lowrank", "identity", "decay", "file"
TargetKind parseTargetKind(const std::string& name);  // throws std::invalid_argument

struct TargetSpec {
    TargetKind kind = TargetKind::Full;
    Index d = 64;
    Index k = 64;
    Index targetRank = 4;       // r* for LowRank; 1 <= r* <= min(d, k)
    double decayPower = 1.0;    // p for Decay; finite, >= 0
    std::uint64_t seed = 1;
};

// Builds T. Throws std::invalid_argument for a bad spec, and for TargetKind::File (the caller
// supplies that matrix directly).
Matrix makeTarget(const TargetSpec& spec);

// Peak bytes makeTarget(spec) holds while building (T included), for memory checks before
// building. File targets count T alone.
double targetMemoryBytes(const TargetSpec& spec);

// A random d×n matrix with orthonormal columns (n <= d), from the QR of a Gaussian matrix with
// signs fixed so the result is unique.
Matrix randomOrthonormal(Index d, Index n, std::uint64_t seed);

}  // namespace loralab
