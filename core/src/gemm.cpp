// gemm(): OpenBLAS's cblas_sgemm when linked (LORALAB_HAVE_CBLAS), Eigen otherwise.
#include "gemm.h"

#include "loralab/format.h"
#include "team.h"

#include <algorithm>
#include <string>

#if defined(LORALAB_HAVE_CBLAS)
#include <cblas.h>
#endif
#if defined(_OPENMP)
#include <omp.h>
#endif

namespace loralab {

namespace {

Index rowsOf(Op op, const Matrix& m) { return op == Op::N ? m.rows() : m.cols(); }
Index colsOf(Op op, const Matrix& m) { return op == Op::N ? m.cols() : m.rows(); }

#if defined(LORALAB_HAVE_CBLAS)
// Below this many multiply-adds one thread does the whole product: forking costs more.
constexpr double kTeamWork = 1 << 18;
// Slices start on multiples of 16 rows or columns (64 bytes), so each block stays aligned.
constexpr Index kGrain = 16;

CBLAS_TRANSPOSE blasOp(Op op) { return op == Op::N ? CblasNoTrans : CblasTrans; }
int ld(const Matrix& m) { return static_cast<int>(std::max<Index>(1, m.rows())); }

// OpenBLAS 0.3.21's small-matrix kernel for N·N products (taken up to M·N·K = 10⁶ on AVX-512
// cores) mallocs a copy of the last M mod 16 rows of A on every call; no other case allocates.
constexpr double kSmallKernelWork = 1e6;
constexpr Index kSmallKernelRows = 16;

// One single-threaded cblas_sgemm on rows [r0, r1) and columns [c0, c1) of C.
void sliceGemm(Op opA, Op opB, float alpha, const Matrix& A, const Matrix& B, float beta,
               Matrix& C, Index r0, Index r1, Index c0, Index c1, Index kk) {
    if (r1 <= r0 || c1 <= c0) return;
    const Index tail = (r1 - r0) % kSmallKernelRows;
    if (opA == Op::N && opB == Op::N && tail != 0 &&
        static_cast<double>(r1 - r0) * static_cast<double>(c1 - c0) * static_cast<double>(kk) <=
            kSmallKernelWork) {
        // Those few rows of a small product, coefficient by coefficient (no temporaries).
        const auto a = A.block(r1 - tail, 0, tail, kk);
        const auto b = B.block(0, c0, kk, c1 - c0);
        auto c = C.block(r1 - tail, c0, tail, c1 - c0);
        if (beta == 0.0f) c.noalias() = alpha * a.lazyProduct(b);
        else c.noalias() = alpha * a.lazyProduct(b) + beta * c;
        r1 -= tail;
        if (r1 == r0) return;
    }
    // Row p of op(A): A's row p when op = N, its column p when op = T; likewise columns of B.
    // (An empty operand may have no storage at all: no offset into it then.)
    const float* a = A.size() == 0 ? A.data() : A.data() + (opA == Op::N ? r0 : r0 * A.rows());
    const float* b = B.size() == 0 ? B.data() : B.data() + (opB == Op::N ? c0 * B.rows() : c0);
    cblas_sgemm(CblasColMajor, blasOp(opA), blasOp(opB), static_cast<int>(r1 - r0),
                static_cast<int>(c1 - c0), static_cast<int>(kk), alpha, a, ld(A), b, ld(B), beta,
                C.data() + r0 + c0 * C.rows(), ld(C));
}
#else
template <class L, class R>
void eigenProduct(float alpha, const L& lhs, const R& rhs, float beta, Matrix& C) {
    if (beta == 0.0f)
        C.noalias() = alpha * (lhs * rhs);
    else {
        if (beta != 1.0f) C *= beta;
        C.noalias() += alpha * (lhs * rhs);
    }
}
#endif

}  // namespace

void gemm(Op opA, Op opB, float alpha, const Matrix& A, const Matrix& B, float beta, Matrix& C,
          int threads) {
    const Index m = rowsOf(opA, A), kk = colsOf(opA, A), n = colsOf(opB, B);
    if (rowsOf(opB, B) != kk || C.rows() != m || C.cols() != n)
        require(false, "gemm",
                "op(A) is " + shapeStr(m, kk) + ", op(B) is " + shapeStr(rowsOf(opB, B), n) +
                    ", C is " + shapeStr(C) +
                    "; need op(A) m x k, op(B) k x n, C m x n");
    if (m == 0 || n == 0) return;
#if defined(LORALAB_HAVE_CBLAS)
    // The core's own OpenMP team splits C into one block per thread, and each thread runs a
    // single-threaded cblas_sgemm on its block (Debian's OpenMP OpenBLAS runs on one thread
    // inside a parallel region). OpenBLAS's own threading would malloc its job descriptors on
    // every call; this way a training step allocates nothing. C is split along its longer side,
    // so each thread reads half of the larger operand and packs it once.
    const double work = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(kk);
    if (work < kTeamWork) threads = 1;
    const bool byRows = m >= n;
    const Index extent = byRows ? m : n;
    // Aligned slices when there are enough rows (columns) for them; any split otherwise (a
    // large product left to one thread here would go to OpenBLAS's own threading).
    const Index grain = extent >= kGrain * threads ? kGrain : 1;
    threads = static_cast<int>(std::min<Index>(threads, extent));
    detail::onTeam(threads, [&](int t, int team) {
        const auto [begin, end] = detail::share(extent, t, team, grain);
        if (byRows) sliceGemm(opA, opB, alpha, A, B, beta, C, begin, end, 0, n, kk);
        else sliceGemm(opA, opB, alpha, A, B, beta, C, 0, m, begin, end, kk);
    });
#else
    (void)threads;
    if (opA == Op::N && opB == Op::N) eigenProduct(alpha, A, B, beta, C);
    else if (opA == Op::N) eigenProduct(alpha, A, B.transpose(), beta, C);
    else if (opB == Op::N) eigenProduct(alpha, A.transpose(), B, beta, C);
    else eigenProduct(alpha, A.transpose(), B.transpose(), beta, C);
#endif
}

const char* gemmBackend() {
#if defined(LORALAB_HAVE_CBLAS)
    return "openblas";
#else
    return "eigen";
#endif
}

}  // namespace loralab
