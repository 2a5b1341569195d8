// Products of a float target T (d×k) with tall double blocks, for the partial SVD (internal).
//
//   times(X, Y)    Y = T·X     X k×b, Y d×b
//   timesT(Y, Z)   Z = Tᵀ·Y    Y d×b, Z k×b
//   project(Q, W)  W = Qᵀ·T (l×k) for Q d×l with orthonormal columns; returns ‖T − Q·W‖²_F
//
// Float precision goes through the fit's one-pass kernel (thin_products.h: T as it is, the
// blocks rounded to float, no packed copy of T as a library GEMM makes), with errors near 1e-7
// of ‖T‖·‖X‖. Double precision converts T a tile at a time (never a whole
// double copy) and multiplies with Eigen on each thread of the core's team: errors near 1e-16,
// which singular values 1e-7 of the largest (a float-rounded low-rank target) need. project()
// is always double, and it sums the residual's squares per tile and then per thread in a fixed
// order, so its result is the same for a given thread count.
//
// The products run on `threads` threads whatever the calling thread's OpenMP setting, so that
// the solver can keep everything else (small Eigen products on its bases, which would each
// fork a team) on one thread: see ThreadCount.
#pragma once

#include "thin_products.h"
#include "loralab/types.h"

namespace loralab::detail {

// Sets the calling thread's OpenMP thread count (what Eigen's products and the BLAS fork to;
// other threads keep theirs) for the scope's lifetime.
class ThreadCount {
public:
    explicit ThreadCount(int threads);
    ~ThreadCount();
    ThreadCount(const ThreadCount&) = delete;
    ThreadCount& operator=(const ThreadCount&) = delete;

private:
    int m_saved;
};

class TargetProducts {
public:
    TargetProducts(const Matrix& T, bool exact, int threads)
        : m_T(T), m_exact(exact), m_threads(threads) {}

    void times(const MatrixD& X, MatrixD& Y);
    void timesT(const MatrixD& Y, MatrixD& Z);
    double project(const MatrixD& Q, MatrixD& W) const;
    bool exact() const { return m_exact; }

private:
    int teamFor(double work) const;
    void exactProduct(bool transposed, const MatrixD& X, MatrixD& Y);

    const Matrix& m_T;
    bool m_exact;
    int m_threads;
    // Float path: the block in float, the product, and the kernel's other operands (it always
    // makes Bᵀ·T, here of zeros, when it makes T·Aᵀ).
    Matrix m_in, m_out, m_zeros, m_unusedA, m_unusedTA, m_unusedBtT;
    ThinProducts m_thin;
};

// ‖T‖²_F summed in double, per column and then per thread in a fixed order.
double squaredNormD(const Matrix& T, int threads);

}  // namespace loralab::detail
