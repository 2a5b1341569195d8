// TAt = T·Aᵀ and BtT = Bᵀ·T in one pass over T (see thin_products.h for the design).
#include "loralab/thin_products.h"

#include "simd.h"
#include "team.h"

#include <algorithm>
#include <type_traits>

#if defined(__unix__)
#include <unistd.h>  // sysconf: the L2's size
#endif

namespace loralab {

namespace {

using detail::onSpinTeam;
using detail::onTeam;
using detail::share;
using detail::teamBarrier;

}  // namespace

#if defined(LORALAB_SIMD_KERNEL)

namespace {

using detail::Simd;
constexpr const char* kSimdName = Simd::kName;
constexpr int W = Simd::W;

// Cache blocking of one thread's columns: panels of `panel` columns (a multiple of the plan's
// J), walked a stretch of `stretch` row vectors at a time. Inside a stretch every J-column
// block runs through every rank block, so three things must stay in L2 (1 MiB here):
//   * the stretch of packed B and of the TAt partial, stretch·W·r floats each, read again for
//     every J-column block of the panel;
//   * the panel's tile of T, panel·stretch·W floats, re-read from L2 by each block of P ranks.
// Whole columns of T, streamed from memory one after the other, measured best wherever B and
// the partial of a whole column fit (kStretchBytes: up to d = 4096 at r = 16, 16384 at r = 4).
// Past that the stretch shrinks as r grows, to at most 4096 rows, and the panel widens to keep
// T's tile large; the column is cut into equal stretches, not full ones and a short rest.
//   * d = k = 4096, r = 64, kernel alone, 2 threads, interleaved: 19.9 ms with 4096-row
//     stretches, 15.9-16.3 ms with 1024 rows × 64 columns (with the 2 × 8 blocks of the time).
//   * d = 11008, k = 4096 (a 7B model's MLP, transposed), r = 2/4/8/16: 3.66/4.26/6.12/10.1
//     ms with stretches of 4096 rows and a rest, 3.20/3.76/6.01/10.1 ms with whole columns at
//     r = 2 and 4 and equal stretches at 8 and 16. d = k = 8192, r = 4: 7.29 -> 6.89 ms.
constexpr Index kStretchBytes = 512 << 10;  // packed B + TAt partial of one stretch
constexpr Index kTileBytes = 256 << 10;     // T's tile of one panel and stretch
constexpr Index kMaxStretchVectors = 4096 / W;

struct Blocking {
    Index stretch;  // row vectors per stretch
    Index panel;    // columns per panel
};

Blocking blockingFor(Index r, int J, Index vectors) {
    const Index bytesPerVector = static_cast<Index>(sizeof(float)) * W;
    const Index fits = std::max<Index>(16, kStretchBytes / (2 * bytesPerVector * r));
    Index stretch = vectors;
    if (vectors > fits) {
        const Index longest = std::min(fits, kMaxStretchVectors);
        const Index count = (vectors + longest - 1) / longest;
        stretch = (vectors + count - 1) / count;
    }
    const Index panel = std::max<Index>(1, kTileBytes / (bytesPerVector * stretch) / J) * J;
    return {stretch, panel};
}

// Packed d×r storage, ranks blocked by P (the last block may be narrower): the block of ranks
// [p0, p0 + width) starts at blockStart(p0) and holds, for each row vector v, `width` runs of
// W lanes: element (i, p) sits at blockStart(p0) + ((i / W)·width + p − p0)·W + i % W.
struct PackedLayout {
    Index vectors;  // ⌈d / W⌉
    Index r;

    Index blockStart(Index p0) const { return p0 * vectors * W; }
    Index size() const { return vectors * W * r; }
};

// The micro-kernel: P ranks × J columns of T over row vectors [v0, v1) (the last may be
// partial: `tail` valid rows, 0 = full). Bp and Cp point at this rank block's packed B and
// TAt partial; BtT gets the lane sums of P·J dot products. With `prefetch` > 0 it asks for T
// that many row vectors ahead of its loads (see planFor), and over its last `prefetch` row
// vectors for the first ones of the next call's columns: `next` (nextCols of them, the same
// ldT; null when there is no next call in this stream), so that the stream from memory does
// not stop and restart at each block of columns. Kernel alone, 2 threads, interleaved,
// 4096²: r = 2 1.36-1.41 against 1.42-1.51 ms, r = 4 1.18-1.21 against 1.23-1.26, r = 16
// 3.69-3.81 against 3.77-3.85; with the next call's lines not asked for, the same as before.
// With prefetch == kAskNextColumns (AVX2 builds) it asks instead, on every row vector, for the
// same row vector of those of next's columns whose bits are set in nextCols (see planFor).
//
// Each instance starts on a 64-byte boundary. On Zen 5 the same machine code ran at very
// different speeds depending on where the linker placed it: the 4 × 6 kernel at 4096², r = 16
// (2 threads, two identical copies in one harness binary, interleaved) took 3.6-3.9 ms when
// the function started at 0 mod 64 and 4.7-6.2 ms at 16 or 48 mod 64, flipping from build to
// build as unrelated code moved. Aligned, the copies agreed in every build tried.
constexpr Index kAskNextColumns = -1;  // microKernel's `prefetch`: see above

template <int P, int J, bool WithC, bool ARegisters>
__attribute__((aligned(64))) void microKernel(const float* T, Index ldT, const float* Bp,
                                              float* Cp, const float* A, Index ldA, float* BtT,
                                              Index ldBtT, Index v0, Index v1, int tail,
                                              Index prefetch, const float* next, int nextCols) {
    using V = Simd::V;
    // A's P·J values: broadcast once into registers when the plan asks for it (ARegisters) and
    // they fit beside the accumulators and T's vectors; else read as broadcasts from a small
    // array, which AVX-512 folds into the FMAs as {1to16} operands. The empty asm makes the
    // array's address opaque on each row vector, so that the compiler cannot hoist the
    // broadcasts into registers (4 × 6: 24 of them, and there are none left). With B in a
    // register too, 4 × 6 needs 33: GCC keeps two accumulators on the stack (a load, FMA and
    // store each per row vector). B as the FMAs' memory operand removed those spills and
    // changed nothing (4096², r = 16 and 4, three padded builds each, interleaved: ratios to
    // the library 0.99-1.01 both ways).
    constexpr bool kARegisters = ARegisters && P * J <= 12;
    constexpr bool kBRegister = kARegisters && W == 8;  // AVX2 (see body below)
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
    // With A in registers on AVX2 (kBRegister), B's vector for a rank is loaded once into a
    // register wherever the loop asks for it (bRegister): the empty asm makes the value
    // opaque, so that GCC cannot fold the load into each of the J FMAs instead. Otherwise GCC
    // uses B as the memory operand of every FMA that needs it, 11 loads a row vector for 2 × 3
    // where 7 do (called on its own, the kernel then keeps one of A's 6 broadcasts on the
    // stack; inlined into rankBlocks, without the prefetching loops, nothing spills). Zen 3,
    // kernel alone, interleaved, the same bits: 2 threads, 1024², r = 8/16/32 4.4/5.1/1.8 %
    // faster, 512² and 256², r = 16 5 %, 256², r = 4 1 % slower; one thread, 1024², r = 16
    // 847 -> 803 µs; 4096² (T from memory) within the noise. The loop that asks for the next
    // columns (r ≤ 4, streaming) keeps the memory operands: there the register was 1-2 %
    // slower (4096², r = 2 and 4, faster in 3 of 16 rounds).
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
                    // Two chains of J/2 FMAs and an add instead of one chain of J: with 4 ranks
                    // the 4 chains of 6 dependent FMAs (24 cycles) were as long as the row
                    // vector's whole FMA issue time, leaving nothing to overlap them. The add
                    // runs on a port the FMAs do not use. 4 × 6 blocks at d = k = 4096, two
                    // threads, kernel alone: r = 16 3.45 -> 3.38 ms, r = 64 14.5 -> 13.6 ms,
                    // r = 4 1.17 -> 1.20 ms.
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
#if !defined(__AVX512F__)
    if (prefetch == kAskNextColumns) {
        for (; v0 < full; ++v0) {
            V t[J];
            for (int j = 0; j < J; ++j) {
                if ((nextCols >> j) & 1) Simd::prefetch(next + j * ldT + v0 * W);
                t[j] = Simd::load(T + j * ldT + v0 * W);
            }
            body(v0, t, std::false_type{});
        }
        prefetch = 0;  // only the tail is left, below
        next = nullptr;
    }
#endif
    const Index prefetchEnd = prefetch > 0 ? std::max(v0, full - prefetch) : v0;
    for (Index v = v0; v < prefetchEnd; ++v) {
        V t[J];
        for (int j = 0; j < J; ++j) {
            Simd::prefetch(T + j * ldT + (v + prefetch) * W);
            t[j] = Simd::load(T + j * ldT + v * W);
        }
        body(v, t, std::true_type{});
    }
    Index v = prefetchEnd;
    if (next != nullptr && prefetch > 0) {  // (a loop of its own: the plain one stays branch-free)
        for (; v < full; ++v) {
            V t[J];
            for (int j = 0; j < J; ++j) {
                if (j < nextCols) Simd::prefetch(next + j * ldT + (v + prefetch - full) * W);
                t[j] = Simd::load(T + j * ldT + v * W);
            }
            body(v, t, std::true_type{});
        }
    }
    for (; v < full; ++v) {
        V t[J];
        for (int j = 0; j < J; ++j) t[j] = Simd::load(T + j * ldT + v * W);
        body(v, t, std::true_type{});
    }
    if (tail != 0) {
        V t[J];
        for (int j = 0; j < J; ++j) t[j] = Simd::loadFirst(T + j * ldT + full * W, tail);
        body(full, t, std::true_type{});
    }
#if defined(__AVX512F__)
    if constexpr (P * J >= 6) {  // 16 lane sums at a time (a last, partial group pads with zeros)
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
#endif
    for (int p = 0; p < P; ++p)
        for (int j = 0; j < J; ++j) BtT[p + j * ldBtT] += Simd::sum(acc[p][j]);
}

using MicroKernel = void (*)(const float*, Index, const float*, float*, const float*, Index,
                             float*, Index, Index, Index, int, Index, const float*, int);

// `blocks` blocks of P ranks over the same J columns and row vectors, one after the other, in
// one call: microKernel for ranks [b·P, b·P + P) with Bp and Cp `blockStride` floats further on
// for each b (PackedLayout), A and BtT P rows further; no prefetching. `flatten` inlines the
// kernel into the loop. A call per block cost about 15 ns (45-50 cycles) on Zen 3, measured as
// the kernel's time at equal work and equal numbers of row vectors against the number of
// calls (one thread, r = 16: 64 × 1024 89 µs, 256² 60 µs, 512 × 128 58 µs), 17 % at 256².
// Kernel alone, interleaved, the same bits: one thread 256², r = 16 57.5 -> 51.1 µs, 64 × 1024
// 89.4 -> 60.1; two threads 256², r = 4/8/16/64 14.0/16.5/30.8/132.5 -> 11.7/14.6/27.5/116.5
// µs, 1024², r = 4/16/64 123/424/1952 -> 119/399/1788 µs, 2048², r = 8 1.29 -> 1.14 ms,
// 4096², r = 16 9.25 -> 8.96 ms (faster in 4 of 5 rounds). AVX2 builds only: the AVX-512
// kernels keep a call per block, as they were measured (on Zen 5 their speed depended on where
// each function started, and this has not run there).
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

// Register blocking (AVX-512, 32 registers): blocks of 1, 2 or 4 ranks × 3 to 8 columns, by
// where T comes from. AVX2 (16 registers, and no broadcast folded into an FMA): 2 × 3 with
// A's 6 values in registers (6 accumulators + 6 broadcasts + 3 T vectors + B's vector, see
// microKernel), 1 × 4 at r = 1. 2 × 4 kept A's 8 broadcasts in registers too and spilled 5
// of them, 19 loads for 16 FMAs a row vector. Kernel alone,
// Zen 3 (2 vCPUs, 512 KiB L2, 32 MiB L3 shared), interleaved, 2 × 4 against 2 × 3: one
// thread 256², r = 16 79 against 69 µs; 1024², r = 4 300 against 261 µs, r = 16 1.34-1.65
// against 0.93-1.46 ms; two threads 1024², r = 2 77 against 62 µs, r = 4 201 against 153;
// 4096², r = 16 12.8-13.4 against 12.2-12.4 ms (both before B's register). 2 × 2, 3 × 2,
// 4 × 2, 3 × 3, 1 × 6 and 1 × 8 (A from memory) were slower. When T streams from memory and
// one or two blocks take every rank (r = 2-4), the first block would wait for memory while the
// second runs from L2 with memory idle: every block asks for some of the next block's columns
// at the rows it reads (kAskNextColumns), so that memory works during both. 4096², two
// threads: r = 2 1.50 against 1.80 ms, r = 4 2.40 against 2.62 (3.87 against 4.81 in a slow
// minute); r = 8 and 16 lost 4-5 %, and 2048² (T in L3) r = 4 lost 19 %.
//   * 2 × 6: 12 accumulators + 6 T vectors + 12 broadcasts, nothing spills. 2 × 8 spilled ten
//     of A's broadcasts, 22 loads for 32 FMAs a row vector; 2 × 6 measured 20-27 % faster
//     (one thread, 256² and 1024², r = 4 and 16). With A's values read from memory as for
//     4 × 6 (no spills), 2 × 8 was 4-17 % faster at 512²-1024², r = 3-4, but 7-9 % slower at
//     256², r = 4 and 16, and at 1024², r = 64: not taken. In L1 it issues an FMA on 90-98 %
//     of cycles (Zen 5, aligned data).
//   * Each block of ranks reads the J columns' stretch of T again. When that tile (J columns ×
//     the stretch) stays in L1 (24 KiB: d ≤ 1024, or r = 64 with its short stretches), 2 × 6
//     is fastest. When it does not, the later blocks read it from L2, and 4 × 6 halves those
//     passes (24 accumulators + 6 T vectors; A's values come from memory, see microKernel).
//     Kernel alone, 2 threads, interleaved, 2 × 6 everywhere against this plan (4 × 6 from
//     r = 3, and the prefetch below at 4096): 4096², r = 2/3/4/8/16: 1.10/1.38/1.41/2.09/3.60
//     against 0.98/1.08/1.20/1.94/3.38 ms; 2048², r = 4/16: 295/864 against 266/781 µs. At
//     1024², r = 16, 4 × 6 would take 245 µs against 227 (Cooperlake). On Zen 5 (48 KiB L1)
//     tiles for L1 at 2048-4096 (2 × 6 or 4 × 6 on shorter stretches) were slower still:
//     4096², r = 16, 2 threads, 4.1-4.9 ms against 3.6-3.8.
//   * T larger than a thread's L2 but not than the caches comes from L3, about 25 bytes a cycle
//     per core. The first block of ranks is the one that brings it in: a 2 × 6 block wants 6
//     lines every 12 cycles, more than that, and runs at L3's pace while the later blocks
//     re-read the tile from L1 with L3 idle. When one block can take every rank (r = 3, 4) and
//     B and the TAt partial stay in L1 beside it (2·d·r floats ≤ kSmallFactorBytes), a 4 × 3
//     block with A in registers reads T once, 3 lines every 12 cycles, which L3 sustains.
//     Kernel alone, 2 threads, interleaved, Zen 5: 1024², r = 3 0.042 against 0.050 ms, r = 4
//     0.052 against 0.059 (one thread 0.091 against 0.108). Where B and the partial spill to
//     L2 it loses (2048², r = 4: 0.30 against 0.22 ms), and where T sits in L2 it gains
//     nothing (512², r = 4: 14.8 against 15.1 µs; 256², one thread: 6.8 against 5.9 µs).
//   * At r = 1 the kernel only streams T (16 FMAs a row vector at J = 8). From L3, 4 columns
//     at a time are faster than 8 (Zen 5, 2 threads: 1024² 30-33 against 34-36 µs, 2048²
//     0.136 against 0.146 ms); from memory, 8 columns keep more lines in flight (4096²: 1.07
//     against 1.31 ms with 4).
//   * T that does not fit in the caches (≥ 32 MiB) streams from memory during the first block
//     of ranks. With 24-48 FMAs per row vector the hardware prefetchers alone leave it
//     waiting for memory; asking for T 16 row vectors (1 KiB a column) ahead took 4096², r = 4
//     from 1.39 to 1.13 ms (4 × 6) and r = 2 from 1.09 to 0.98 ms. At r = 1, where the kernel
//     is bound by memory anyway, it cost 5-10 %; at 1024² (T in cache) 5-10 % as well. On
//     Zen 5 every other software prefetch tried lost, or won only in some minutes: the next
//     block's columns asked for during the current one's later blocks (4096², r = 16, every
//     line, hint T1; T0 and T2 alike) 2-4 % faster while memory was fast and 4-10 % slower
//     while it was slow, every 4th-16th line 4-12 % slower; the next 4 or 8 columns at r = 1
//     (1024²: 39 against 36 µs; 2048²: 0.20 against 0.15 ms); at r = 1 down the spread
//     columns, 16 row vectors ahead, 0-13 % slower in the bench.
//   * A thread's share of T of 14 MiB or more, though T as a whole is under 32 MiB, comes in
//     part from memory too (the L3 is 32 MiB a CCD here, shared with the neighbours' work), and
//     the same prefetch pays there. Kernel alone, interleaved, time with it / without: one
//     thread, 2048² (16 MiB), r = 2/4/8/16/32: 0.84/0.87/0.81/0.90/0.94, 4096 × 1024 r = 4/16
//     0.87-0.88/0.91; two threads, 4096 × 2000 (15.6 MiB each) r = 4 0.83, 4096 × 1792 (14 MiB
//     each) r = 2/4/8/16/32 0.97/0.97/0.85/0.96/0.97. Below that it does not (8-10 MiB a
//     thread, r = 4: 1.02-1.06 on two threads, 1.02-1.03 on one), though r = 16 gains a
//     little there. r = 64 runs the L1-tile plan, prefetched where T streams (see planFor).
//   * Streaming at r = 2 (one 2 × 6 block, 24 FMAs a row vector: memory is the limit), A's
//     values come from memory too. With them in registers the same machine code took 0.9 or
//     1.3-1.5 ms at 4096² (2 threads) by where the linker happened to place it: six builds
//     shifted by padding, 0.99-1.47 ms in registers against 0.98-1.04 from memory (harness,
//     interleaved); 8192² 4.7 against 5.6 ms, 11008 × 4096 3.1 against 3.5. In cache the
//     registers win (1024², r = 16: 10 %; 256²: 20 %), so only the streaming plan asks.
struct Plan {
    int P;            // ranks per block
    int J;            // columns per micro-kernel call
    Index prefetch;   // row vectors ahead, 0 = none (first block of ranks only)
    Blocking blocking;
    bool aRegisters = true;  // A's values in registers where P·J allows (see microKernel)
    bool askNextColumns = false;  // whole columns: each block of ranks asks for some of the
                                  // next call's columns (kAskNextColumns; AVX2 only)
};

constexpr Index kL1TileBytes = 24 << 10;
// Zen 5's L2 a core: the size the plans' thresholds (fromL3 below) were measured with, kept
// as such on other machines; machineL2Bytes() reads the actual one where a rule needs it.
constexpr Index kL2Bytes = Index(1) << 20;
constexpr Index kSmallFactorBytes = 32 << 10;      // packed B + TAt partial that stay in L1
constexpr Index kStreamingBytes = Index(32) << 20;
constexpr Index kPrefetchShareBytes = Index(14) << 20;  // a thread's share of T
constexpr Index kPrefetchVectors = 16;

#if defined(__AVX512F__)
// This core's L2 as the C library reads it from the CPU (glibc: cpuid), else kL2Bytes. Read
// once: under a hypervisor each cpuid is a trip to it.
Index machineL2Bytes() {
    static const Index bytes = [] {
        long b = -1;
#if defined(_SC_LEVEL2_CACHE_SIZE)
        b = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
        return b > 0 ? static_cast<Index>(b) : kL2Bytes;
    }();
    return bytes;
}

// Whether T that does not fit in L2 comes from an L3 that one core reads about as slowly as
// memory. Measured so on an Intel Xeon VM (2026-12-07; 2 MiB L2 a core, a mesh L3 shared with
// the host's other tenants): one thread's read stream gave 28-30 GB/s at 4, 16 and 64 MiB
// alike, against 146-164 within L2. There, at r = 2-4, the software prefetch that pays from
// memory pays from L3 as well. Kernel alone, interleaved in one process, time with it /
// without: two threads, 1024², r = 2/3/4 0.92/0.89/0.89, 1536², r = 4 0.95, 2048², r = 2/4
// 0.97/0.95; one thread, 1024², r = 2/3/4 0.98/0.99/0.88. Not at r = 1 (1024²: 1.02), nor at
// r ≥ 5 (1024², r = 5-64: 0.99-1.01), nor where T fits in L2 beside B and the partial (768²,
// two threads: 1.01). Built in, against the previous build, alternating: 1024², r = 4 72-74
// -> 67-68 µs, r = 2 46 -> 40-43 µs, 2048², r = 4 339-340 -> 326-333 µs. On Zen 5 a prefetch
// from its L3 lost (8-10 MiB a thread, r = 4: 2-6 % slower, see above): AMD keeps the rule
// by size alone.
bool slowL3() {
    static const bool slow = __builtin_cpu_is("intel");
    return slow;
}
#endif

Plan planFor(Index d, Index k, Index r, int threads) {
    const Index vectors = (d + W - 1) / W;
#if defined(__AVX512F__)
    const Index bytesOfT = d * k * static_cast<Index>(sizeof(float));
    const Index share = bytesOfT / threads;
    const bool streams = bytesOfT >= kStreamingBytes;
    const bool fromL3 = !streams && share > kL2Bytes;
    if (r == 1) {
        const int J = streams ? 8 : 4;
        return {1, J, 0, blockingFor(r, J, vectors)};
    }
    const Index factorBytes = 2 * vectors * W * r * static_cast<Index>(sizeof(float));
    const bool prefetchFromL3 =
        r <= 4 && !streams && share + factorBytes > machineL2Bytes() && slowL3();
    const Index l3Prefetch = prefetchFromL3 ? kPrefetchVectors : 0;
    if (fromL3 && r >= 3 && r <= 4 && factorBytes <= kSmallFactorBytes)
        return {static_cast<int>(r), 3, l3Prefetch, blockingFor(r, 3, vectors)};
    constexpr int J = 6;
    const Blocking blocking = blockingFor(r, J, vectors);
    const Index tileBytes = J * blocking.stretch * W * static_cast<Index>(sizeof(float));
    const Index prefetch =
        streams || share >= kPrefetchShareBytes ? kPrefetchVectors : l3Prefetch;
    // The short stretches of r ≥ 48 at 4096 rows keep the tile in L1 and T still streams from
    // memory: prefetched like the rest (Intel VM, kernel alone, interleaved, with / without:
    // two threads, 4096², r = 48/64/128 0.96/0.94-0.97/0.98, 3000², r = 64 0.96, 8192 × 4096,
    // r = 64 0.99; one thread 4096², r = 64 0.97, 2048², r = 64 0.99). At r ≤ 4, which this
    // plan takes only for d ≤ 1024, it keeps the rule it was measured with: a prefetch only
    // from a slow L3.
    if (tileBytes <= kL1TileBytes) return {2, J, r > 4 ? prefetch : l3Prefetch, blocking};
    if (r == 2) return {2, J, prefetch, blocking, !streams};
    return {4, J, prefetch, blocking};
#else
    (void)threads;
    if (r == 1) return {1, 4, 0, blockingFor(r, 4, vectors)};
    Plan plan{2, 3, 0, blockingFor(r, 3, vectors)};
    plan.askNextColumns = d * k * static_cast<Index>(sizeof(float)) >= kStreamingBytes &&
                          r <= 4 && plan.blocking.stretch == vectors;
    return plan;
#endif
}

template <int P, int J, bool WithC, bool ARegisters, bool Blocks>
auto kernelOf() {
    if constexpr (Blocks) return &rankBlocks<P, J, WithC, ARegisters>;
    else return &microKernel<P, J, WithC, ARegisters>;
}

// The micro-kernel of a P × J block, or with Blocks its loop over blocks of ranks.
template <bool WithC, bool Blocks = false>
std::conditional_t<Blocks, RankBlocks, MicroKernel> pickKernel(int P, int J, bool aRegisters) {
    // Each shape whose P·J values fit in registers comes in both kinds; the others read A
    // from memory either way.
#define LORALAB_K(p, j)                                                   \
    if (P == p && J == j)                                                 \
        return aRegisters ? kernelOf<p, j, WithC, (p * j <= 12), Blocks>() \
                          : kernelOf<p, j, WithC, false, Blocks>();
    // P is the plan's, or fewer for the last block of ranks; J is the plan's, or fewer for the
    // last columns of a panel.
    LORALAB_K(1, 1) LORALAB_K(2, 1) LORALAB_K(1, 2) LORALAB_K(2, 2) LORALAB_K(1, 3)
    LORALAB_K(2, 3) LORALAB_K(1, 4) LORALAB_K(2, 4)
#if defined(__AVX512F__)
    LORALAB_K(1, 5) LORALAB_K(2, 5) LORALAB_K(1, 6) LORALAB_K(2, 6) LORALAB_K(1, 7)
    LORALAB_K(1, 8) LORALAB_K(3, 1) LORALAB_K(3, 2) LORALAB_K(3, 3) LORALAB_K(3, 4)
    LORALAB_K(3, 5) LORALAB_K(3, 6) LORALAB_K(4, 1) LORALAB_K(4, 2) LORALAB_K(4, 3)
    LORALAB_K(4, 4) LORALAB_K(4, 5) LORALAB_K(4, 6)
#endif
#undef LORALAB_K
    return nullptr;
}

// B packed as PackedLayout with blocks of P ranks, a vector at a time; rows past d are zeros,
// so a partial last vector adds nothing. Each thread of the team packs a copy of its own, on
// its own pages, at the start of its share: when the caller packed one copy for all before the
// fork, its core held every line of it modified while the other core read it on each J-column
// block, and that core's pass ran slower. Kernel alone, 2 threads, TSC inside: 1024², r = 1,
// the pass of the thread that had packed 34 µs, of the other 30 µs; each packing its own, both
// 29-30 µs (the packing included), whole call 36 -> 32 µs; r = 4: 75 -> 63 µs.
void packB(const Matrix& B, int P, const PackedLayout& layout, float* out) {
    const Index d = B.rows(), r = B.cols(), fullVectors = d / W;
    const int tail = static_cast<int>(d % W);
    for (Index p0 = 0; p0 < r; p0 += P) {
        const Index width = std::min<Index>(P, r - p0);
        float* block = out + layout.blockStart(p0);
        for (Index p = 0; p < width; ++p) {
            const float* src = B.col(p0 + p).data();
            float* dst = block + p * W;
            for (Index v = 0; v < fullVectors; ++v)
                Simd::store(dst + v * width * W, Simd::load(src + v * W));
            if (tail != 0)
                Simd::store(dst + fullVectors * width * W,
                            Simd::loadFirst(src + fullVectors * W, tail));
        }
    }
}

}  // namespace

void ThinProducts::computeSimd(const Matrix& T, const Matrix& B, const Matrix& A, Matrix& TAt,
                               Matrix& BtT, bool withTAt, int threads, TeamWork* work) {
    const Index d = T.rows(), k = T.cols(), r = A.rows();
    const Plan plan = planFor(d, k, r, threads);
    const PackedLayout layout{(d + W - 1) / W, r};
    const Blocking& blocking = plan.blocking;
    const int tail = static_cast<int>(d % W);

    // Scratch space for the team: each thread packs its own copy of B and sums its own TAt
    // partial (see packB).
    if (static_cast<int>(m_packedB.size()) < threads) m_packedB.resize(threads);
    if (static_cast<int>(m_parts.size()) < threads) m_parts.resize(threads);
    for (int t = 0; t < threads; ++t) {
        m_packedB[t].resize(static_cast<std::size_t>(layout.size()));
        if (withTAt) m_parts[t].resize(static_cast<std::size_t>(layout.size()));
    }

    auto body = [&](int t, int n) {
        const float* packedB = m_packedB[t].data();
        packB(B, plan.P, layout, m_packedB[t].data());
        float* C = withTAt ? m_parts[t].data() : nullptr;
        if (withTAt) std::fill(m_parts[t].begin(), m_parts[t].end(), 0.0f);
        const auto [j0, j1] = share(k, t, n, plan.J);
        BtT.middleCols(j0, j1 - j0).setZero();
        // r = 1 down whole columns: each call takes J columns spread evenly over the thread's
        // share (m apart, m = its width / J), so that the J streams run on through the share
        // instead of stopping after one column. Kernel alone, 2 threads, interleaved with
        // neighbouring columns: 512² 5.7 against 7.0 µs, 1024² 25.5-25.9 against 27.7-28.4,
        // 1000 × 1100 29.1 against 32.5, 2048² 0.109 against 0.113 ms, 4096² 0.69-0.80
        // against 0.71-0.85; one thread, 1024²: 48.5 against 53.2 µs. The same for the one
        // block of r = 2-4 streaming from memory (next call's columns prefetched) ran 3-9 %
        // faster in the harness at 4096² and 11008 × 4096 but no faster in alternating bench
        // runs (4096², r = 4: 1.26-1.55 against 1.29-1.49 ms): not taken.
        Index rest = j0;  // the columns the blocked loops below take
        if (r == 1 && plan.P == 1 && blocking.stretch == layout.vectors) {
            const Index m = (j1 - j0) / plan.J;
            const MicroKernel kernel = withTAt ? pickKernel<true>(1, plan.J, plan.aRegisters)
                                               : pickKernel<false>(1, plan.J, plan.aRegisters);
            for (Index c = 0; c < m; ++c)
                kernel(T.data() + (j0 + c) * d, d * m, packedB, C, A.data() + j0 + c, m,
                       BtT.data() + j0 + c, m, 0, layout.vectors, tail, 0, nullptr, 0);
            rest = j0 + plan.J * m;
        }
        for (Index pj = rest; pj < j1; pj += blocking.panel) {
            const Index pe = std::min(j1, pj + blocking.panel);
            for (Index v0 = 0; v0 < layout.vectors; v0 += blocking.stretch) {
                const Index v1 = std::min(layout.vectors, v0 + blocking.stretch);
                const int stretchTail = v1 == layout.vectors ? tail : 0;
                for (Index j = pj; j < pe;) {
                    const int J = static_cast<int>(std::min<Index>(plan.J, pe - j));
                    // The block of columns after this one in the stream: the next in the panel
                    // (same rows), or, down whole columns, the next panel's first.
                    const float* next = nullptr;
                    int nextCols = 0;
                    const Index nj = j + J;
                    const Index streamEnd = blocking.stretch == layout.vectors ? j1 : pe;
                    if (plan.prefetch > 0 && nj < streamEnd) {
                        next = T.data() + nj * d + v0 * W;
                        nextCols = static_cast<int>(std::min<Index>(plan.J, streamEnd - nj));
                    }
                    // Without prefetching, every full block of ranks in one call (see
                    // rankBlocks); the rest, a call per block.
                    Index p0 = 0;
#if !defined(__AVX512F__)
                    if (plan.prefetch == 0 && !plan.askNextColumns && r >= plan.P) {
                        const int blocks = static_cast<int>(r / plan.P);
                        const RankBlocks run =
                            withTAt ? pickKernel<true, true>(plan.P, J, plan.aRegisters)
                                    : pickKernel<false, true>(plan.P, J, plan.aRegisters);
                        run(T.data() + j * d, d, packedB, C, A.data() + j * r, r,
                            BtT.data() + j * r, r, v0, v1, stretchTail, blocks,
                            layout.blockStart(plan.P));
                        p0 = blocks * plan.P;
                    }
#endif
                    for (; p0 < r; p0 += plan.P) {
                        const int P = static_cast<int>(std::min<Index>(plan.P, r - p0));
                        const MicroKernel kernel =
                            withTAt ? pickKernel<true>(P, J, plan.aRegisters)
                                    : pickKernel<false>(P, J, plan.aRegisters);
                        Index prefetch = p0 == 0 ? plan.prefetch : 0;
                        const float* ask = next;
                        int askCols = nextCols;
                        if (plan.askNextColumns) {
                            // Block q of the nb blocks of ranks asks for the next call's
                            // columns c with c % nb == q (all of them when nb = 1).
                            const Index nb = (r + plan.P - 1) / plan.P, q = p0 / plan.P;
                            askCols = 0;
                            for (Index c = 0; c < std::min<Index>(plan.J, j1 - nj); ++c)
                                if (c % nb == q) askCols |= 1 << c;
                            prefetch = askCols != 0 ? kAskNextColumns : 0;
                            ask = askCols != 0 ? T.data() + nj * d : nullptr;
                        }
                        kernel(T.data() + j * d, d, packedB + layout.blockStart(p0),
                               withTAt ? C + layout.blockStart(p0) : nullptr,
                               A.data() + p0 + j * r, r, BtT.data() + p0 + j * r, r, v0, v1,
                               stretchTail, prefetch, ask, askCols);
                    }
                    j += J;
                }
            }
        }
        const auto [vb, ve] = share(layout.vectors, t, n, 1);
        const TeamWork::Range cols{j0, j1}, rows{std::min(d, vb * W), std::min(d, ve * W)};
        if (work != nullptr) work->partial(t, n, cols, rows);
        if (!withTAt) return;
        // Unpack and sum the partials, each thread a share of the row vectors, once every
        // thread's partial is complete.
        teamBarrier(n);
        for (Index p0 = 0; p0 < r; p0 += plan.P) {
            const Index width = std::min<Index>(plan.P, r - p0);
            for (Index v = vb; v < ve; ++v)
                for (Index p = 0; p < width; ++p) {
                    const Index o = layout.blockStart(p0) + (v * width + p) * W;
                    float* dst = TAt.col(p0 + p).data() + v * W;
                    if (v * W + W <= d) {
                        Simd::V sum = Simd::load(m_parts[0].data() + o);
                        for (int u = 1; u < n; ++u)
                            sum = Simd::add(sum, Simd::load(m_parts[u].data() + o));
                        Simd::store(dst, sum);
                    } else {
                        for (Index l = 0; l < d - v * W; ++l) {
                            float sum = m_parts[0][o + l];
                            for (int u = 1; u < n; ++u) sum += m_parts[u][o + l];
                            dst[l] = sum;
                        }
                    }
                }
        }
        if (work != nullptr) work->finish(t, n, cols, rows);
    };
    // The kernel itself starts no threads; the work after it may, or the caller may want
    // OpenMP's team (see TeamWork::onOpenMpTeam).
    if (work != nullptr && work->onOpenMpTeam()) onTeam(threads, body);
    else onSpinTeam(threads, body);
}

const char* ThinProducts::bestKernelName() { return kSimdName; }

#else  // no SIMD kernel in this build

void ThinProducts::computeSimd(const Matrix& T, const Matrix& B, const Matrix& A, Matrix& TAt,
                               Matrix& BtT, bool withTAt, int threads, TeamWork* work) {
    computeEigen(T, B, A, TAt, BtT, withTAt, threads, work);
}

const char* ThinProducts::bestKernelName() { return "eigen"; }

#endif

void ThinProducts::compute(const Matrix& T, const Matrix& B, const Matrix& A, Matrix& TAt,
                           Matrix& BtT, bool withTAt, int threads, Kernel kernel,
                           TeamWork* work) {
    const Index d = T.rows(), k = T.cols(), r = A.rows();
    if (!(B.rows() == d && B.cols() == r && A.cols() == k && r >= 1 && BtT.rows() == r &&
          BtT.cols() == k && (!withTAt || (TAt.rows() == d && TAt.cols() == r))))
        require(false, "ThinProducts",
                "shapes do not agree: need T d x k, B d x r, A r x k, TAt d x r, BtT r x k");
    if (threads < 1) require(false, "ThinProducts", "threads must be >= 1");
    if (kernel == Kernel::Eigen) computeEigen(T, B, A, TAt, BtT, withTAt, threads, work);
    else computeSimd(T, B, A, TAt, BtT, withTAt, threads, work);
}

// The portable path: each 256×32 tile of T serves both Eigen products while it is in cache;
// threads split the tile columns, each summing its own TAt part; after the team's barrier each
// thread adds up its share of TAt's rows (the same TeamWork protocol as the SIMD kernel).
void ThinProducts::computeEigen(const Matrix& T, const Matrix& B, const Matrix& A, Matrix& TAt,
                                Matrix& BtT, bool withTAt, int threads, TeamWork* work) {
    constexpr Index kTileRows = 256, kTileCols = 32;
    const Index d = T.rows(), k = T.cols(), r = A.rows();
    if (static_cast<int>(m_eigenParts.size()) < threads - 1) m_eigenParts.resize(threads - 1);
    if (withTAt)
        for (int t = 0; t + 1 < threads; ++t) m_eigenParts[t].resize(d, r);
    onTeam(threads, [&](int t, int n) {
        Matrix& acc = t == 0 ? TAt : m_eigenParts[t - 1];
        if (withTAt) acc.setZero();
        const auto [c0, c1] = share(k, t, n, kTileCols);
        for (Index j0 = c0; j0 < c1; j0 += kTileCols) {
            const Index w = std::min(kTileCols, c1 - j0);
            auto btt = BtT.middleCols(j0, w);
            btt.setZero();
            for (Index i0 = 0; i0 < d; i0 += kTileRows) {
                const Index h = std::min(kTileRows, d - i0);
                const auto tile = T.block(i0, j0, h, w);
                btt.noalias() += B.middleRows(i0, h).transpose() * tile;
                if (withTAt)
                    acc.middleRows(i0, h).noalias() += tile * A.middleCols(j0, w).transpose();
            }
        }
        const auto [i0, i1] = share(d, t, n, 1);
        if (work != nullptr) work->partial(t, n, {c0, c1}, {i0, i1});
        if (!withTAt) return;
        teamBarrier(n);
        for (int u = 1; u < n; ++u)
            TAt.middleRows(i0, i1 - i0) += m_eigenParts[u - 1].middleRows(i0, i1 - i0);
        if (work != nullptr) work->finish(t, n, {c0, c1}, {i0, i1});
    });
}

}  // namespace loralab
