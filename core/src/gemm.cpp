// gemm(): OpenBLAS's cblas_sgemm when linked (LORALAB_HAVE_CBLAS), Eigen otherwise.
#include "loralab/gemm.h"

#include <algorithm>
#include <string>

#if defined(LORALAB_HAVE_CBLAS)
#include <cblas.h>
#endif

namespace loralab {

namespace {

Index rowsOf(Op op, const Matrix& m) { return op == Op::N ? m.rows() : m.cols(); }
Index colsOf(Op op, const Matrix& m) { return op == Op::N ? m.cols() : m.rows(); }

#if !defined(LORALAB_HAVE_CBLAS)
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

void gemm(Op opA, Op opB, float alpha, const Matrix& A, const Matrix& B, float beta, Matrix& C) {
    const Index m = rowsOf(opA, A), kk = colsOf(opA, A), n = colsOf(opB, B);
    if (rowsOf(opB, B) != kk || C.rows() != m || C.cols() != n)
        require(false, "gemm",
                "op(A) is " + std::to_string(m) + "x" + std::to_string(kk) + ", op(B) is " +
                    std::to_string(rowsOf(opB, B)) + "x" + std::to_string(n) + ", C is " +
                    std::to_string(C.rows()) + "x" + std::to_string(C.cols()) +
                    "; need op(A) m x k, op(B) k x n, C m x n");
    if (m == 0 || n == 0) return;
#if defined(LORALAB_HAVE_CBLAS)
    // BLAS wants lda >= 1 even for empty operands; Eigen's column-major storage is packed.
    cblas_sgemm(CblasColMajor, opA == Op::N ? CblasNoTrans : CblasTrans,
                opB == Op::N ? CblasNoTrans : CblasTrans, static_cast<int>(m),
                static_cast<int>(n), static_cast<int>(kk), alpha, A.data(),
                static_cast<int>(std::max<Index>(1, A.rows())), B.data(),
                static_cast<int>(std::max<Index>(1, B.rows())), beta, C.data(),
                static_cast<int>(std::max<Index>(1, C.rows())));
#else
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
