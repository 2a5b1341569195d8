// gemm() (gemm.h): every transpose combination and team split against double precision, the
// classic float error bound entrywise; no allocation on a team.
#include "gemm.h"

#include "loralab/rng.h"

#include "malloc_counter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <tuple>

using namespace loralab;

namespace {

Matrix randomMatrix(Index rows, Index cols, std::uint64_t seed) {
    Matrix m(rows, cols);
    Rng rng(seed);
    rng.fillNormal(m);
    return m;
}

}  // namespace

TEST(Gemm, AllTransposeCombinationsMatchDoubleOnEveryTeamSplit) {
    // One small product (one thread does it), products large enough for the team to split C by
    // rows (m >= n) or by columns, with fewer than 16 rows or columns on one side, an empty
    // inner dimension (C = beta·C), and a long inner dimension with both sides short (slices
    // under 16 wide). Each on teams of 1, 2 and 3 threads.
    struct Shape {
        Index m, n, kk;
    };
    const Shape shapes[] = {{37, 29, 45}, {300, 70, 40}, {50, 333, 41}, {3, 2000, 64},
                            {2000, 3, 64}, {17, 999, 33}, {40, 30, 0}, {20, 12, 1500}};
    std::uint64_t seed = 0;
    for (const Shape& sh : shapes)
        for (int threads : {1, 2, 3})
            for (Op opA : {Op::N, Op::T})
                for (Op opB : {Op::N, Op::T}) {
                    const Index m = sh.m, n = sh.n, kk = sh.kk;
                    const Matrix A = opA == Op::N ? randomMatrix(m, kk, ++seed)
                                                  : randomMatrix(kk, m, ++seed);
                    const Matrix B = opB == Op::N ? randomMatrix(kk, n, ++seed)
                                                  : randomMatrix(n, kk, ++seed);
                    const MatrixD Ad = opA == Op::N ? MatrixD(A.cast<double>())
                                                    : MatrixD(A.cast<double>().transpose());
                    const MatrixD Bd = opB == Op::N ? MatrixD(B.cast<double>())
                                                    : MatrixD(B.cast<double>().transpose());
                    const Matrix C0 = randomMatrix(m, n, ++seed);
                    const std::string where = std::to_string(m) + "x" + std::to_string(n) + "x" +
                                              std::to_string(kk) + " threads " +
                                              std::to_string(threads) + " " + gemmBackend();
                    // The classic float bound: |error| <= (kk + 2)·u·(|α|·|A|·|B| + |β|·|C0|)
                    // entrywise, u = 2⁻²⁴ (a little slack: 2u).
                    const MatrixD absAB = Ad.cwiseAbs() * Bd.cwiseAbs();
                    const double u2 = 2.0 * std::ldexp(1.0, -24) * static_cast<double>(kk + 2);
                    // beta = 0 must ignore C entirely (NaN stays out); beta ≠ 0 accumulates.
                    Matrix C = Matrix::Constant(m, n, NAN);
                    gemm(opA, opB, 1.5f, A, B, 0.0f, C, threads);
                    const MatrixD want0 = 1.5 * Ad * Bd;
                    const MatrixD bound0 = (u2 * 1.5) * absAB;
                    EXPECT_TRUE(((C.cast<double>() - want0).cwiseAbs().array() <=
                                 bound0.array() + 1e-30)
                                    .all())
                        << where;
                    C = C0;
                    gemm(opA, opB, -0.5f, A, B, 2.0f, C, threads);
                    const MatrixD want1 = -0.5 * Ad * Bd + 2.0 * C0.cast<double>();
                    const MatrixD bound1 =
                        u2 * (0.5 * absAB + 2.0 * C0.cast<double>().cwiseAbs());
                    EXPECT_TRUE(((C.cast<double>() - want1).cwiseAbs().array() <= bound1.array())
                                    .all())
                        << where;
                }
}

#ifdef LORALAB_COUNT_MALLOC
TEST(Gemm, AllocatesNothingOnATeam) {
    if (std::string(gemmBackend()) == "eigen")
        GTEST_SKIP() << "built without OpenBLAS: Eigen's GEMM allocates its packing buffers";
    for (auto [m, n, kk] : {std::tuple<Index, Index, Index>{300, 70, 40}, {3, 2000, 64},
                            {37, 29, 45}, {20, 12, 1500}, {520, 16, 200}})
        for (Op opA : {Op::N, Op::T})
            for (Op opB : {Op::N, Op::T}) {
                const Matrix A = opA == Op::N ? randomMatrix(m, kk, 1) : randomMatrix(kk, m, 1);
                const Matrix B = opB == Op::N ? randomMatrix(kk, n, 2) : randomMatrix(n, kk, 2);
                Matrix C = Matrix::Zero(m, n);
                gemm(opA, opB, 1.0f, A, B, 0.5f, C, 2);  // OpenBLAS sets up its buffers once
                EXPECT_EQ(test::allocationsDuring([&] { gemm(opA, opB, 1.0f, A, B, 0.5f, C, 2); }),
                          0)
                    << m << "x" << n << "x" << kk << " " << (opA == Op::N ? "N" : "T")
                    << (opB == Op::N ? "N" : "T");
            }
}
#endif

TEST(Gemm, RejectsMismatchedShapesWithoutTouchingC) {
    const Matrix A = Matrix::Ones(3, 4), B = Matrix::Ones(4, 5);
    Matrix C = Matrix::Constant(3, 5, 9.0f), wrong = Matrix::Constant(5, 3, 9.0f);
    EXPECT_THROW(gemm(Op::N, Op::N, 1.0f, A, B, 0.0f, wrong, 1), std::invalid_argument);
    EXPECT_THROW(gemm(Op::T, Op::N, 1.0f, A, B, 0.0f, C, 1), std::invalid_argument);
    EXPECT_TRUE((C.array() == 9.0f).all());
    EXPECT_TRUE((wrong.array() == 9.0f).all());
    const std::string backend = gemmBackend();
    EXPECT_TRUE(backend == "openblas" || backend == "eigen") << backend;
}

