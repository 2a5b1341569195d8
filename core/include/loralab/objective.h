// The fit objective: L = ‖s·B·A − T‖²_F / (d·k) and its gradients.
//
// Shapes:  T d×k   B d×r   A r×k   dB d×r   dA r×k
//
//   naive (the test oracle): R = s·B·A − T (forms d×k);  dB = (2s/dk)·R·Aᵀ;  dA = (2s/dk)·Bᵀ·R
//   Gram  (production): never forms a d×k temporary, one pass over T, 4·d·k·r flops:
//       dB = (2s/dk)·(s·B(AAᵀ) − T·Aᵀ)
//       dA = (2s/dk)·(s·(BᵀB)A − Bᵀ·T)
//       L  = (‖T‖² − 2s·⟨BᵀT, A⟩ + s²·⟨BᵀB, AAᵀ⟩)/(dk), accumulated in double (near the floor
//            this is a difference of large numbers)
//   The float products BᵀT carry a relative error of ~1e-7, so that difference cannot resolve
//   a loss below ~1e-7·‖T‖²/(dk). When the Gram loss falls under kExactBelow·‖T‖²/(dk), the
//   loss is re-measured from the residual itself, each entry in float and their squares summed
//   in double, a block of columns at a time (still no d×k temporary; 2·d·k·r more flops, only
//   near an exact fit). That resolves it to ~1e-13·‖T‖²/(dk), where float factors stop.
#pragma once

#include "loralab/thin_products.h"
#include "loralab/types.h"

#include <vector>

namespace loralab {

// ---- naive reference ---------------------------------------------------------------------------

double lossNaive(const Matrix& T, const Matrix& B, const Matrix& A, double s);
// Returns the loss; writes dB (d×r) and dA (r×k), resizing them.
double lossGradNaive(const Matrix& T, const Matrix& B, const Matrix& A, double s, Matrix& dB,
                     Matrix& dA);

// ---- Gram form (production) --------------------------------------------------------------------

// Holds ‖T‖² and preallocated r-sized workspaces so evaluate() allocates nothing once shapes
// are fixed. T·Aᵀ and Bᵀ·T come from one pass over T (thin_products.h); large problems run it
// on an OpenMP team of Eigen::nbThreads() threads. The target must outlive the objective and
// must not change behind its back (call setTarget again if it does).
class GramObjective {
public:
    static constexpr double kExactBelow = 1e-3;

    GramObjective() = default;
    explicit GramObjective(const Matrix& T) { setTarget(T); }

    void setTarget(const Matrix& T);  // caches ‖T‖²_F in double
    const Matrix& target() const { return *m_T; }
    double targetNormSq() const { return m_normT2; }

    // Loss at (B, A) and its gradients. dB and dA are resized if needed (no allocation when
    // already d×r and r×k). Throws std::invalid_argument on mismatched shapes.
    double evaluate(const Matrix& B, const Matrix& A, double s, Matrix& dB, Matrix& dA);

    // Loss only (no gradients), same Gram formula.
    double loss(const Matrix& B, const Matrix& A, double s);

private:
    class GradientWork;  // the Grams and gradients on the kernel's team (objective.cpp)

    void checkShapes(const Matrix& B, const Matrix& A) const;
    static bool gramsOnOwnTeam(int threads, const Matrix& B, const Matrix& A);
    void prepareTeam(int threads, Index r);  // m_team: r×r slots (no allocation once sized)
    void sumTeamGrams(int n, Matrix& AAt, Matrix& BtB) const;  // Σ of n threads' partials
    double teamCross() const;                                   // Σ of m_teamUsed threads'
    void gramsAndGradients(const Matrix& B, const Matrix& A, double s, Matrix* dB, Matrix* dA);
    double gramLoss(double s) const;  // from m_cross, m_BtB, m_AAt
    double exactLoss(const Matrix& B, const Matrix& A, double s);

    const Matrix* m_T = nullptr;
    double m_normT2 = 0.0;
    Matrix m_TAt;   // d×r   T·Aᵀ
    Matrix m_BtT;   // r×k   Bᵀ·T
    Matrix m_AAt;   // r×r
    Matrix m_BtB;   // r×r
    double m_cross = 0.0;  // ⟨BᵀT, A⟩ in double
    struct ThreadGrams {   // one per thread of the kernel's team (evaluate and loss)
        Matrix AAt, BtB;   // r×r partials over the thread's columns of A and rows of B
        Matrix AAtSum, BtBSum;  // the whole Grams, summed by this thread (thread 0: m_AAt, m_BtB)
        double cross = 0.0;     // ⟨BᵀT, A⟩ over the thread's columns
    };
    std::vector<ThreadGrams> m_team;
    int m_teamUsed = 1;
    ThinProducts m_thin;             // the one-pass kernel and its workspaces
    std::vector<float> m_packedB;    // exactLoss: B packed for the SIMD kernel
    std::vector<Matrix> m_blocks;    // exactLoss without it: one tile per thread
    std::vector<double> m_blockSums; // exactLoss: one partial sum per thread

    static constexpr Index kTileRows = 256;  // exactLoss walks the residual in tiles of at
    static constexpr Index kTileCols = 32;   // most these sizes (exactTileRows)
    static Index exactTileRows(Index r);
    // d·k·r from which the kernel runs on two threads. On the spinning team (core/src/
    // spin_team.h: a region costs about 1 µs and no system call), where it runs unless the
    // Grams are large enough for Eigen to fork (gramWork ≥ kEigenForkWork), two threads can
    // win from 2^16, but how much depends on how fast lines move between this VM's two cores,
    // which changes from minute to minute. Steps (evaluate + Adam, medians of 20,000), one
    // against two threads, minutes with fast moves: 128², r = 4 3.7 / 3.7 µs, 256², r = 4
    // 9.0 / 6.1, 256², r = 16 32.6 / 21.3, 512², r = 4 28.6 / 16.4; with slow ones (the
    // gradients a thread made take 5 µs to reach the other): 256², r = 4 8.8 / 12.0, 256²,
    // r = 8 16.3 / 18.8, 512², r = 2 19.8 / 18.1, 256², r = 16 31.3 / 31.3, 512², r = 4 27.9 /
    // 24.6. From 2^20 two threads never lost.
    static constexpr double kSpinParallelWork = 1 << 20;
    // On an OpenMP team a region costs about 3 µs (fork and join) plus 1.3 µs per barrier,
    // and libgomp's futex calls slow the next pass over T: at d·k·r = 2^20 (256² r = 16,
    // 512² r = 4) one thread measured faster there (34 against 44-49 µs at 256², r = 16; 23
    // against 26 µs for 512², r = 4's pass over T), from 2^22 two threads win.
    static constexpr double kParallelWork = 1 << 21;
    // ... unless T alone has 2^20 elements (4 MiB): it no longer fits in one core's L2, and two
    // threads' caches and their two streams from L3 win even at r = 1. 1024², r = 1, 2
    // threads, interleaved runs: step 46.8-48.4 against 48.1-49.6 µs on one.
    static constexpr double kParallelTargetElements = 1 << 20;
    static int teamSize(Index d, Index k, Index r);
    // Eigen 3.4 splits a GEMM over threads only from 2 × 50,000 multiply-adds (its
    // kMinTaskSize heuristic); the largest r-sized product here has r²·max(d, k).
    static constexpr double kEigenForkWork = 100000;
    // When the pass over T runs on one thread, the Gram halves get two threads of their own
    // from here on (measured: at 256², r = 16, where r²·d is 65,536, one thread saved 4 µs a
    // step); otherwise they run on the kernel's team.
    static constexpr double kGramTeamWork = kEigenForkWork;
    static_assert(kGramTeamWork <= kEigenForkWork, "Eigen must never fork outside the team");
    static double gramWork(Index d, Index k, Index r);  // r²·max(d, k)
    static double gramWork(const Matrix& B, const Matrix& A) {
        return gramWork(B.rows(), A.cols(), A.rows());
    }
};

}  // namespace loralab
