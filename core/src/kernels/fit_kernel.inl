// The fit pass's micro-kernels and their loops (see thin_products.h), written once over an
// ISA's Simd and compiled in each kernels_<isa>.cpp inside namespace loralab::LORALAB_ISA.
// No standard-library or Eigen function is called here (see kernels.h).
//
//   microKernel   P ranks × J columns of T down a stretch of row vectors
//   rankBlocks    every full block of ranks in one call (narrow ISAs, no prefetching)
//   pickKernel    the instantiation for a block's P × J
//   packB         B packed for the micro-kernel
//   fitColumns    one thread's columns: panels, stretches, column blocks, rank blocks
//   sumPartials   TAt from the threads' packed partials

namespace loralab::LORALAB_ISA {

namespace {

using detail::FitPassArgs;

// Packed d×r storage, ranks blocked by P (the last block may be narrower): the block of ranks
// [p0, p0 + width) starts at blockStart(p0) and holds, for each row vector v, `width` runs of
// W lanes: element (i, p) sits at blockStart(p0) + ((i / W)·width + p − p0)·W + i % W.
struct PackedLayout {
    Index vectors;  // ⌈d / W⌉
    Index blockStart(Index p0) const { return p0 * vectors * W; }
};

// microKernel's `prefetch` for "ask for the next call's columns" (the narrow streaming plan).
constexpr Index kAskNextColumns = -1;

// BtT[p, j] += Σ_i B[i, p]·T[i, j] and TAt[i, p] += Σ_j T[i, j]·A[p, j] for P ranks × J columns
// over row vectors [v0, v1) (the last has `tail` valid rows, 0 = full). Every T vector loaded
// feeds 2·P FMAs. With prefetch > 0 it asks for T that many row vectors ahead, and over its
// last ones for the first rows of the next call's columns (`next`, nextCols of them), so that
// the stream from memory does not stop at each block of columns. Each instance starts on a
// 64-byte boundary: on Zen 5 the same code ran far slower at some alignments.
template <int P, int J, bool WithC, bool ARegisters>
__attribute__((aligned(64))) void microKernel(const float* T, Index ldT, const float* Bp,
                                              float* Cp, const float* A, Index ldA, float* BtT,
                                              Index ldBtT, Index v0, Index v1, int tail,
                                              Index prefetch, const float* next, int nextCols) {
    // A's P·J values: broadcast into registers when they fit beside the accumulators, else
    // read from a small array (AVX-512 folds those broadcasts into the FMAs). The empty asm
    // keeps the compiler from hoisting the array's broadcasts into registers it does not have.
    constexpr bool kARegisters = ARegisters && P * J <= 12;
    constexpr bool kBRegister = kARegisters && W == 8;  // AVX2: see body
    V acc[P][J];
    V a[kARegisters ? P : 1][kARegisters ? J : 1];
    alignas(64) float aMem[kARegisters ? 1 : P * J];
    for (int p = 0; p < P; ++p)
        for (int j = 0; j < J; ++j) {
            acc[p][j] = Simd::zero();
            if constexpr (kARegisters) {
                if constexpr (WithC) a[p][j] = Simd::broadcast(A[p + j * ldA]);
            } else {
                aMem[p * J + j] = WithC ? A[p + j * ldA] : 0.0f;
            }
        }
    // On AVX2 with A in registers, B's vector is loaded once into a register (the empty asm
    // stops GCC from folding the load into each of the J FMAs: 11 loads a row vector instead
    // of 7 for 2 × 3).
    auto body = [&](Index v, const V* t, auto bRegister) {
        const float* bp = Bp + v * P * W;
        const float* am = aMem;
        if constexpr (!kARegisters) asm("" : "+r"(am));
        for (int p = 0; p < P; ++p) {
            V b = Simd::load(bp + p * W);
            if constexpr (kBRegister && decltype(bRegister)::value) asm("" : "+x"(b));
            for (int j = 0; j < J; ++j) acc[p][j] = Simd::fma(b, t[j], acc[p][j]);
            if constexpr (WithC) {
                auto aOf = [&](int j) {
                    if constexpr (kARegisters) return a[p][j];
                    else return Simd::broadcast(am[p * J + j]);
                };
                float* cp = Cp + (v * P + p) * W;
                V c = Simd::load(cp);
                if constexpr (!kARegisters && J >= 4) {
                    // Two chains of J/2 FMAs and an add instead of one chain of J: four ranks'
                    // chains of 6 dependent FMAs were as long as the row vector's FMA issue.
                    V c1 = Simd::mul(t[J / 2], aOf(J / 2));
                    for (int j = 0; j < J / 2; ++j) c = Simd::fma(t[j], aOf(j), c);
                    for (int j = J / 2 + 1; j < J; ++j) c1 = Simd::fma(t[j], aOf(j), c1);
                    c = Simd::add(c, c1);
                } else {
                    for (int j = 0; j < J; ++j) c = Simd::fma(t[j], aOf(j), c);
                }
                Simd::store(cp, c);
            }
        }
    };
    const Index full = tail == 0 ? v1 : v1 - 1;
    if constexpr (!Simd::kSum16) {
        if (prefetch == kAskNextColumns) {
            for (; v0 < full; ++v0) {
                V t[J];
                for (int j = 0; j < J; ++j) {
                    if ((nextCols >> j) & 1) Simd::prefetch(next + j * ldT + v0 * W);
                    t[j] = Simd::load(T + j * ldT + v0 * W);
                }
                body(v0, t, Flag<false>{});
            }
            prefetch = 0;  // only the tail is left, below
            next = nullptr;
        }
    }
    const Index prefetchEnd = prefetch > 0 ? hi(v0, full - prefetch) : v0;
    for (Index v = v0; v < prefetchEnd; ++v) {
        V t[J];
        for (int j = 0; j < J; ++j) {
            Simd::prefetch(T + j * ldT + (v + prefetch) * W);
            t[j] = Simd::load(T + j * ldT + v * W);
        }
        body(v, t, Flag<true>{});
    }
    Index v = prefetchEnd;
    if (next != nullptr && prefetch > 0) {  // (a loop of its own: the plain one stays branch-free)
        for (; v < full; ++v) {
            V t[J];
            for (int j = 0; j < J; ++j) {
                if (j < nextCols) Simd::prefetch(next + j * ldT + (v + prefetch - full) * W);
                t[j] = Simd::load(T + j * ldT + v * W);
            }
            body(v, t, Flag<true>{});
        }
    }
    for (; v < full; ++v) {
        V t[J];
        for (int j = 0; j < J; ++j) t[j] = Simd::load(T + j * ldT + v * W);
        body(v, t, Flag<true>{});
    }
    if (tail != 0) {
        V t[J];
        for (int j = 0; j < J; ++j) t[j] = Simd::loadFirst(T + j * ldT + full * W, tail);
        body(full, t, Flag<true>{});
    }
    if constexpr (Simd::kSum16 && P * J >= 6) {  // 16 lane sums at a time, zero-padded
        for (int g = 0; g < P * J; g += 16) {
            V all[16];
            for (int i = 0; i < 16; ++i)
                all[i] = g + i < P * J ? acc[(g + i) % P][(g + i) / P] : Simd::zero();
            alignas(64) float sums[16];
            Simd::store(sums, Simd::sum16(all));
            for (int i = 0; i < 16 && g + i < P * J; ++i)
                BtT[(g + i) % P + (g + i) / P * ldBtT] += sums[i];
        }
        return;
    }
    for (int p = 0; p < P; ++p)
        for (int j = 0; j < J; ++j) BtT[p + j * ldBtT] += Simd::sum(acc[p][j]);
}

using MicroKernel = void (*)(const float*, Index, const float*, float*, const float*, Index,
                             float*, Index, Index, Index, int, Index, const float*, int);

// `blocks` blocks of P ranks over the same columns and rows in one call, the micro-kernel
// inlined into the loop (`flatten`): a call per block cost a real share of small shapes.
template <int P, int J, bool WithC, bool ARegisters>
__attribute__((flatten, aligned(64))) void rankBlocks(const float* T, Index ldT, const float* Bp,
                                                      float* Cp, const float* A, Index ldA,
                                                      float* BtT, Index ldBtT, Index v0,
                                                      Index v1, int tail, int blocks,
                                                      Index blockStride) {
    for (int b = 0; b < blocks; ++b)
        microKernel<P, J, WithC, ARegisters>(T, ldT, Bp + b * blockStride,
                                             WithC ? Cp + b * blockStride : nullptr, A + b * P,
                                             ldA, BtT + b * P, ldBtT, v0, v1, tail, 0, nullptr,
                                             0);
}

using RankBlocks = void (*)(const float*, Index, const float*, float*, const float*, Index,
                            float*, Index, Index, Index, int, int, Index);

template <int P, int J, bool WithC, bool ARegisters, bool Blocks>
auto kernelOf() {
    if constexpr (Blocks) return &rankBlocks<P, J, WithC, ARegisters>;
    else return &microKernel<P, J, WithC, ARegisters>;
}

// The micro-kernel of a P × J block (P the plan's or fewer for the last ranks, J the plan's or
// fewer for a panel's last columns), or with Blocks its loop over blocks of ranks.
template <bool WithC, bool Blocks = false>
auto pickKernel(int P, int J, bool aRegisters) {
    using Fn = decltype(kernelOf<1, 1, WithC, false, Blocks>());
#define LORALAB_K(p, j)                                                   \
    if (P == p && J == j)                                                 \
        return aRegisters ? kernelOf<p, j, WithC, (p * j <= 12), Blocks>() \
                          : kernelOf<p, j, WithC, false, Blocks>();
    LORALAB_K(1, 1) LORALAB_K(2, 1) LORALAB_K(1, 2) LORALAB_K(2, 2) LORALAB_K(1, 3)
    LORALAB_K(2, 3) LORALAB_K(1, 4) LORALAB_K(2, 4)
    if constexpr (W == 16) {
        LORALAB_K(1, 5) LORALAB_K(2, 5) LORALAB_K(1, 6) LORALAB_K(2, 6) LORALAB_K(1, 7)
        LORALAB_K(1, 8) LORALAB_K(3, 1) LORALAB_K(3, 2) LORALAB_K(3, 3) LORALAB_K(3, 4)
        LORALAB_K(3, 5) LORALAB_K(3, 6) LORALAB_K(4, 1) LORALAB_K(4, 2) LORALAB_K(4, 3)
        LORALAB_K(4, 4) LORALAB_K(4, 5) LORALAB_K(4, 6)
    }
#undef LORALAB_K
    return Fn{nullptr};
}

void packB(const float* B, Index d, Index r, int P, float* out) {
    const Index vectors = (d + W - 1) / W, fullVectors = d / W;
    const int tail = static_cast<int>(d % W);
    const PackedLayout layout{vectors};
    for (Index p0 = 0; p0 < r; p0 += P) {
        const Index width = lo(P, r - p0);
        float* block = out + layout.blockStart(p0);
        for (Index p = 0; p < width; ++p) {
            const float* src = B + (p0 + p) * d;
            float* dst = block + p * W;
            for (Index v = 0; v < fullVectors; ++v)
                Simd::store(dst + v * width * W, Simd::load(src + v * W));
            if (tail != 0)
                Simd::store(dst + fullVectors * width * W,
                            Simd::loadFirst(src + fullVectors * W, tail));
        }
    }
}

template <bool WithC>
void fitColumnsOf(const FitPassArgs& a, Index j0, Index j1) {
    const FitPlan& plan = a.plan;
    const Index d = a.d, r = a.r;
    const PackedLayout layout{(d + W - 1) / W};
    const int tail = static_cast<int>(d % W);
    const float* T = a.T;
    float* C = a.partial;
    Index rest = j0;  // the columns the blocked loops below take
    if (plan.spreadColumns) {
        // r = 1 down whole columns: each call takes J columns spread evenly over the share
        // (m apart), so that the J streams run on through the share instead of stopping after
        // each column.
        const Index m = (j1 - j0) / plan.J;
        const MicroKernel kernel = pickKernel<WithC>(1, plan.J, plan.aRegisters);
        for (Index c = 0; c < m; ++c)
            kernel(T + (j0 + c) * d, d * m, a.packedB, C, a.A + j0 + c, m, a.BtT + j0 + c, m, 0,
                   layout.vectors, tail, 0, nullptr, 0);
        rest = j0 + plan.J * m;
    }
    for (Index pj = rest; pj < j1; pj += plan.panel) {
        const Index pe = lo(j1, pj + plan.panel);
        for (Index v0 = 0; v0 < layout.vectors; v0 += plan.stretch) {
            const Index v1 = lo(layout.vectors, v0 + plan.stretch);
            const int stretchTail = v1 == layout.vectors ? tail : 0;
            for (Index j = pj; j < pe;) {
                const int J = static_cast<int>(lo(plan.J, pe - j));
                // The block of columns after this one in the stream: the next in the panel
                // (same rows), or, down whole columns, the next panel's first.
                const float* next = nullptr;
                int nextCols = 0;
                const Index nj = j + J;
                const Index streamEnd = plan.stretch == layout.vectors ? j1 : pe;
                if (plan.prefetch > 0 && nj < streamEnd) {
                    next = T + nj * d + v0 * W;
                    nextCols = static_cast<int>(lo(plan.J, streamEnd - nj));
                }
                Index p0 = 0;
                if (plan.rankBlocks) {
                    const int blocks = static_cast<int>(r / plan.P);
                    const RankBlocks run = pickKernel<WithC, true>(plan.P, J, plan.aRegisters);
                    run(T + j * d, d, a.packedB, C, a.A + j * r, r, a.BtT + j * r, r, v0, v1,
                        stretchTail, blocks, layout.blockStart(plan.P));
                    p0 = blocks * plan.P;
                }
                for (; p0 < r; p0 += plan.P) {
                    const int P = static_cast<int>(lo(plan.P, r - p0));
                    const MicroKernel kernel = pickKernel<WithC>(P, J, plan.aRegisters);
                    Index prefetch = p0 == 0 ? plan.prefetch : 0;
                    const float* ask = next;
                    int askCols = nextCols;
                    if (plan.askNextColumns) {
                        // Block q of the nb blocks of ranks asks for the next call's columns c
                        // with c % nb == q (all of them when nb = 1).
                        const Index nb = (r + plan.P - 1) / plan.P, q = p0 / plan.P;
                        askCols = 0;
                        for (Index c = 0; c < lo(plan.J, j1 - nj); ++c)
                            if (c % nb == q) askCols |= 1 << c;
                        prefetch = askCols != 0 ? kAskNextColumns : 0;
                        ask = askCols != 0 ? T + nj * d : nullptr;
                    }
                    kernel(T + j * d, d, a.packedB + layout.blockStart(p0),
                           WithC ? C + layout.blockStart(p0) : nullptr, a.A + p0 + j * r, r,
                           a.BtT + p0 + j * r, r, v0, v1, stretchTail, prefetch, ask, askCols);
                }
                j += J;
            }
        }
    }
}

void fitColumns(const FitPassArgs& a, Index j0, Index j1) {
    if (a.partial != nullptr) fitColumnsOf<true>(a, j0, j1);
    else fitColumnsOf<false>(a, j0, j1);
}

void sumPartials(const float* const* parts, int n, Index d, Index r, int P, Index vb, Index ve,
                 float* TAt) {
    const PackedLayout layout{(d + W - 1) / W};
    for (Index p0 = 0; p0 < r; p0 += P) {
        const Index width = lo(P, r - p0);
        for (Index v = vb; v < ve; ++v)
            for (Index p = 0; p < width; ++p) {
                const Index o = layout.blockStart(p0) + (v * width + p) * W;
                float* dst = TAt + (p0 + p) * d + v * W;
                V sum = Simd::load(parts[0] + o);
                for (int u = 1; u < n; ++u) sum = Simd::add(sum, Simd::load(parts[u] + o));
                if (v * W + W <= d) Simd::store(dst, sum);
                else Simd::storeFirst(dst, sum, static_cast<int>(d - v * W));
            }
    }
}

}  // namespace

}  // namespace loralab::LORALAB_ISA
