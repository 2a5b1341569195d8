// The fit step's hot loop (internal to core/src): both thin products of the Gram objective in
// ONE pass over T.
//
//   TAt = T·Aᵀ   (d×r)        BtT = Bᵀ·T   (r×k)        T d×k, B d×r, A r×k, r small
//
// T is the only large operand and is read once; each stretch of it in cache feeds both
// products (library GEMMs are weakest on these skinny shapes and would read T twice). Threads
// split T's columns; each owns its BtT columns, packs its own copy of B and sums its own TAt
// partial, on pages of its own (page_buffer.h), so no core reads lines another writes. The
// micro-kernels (kernels/fit_kernel.inl) take P ranks × J columns down a stretch of rows; the
// plan (fit_plan.h) picks P, J, the blocking and the prefetching. The Eigen path, on tiles of
// T, is the portable oracle the tests compare against.
//
// Scratch space is kept between calls: once shapes and thread count repeat, compute()
// allocates nothing.
#pragma once

#include "fit_plan.h"
#include "page_buffer.h"
#include "loralab/types.h"

#include <utility>
#include <vector>

namespace loralab {

namespace detail {
struct KernelTable;
}

class ThinProducts {
public:
    enum class Kernel {
        Best,   // the SIMD kernels in use (loralab/isa.h), or the ones forceIsa() chose
        Eigen,  // Eigen's products on 256×32 tiles of T
    };

    // Work that runs on the pass's own threads, so that what follows needs no second fork and
    // each thread goes on with the data it has in cache. Each thread t of the n calls
    //   partial(t, n, cols, rows) after its share: BtT's columns [cols) are final, TAt not yet;
    //   finish(t, n, cols, rows) once every thread has called partial() and TAt's rows [rows)
    //       are final.
    // Over the team the column ranges cover [0, k) and the row ranges [0, d) without overlap.
    // Neither may throw. Without withTAt only partial() runs. The pass runs on the spinning
    // team (spin_team.h) unless onOpenMpTeam(): partial() or finish() may start threads, or the
    // caller's work around the pass runs on OpenMP's team (whose workers spin after a region,
    // and would share the cores with spinners started then).
    class TeamWork {
    public:
        using Range = std::pair<Index, Index>;
        virtual void partial(int t, int n, Range cols, Range rows) = 0;
        virtual void finish(int t, int n, Range cols, Range rows) = 0;
        virtual bool onOpenMpTeam() const = 0;

    protected:
        ~TeamWork() = default;
    };

    // TAt = T·Aᵀ (skipped without withTAt: the loss needs BtT alone) and BtT = Bᵀ·T. TAt and
    // BtT must already be d×r and r×k. threads >= 1 (1 runs inline). `work`, when given, runs
    // on the same team as described above. Throws std::invalid_argument on bad shapes.
    void compute(const Matrix& T, const Matrix& B, const Matrix& A, Matrix& TAt, Matrix& BtT,
                 bool withTAt, int threads, Kernel kernel = Kernel::Best,
                 TeamWork* work = nullptr);

    // Runs `isa`'s kernels from now on instead of the active ones (tests; throws if the CPU
    // cannot run them).
    void forceIsa(Isa isa);
    // The plan of the last SIMD pass.
    const FitPlan& lastPlan() const { return m_lastPlan; }

private:
    void computeEigen(const Matrix& T, const Matrix& B, const Matrix& A, Matrix& TAt,
                      Matrix& BtT, bool withTAt, int threads, TeamWork* work);
    void computeSimd(const Matrix& T, const Matrix& B, const Matrix& A, Matrix& TAt,
                     Matrix& BtT, bool withTAt, int threads, TeamWork* work);

    const detail::KernelTable* m_table = nullptr;  // null: the active kernels
    FitPlan m_lastPlan{};
    std::vector<PageFloats> m_packedB;  // per thread: B packed for the micro-kernels
    std::vector<PageFloats> m_parts;    // per thread: its TAt partial, packed the same way
    std::vector<const float*> m_partPointers;
    std::vector<Matrix> m_eigenParts;   // Eigen path: TAt partial per extra thread
};

}  // namespace loralab
