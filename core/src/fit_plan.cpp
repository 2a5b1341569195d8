// The fit kernel's planner (see fit_plan.h; the rules and their reasons: core/README.md).
#include "fit_plan.h"

#include <algorithm>

#if defined(__unix__)
#include <unistd.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace loralab {

namespace {

// Cache blocking of one thread's columns: panels of `panel` columns walked a stretch of rows
// at a time. The stretch's packed B and TAt partial must stay in L2 beside the panel's tile of
// T; whole columns are best while that holds, equal stretches of at most 4096 rows after.
constexpr Index kStretchBytes = 512 << 10;  // packed B + TAt partial of one stretch
constexpr Index kTileBytes = 256 << 10;     // T's tile of one panel and stretch
constexpr Index kMaxStretchRows = 4096;
constexpr Index kL1TileBytes = 24 << 10;         // a J-column tile of T that stays in L1
constexpr Index kSmallFactorBytes = 32 << 10;    // packed B + TAt partial that stay in L1
constexpr Index kStreamingBytes = Index(32) << 20;  // T from memory, not the caches
constexpr Index kPrefetchShareBytes = Index(14) << 20;  // a thread's share that spills L3
constexpr Index kPrefetchVectors = 16;

struct Blocking {
    Index stretch, panel;
};

Blocking blockingFor(Index r, int J, Index vectors, int W) {
    const Index bytesPerVector = static_cast<Index>(sizeof(float)) * W;
    const Index fits = std::max<Index>(16, kStretchBytes / (2 * bytesPerVector * r));
    Index stretch = vectors;
    if (vectors > fits) {
        const Index longest = std::min(fits, kMaxStretchRows / W);
        const Index count = (vectors + longest - 1) / longest;
        stretch = (vectors + count - 1) / count;
    }
    const Index panel = std::max<Index>(1, kTileBytes / (bytesPerVector * stretch) / J) * J;
    return {stretch, panel};
}

FitPlan make(const char* rule, int P, int J, Index prefetch, Blocking b, bool aRegisters = true) {
    return {rule, P, J, prefetch, b.stretch, b.panel, aRegisters, false, false, false};
}

// AVX-512: 32 registers, blocks of up to 4 ranks × 8 columns.
FitPlan planAvx512(const FitShape& s, const CacheInfo& caches) {
    constexpr int W = 16;
    const Index vectors = (s.d + W - 1) / W;
    const Index bytesOfT = s.d * s.k * static_cast<Index>(sizeof(float));
    const Index share = bytesOfT / s.threads;
    const bool streams = bytesOfT >= kStreamingBytes;
    const bool fromL3 = !streams && share > caches.l2Bytes;
    if (s.r == 1) {
        const int J = streams ? 8 : 4;
        return make(streams ? "r1-stream" : "r1-cached", 1, J, 0, blockingFor(1, J, vectors, W));
    }
    const Index factorBytes = 2 * vectors * W * s.r * static_cast<Index>(sizeof(float));
    const bool prefetchFromL3 =
        s.r <= 4 && !streams && share + factorBytes > caches.l2Bytes && caches.slowL3;
    const Index l3Prefetch = prefetchFromL3 ? kPrefetchVectors : 0;
    if (fromL3 && s.r >= 3 && s.r <= 4 && factorBytes <= kSmallFactorBytes)
        return make("one-block", static_cast<int>(s.r), 3, l3Prefetch,
                    blockingFor(s.r, 3, vectors, W));
    constexpr int J = 6;
    const Blocking blocking = blockingFor(s.r, J, vectors, W);
    const Index tileBytes = J * blocking.stretch * W * static_cast<Index>(sizeof(float));
    const Index prefetch =
        streams || share >= kPrefetchShareBytes ? kPrefetchVectors : l3Prefetch;
    if (tileBytes <= kL1TileBytes)
        return make("l1-tile", 2, J, s.r > 4 ? prefetch : l3Prefetch, blocking);
    if (s.r == 2) return make("r2", 2, J, prefetch, blocking, !streams);
    return make("l2-tile", 4, J, prefetch, blocking);
}

// AVX2 and generic: 16 registers (SSE2's and AVX2's), blocks of 2 ranks × 3 columns.
FitPlan planNarrow(const FitShape& s, int W) {
    const Index vectors = (s.d + W - 1) / W;
    if (s.r == 1) return make("r1-narrow", 1, 4, 0, blockingFor(1, 4, vectors, W));
    FitPlan plan = make("narrow", 2, 3, 0, blockingFor(s.r, 3, vectors, W));
    plan.askNextColumns = s.d * s.k * static_cast<Index>(sizeof(float)) >= kStreamingBytes &&
                          s.r <= 4 && plan.stretch == vectors;
    if (plan.askNextColumns) plan.rule = "narrow-stream";
    return plan;
}

}  // namespace

int isaWidth(Isa isa) {
    switch (isa) {
        case Isa::Avx512: return 16;
        case Isa::Avx2: return 8;
        case Isa::Generic: return 4;
    }
    return 4;
}

CacheInfo CacheInfo::ofThisMachine() {
    static const CacheInfo info = [] {
        CacheInfo c;
#if defined(_SC_LEVEL2_CACHE_SIZE)
        const long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
        if (l2 > 0) c.l2Bytes = static_cast<Index>(l2);
#endif
#if defined(__x86_64__) || defined(__i386__)
        unsigned a = 0, b = 0, cx = 0, dx = 0;
        if (__get_cpuid(0, &a, &b, &cx, &dx))
            c.slowL3 = b == 0x756e6547 && dx == 0x49656e69 && cx == 0x6c65746e;  // GenuineIntel
#endif
        return c;
    }();
    return info;
}

FitPlan planFitPass(const FitShape& shape, Isa isa, const CacheInfo& caches) {
    FitPlan plan = isa == Isa::Avx512 ? planAvx512(shape, caches)
                                      : planNarrow(shape, isaWidth(isa));
    const Index vectors = (shape.d + isaWidth(isa) - 1) / isaWidth(isa);
    // Without prefetching, the narrow kernels run every full block of ranks in one call (a
    // call per block cost a real share of small shapes); the AVX-512 ones keep a call each.
    plan.rankBlocks = isa != Isa::Avx512 && plan.prefetch == 0 && !plan.askNextColumns &&
                      shape.r >= plan.P;
    plan.spreadColumns = shape.r == 1 && plan.stretch == vectors;
    return plan;
}

}  // namespace loralab
