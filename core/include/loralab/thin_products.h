// The fit step's hot loop: both thin products of the Gram objective in ONE pass over T.
//
//   TAt = T·Aᵀ   (d×r)        BtT = Bᵀ·T   (r×k)        T d×k, B d×r, A r×k, r small
//
// T is the only large operand (64 MiB at d = k = 4096) and is read from memory once per step;
// each stretch of it that is in cache feeds both products. Library GEMMs are weakest on these
// skinny shapes (r = 1..64) and would read T twice, so the SIMD kernel is our own:
//
//   * threads split the columns of T; each owns its BtT columns and its own TAt partial
//     (summed at the end);
//   * a micro-kernel takes P ranks × J columns of T down a stretch of rows, in vector registers:
//       BtT[p, j] += Σ_i B[i, p]·T[i, j]   (P·J vector accumulators, summed across lanes once)
//       TAt[i, p] += Σ_j T[i, j]·A[p, j]   (A[p, j] broadcast, from a register or memory)
//     every T vector loaded feeds 2·P FMAs, every B/TAt vector J FMAs. P is 1, 2 or 4: 4 when
//     T's tile of J columns does not stay in L1, so that fewer blocks of ranks re-read it;
//   * a T too large for the caches is prefetched a little ahead of the kernel's loads;
//   * B and the TAt partials are packed as [row vector][P ranks][lanes], so the kernel reads
//     three streams (T's J columns, packed B, packed TAt) and never the power-of-two strides
//     of d×r matrices, which alias in the L1 cache; each thread packs its own B and has its
//     own partial, each buffer on pages of its own, so that no core reads lines another core
//     has written or is writing;
//   * the kernel is built for AVX-512 or AVX2+FMA, whichever the compiler targets
//     (LORALAB_NATIVE, on by default); otherwise the Eigen tiled path below runs.
//
// All scratch space is kept between calls: after the first call with given shapes and thread
// count, compute() allocates nothing.
#pragma once

#include "loralab/page_buffer.h"
#include "loralab/types.h"

#include <utility>
#include <vector>

namespace loralab {

class ThinProducts {
public:
    enum class Kernel {
        Best,   // the SIMD kernel when built, else Eigen
        Eigen,  // Eigen's products on 256×32 tiles of T (the portable path; tests run both)
    };

    // Work that runs on the kernel's own threads, so that what follows the pass over T needs
    // no second fork and each thread goes on with the data it has in cache. Each thread t of
    // the n that ran the pass calls
    //   partial(t, n, cols, rows) after its share of the pass: BtT's columns [cols.first,
    //       cols.second) are final (this thread made them), TAt is not yet;
    //   finish(t, n, cols, rows) once every thread has called partial() and TAt's rows
    //       [rows.first, rows.second) are final (this thread summed them).
    // Over the team the column ranges cover [0, k) and the row ranges [0, d), without overlap
    // (one thread: everything). Both must not throw. Without withTAt only partial() runs.
    //
    // The SIMD kernel runs on a team of persistent spinning threads (core/src/spin_team.h),
    // unless onOpenMpTeam(): then on an OpenMP team, inside which Eigen and the BLAS stay on
    // their own thread.
    class TeamWork {
    public:
        using Range = std::pair<Index, Index>;
        virtual void partial(int t, int n, Range cols, Range rows) = 0;
        virtual void finish(int t, int n, Range cols, Range rows) = 0;
        // True if the pass must run on an OpenMP team: partial() or finish() may call
        // something that starts threads of its own (an Eigen or BLAS product large enough to
        // fork), or the caller's work around the pass runs on OpenMP's team. libgomp's workers
        // spin for a while after each region, and a spinning-team region started then shares
        // the cores with them: the layer step's two passes, between BLAS products, took
        // 1.5-4 ms longer of 54 on the spinning team.
        virtual bool onOpenMpTeam() const = 0;

    protected:
        ~TeamWork() = default;
    };

    // TAt = T·Aᵀ (skipped when withTAt is false: the loss-only path needs BtT alone) and
    // BtT = Bᵀ·T. TAt and BtT must already be d×r and r×k. threads >= 1; the caller decides
    // (a team of that size runs the columns, see TeamWork; 1 runs inline). `work`, when given, runs
    // on the same team as described above.
    void compute(const Matrix& T, const Matrix& B, const Matrix& A, Matrix& TAt, Matrix& BtT,
                 bool withTAt, int threads, Kernel kernel = Kernel::Best,
                 TeamWork* work = nullptr);

    // "avx512", "avx2" or "eigen": the kernel Kernel::Best runs in this build.
    static const char* bestKernelName();

private:
    void computeEigen(const Matrix& T, const Matrix& B, const Matrix& A, Matrix& TAt,
                      Matrix& BtT, bool withTAt, int threads, TeamWork* work);
    void computeSimd(const Matrix& T, const Matrix& B, const Matrix& A, Matrix& TAt,
                     Matrix& BtT, bool withTAt, int threads, TeamWork* work);

    // Per thread, on pages of their own (page_buffer.h): B packed as [row vector][P][lanes]
    // per rank block, and the TAt partial, packed the same way. Every thread packs and reads
    // its own B and writes its own partial; no two share a page (page-aligned also suits the
    // kernel's whole-vector loads and stores).
    std::vector<PageFloats> m_packedB;
    std::vector<PageFloats> m_parts;
    std::vector<Matrix> m_eigenParts;   // Eigen path: TAt partial per extra thread
};

}  // namespace loralab
