// The fit objective: L = ‖s·B·A − T‖²_F / (d·k) and its gradients.
//
// Shapes:  T d×k   B d×r   A r×k   dB d×r   dA r×k
//
//   naive (the test oracle): R = s·B·A − T (forms d×k);  dB = (2s/dk)·R·Aᵀ;  dA = (2s/dk)·Bᵀ·R
//   Gram  (production): no d×k temporary, one pass over T, 4·d·k·r flops:
//       dB = (2s/dk)·(s·B(AAᵀ) − T·Aᵀ)
//       dA = (2s/dk)·(s·(BᵀB)A − Bᵀ·T)
//       L  = (‖T‖² − 2s·⟨BᵀT, A⟩ + s²·⟨BᵀB, AAᵀ⟩)/(dk), accumulated in double
//   Near an exact fit that difference of large numbers is float noise (~1e-7·‖T‖²/(dk)), so
//   below kExactBelow·‖T‖²/(dk) the loss is measured again from the residual itself, a block
//   at a time (core/README.md, "The Gram-form objective").
#pragma once

#include "loralab/types.h"

#include <memory>

namespace loralab {

// ---- naive reference ---------------------------------------------------------------------------

double lossNaive(const Matrix& T, const Matrix& B, const Matrix& A, double s);
// Returns the loss; writes dB (d×r) and dA (r×k), resizing them.
double lossGradNaive(const Matrix& T, const Matrix& B, const Matrix& A, double s, Matrix& dB,
                     Matrix& dA);

// ---- Gram form (production) --------------------------------------------------------------------

// Holds ‖T‖² and its workspaces, so that evaluate() allocates nothing once shapes and thread
// count are fixed. The target must outlive the objective and must not change behind its back
// (call setTarget again if it does).
class GramObjective {
public:
    static constexpr double kExactBelow = 1e-3;

    GramObjective();
    explicit GramObjective(const Matrix& T, int threads = 0);
    GramObjective(const GramObjective& other);
    GramObjective& operator=(const GramObjective& other);
    GramObjective(GramObjective&&) noexcept;
    GramObjective& operator=(GramObjective&&) noexcept;
    ~GramObjective();

    void setTarget(const Matrix& T);  // caches ‖T‖²_F in double
    const Matrix& target() const { return *m_T; }
    double targetNormSq() const { return m_normT2; }
    // Threads for the evaluations (0 = all cores); small problems use fewer (core/README.md).
    void setThreads(int threads);
    int threads() const { return m_threads; }

    // The loss at (B, A), and with dB and dA given, its gradients (resized if needed: no
    // allocation when already d×r and r×k). Give both or neither; the loss is the same to the
    // bit either way. Throws std::invalid_argument on mismatched shapes.
    double evaluate(const Matrix& B, const Matrix& A, double s, Matrix* dB = nullptr,
                    Matrix* dA = nullptr);

private:
    struct Work;  // workspaces and the team's work (objective.cpp)
    void checkShapes(const Matrix& B, const Matrix& A) const;

    const Matrix* m_T = nullptr;
    double m_normT2 = 0.0;
    int m_threads = 1;
    std::unique_ptr<Work> m_work;
};

}  // namespace loralab
