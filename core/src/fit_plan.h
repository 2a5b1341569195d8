// The fit kernel's plan: how the one pass over T (thin_products.h) blocks its work, as a pure
// function of the shape, the instruction set and the caches. core/README.md's table lists the
// rules and why each exists; tests check each choice and run every plan through every kernel.
#pragma once

#include "loralab/isa.h"

#include <cstddef>

namespace loralab {

using Index = std::ptrdiff_t;

struct FitShape {
    Index d, k, r;  // T d×k, rank r
    int threads;    // the team that shares T's columns
};

struct CacheInfo {
    Index l2Bytes = Index(1) << 20;  // one core's L2
    bool slowL3 = false;  // an L3 one core reads about as slowly as memory (Intel's mesh)
    static CacheInfo ofThisMachine();  // read once from the OS (sysconf, cpuid's vendor)
};

// Vector widths in floats (avx512 16, avx2 8, generic 4).
int isaWidth(Isa isa);

struct FitPlan {
    const char* rule;      // the README's name for the rule that chose this plan
    int P;                 // ranks per micro-kernel block
    int J;                 // columns of T per micro-kernel call
    Index prefetch;        // row vectors to prefetch T ahead (first block of ranks); 0 = none
    Index stretch;         // row vectors per stretch (cache blocking down the columns)
    Index panel;           // columns per panel (a multiple of J)
    bool aRegisters;       // A's values held in registers where P·J allows
    bool askNextColumns;   // every block of ranks prefetches some of the next call's columns
    bool rankBlocks;       // every full block of ranks in one call (no prefetching plans)
    bool spreadColumns;    // r = 1 down whole columns: J streams spread over the share
};

FitPlan planFitPass(const FitShape& shape, Isa isa, const CacheInfo& caches);

}  // namespace loralab
