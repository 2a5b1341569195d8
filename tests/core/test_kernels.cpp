// The kernel tables (kernels.h) of every ISA this CPU runs: the Gram form's r-sized products
// for any rank and share (empty, shorter than a vector, partial last vectors, several blocks and
// a rest), the residual, and the vector kernels, each against double precision within the
// worst-case float rounding of its terms (Higham's γ_n).
#include "kernels.h"

#include "loralab/isa.h"
#include "loralab/types.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace loralab;
using namespace loralab::detail;

namespace {

std::vector<const KernelTable*> tables() {
    std::vector<const KernelTable*> out;
    for (Isa isa : {Isa::Generic, Isa::Avx2, Isa::Avx512})
        if (cpuSupports(isa)) out.push_back(&kernelTable(isa));
    return out;
}

const std::vector<Index> kRanks = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65};
const std::vector<Index> kLengths = {0, 1, 3, 7, 8, 9, 16, 17, 37, 131};

double gammaOf(Index n) {
    const double nu = static_cast<double>(n + 2) * std::ldexp(1.0, -24);
    return nu / (1.0 - nu);
}

bool within(double got, double want, double magnitude, Index n) {
    return std::abs(got - want) <=
           gammaOf(n) * magnitude + std::ldexp(1.0, -24) * std::abs(want) + 1e-30;
}

// A Gram over n rows or columns (X n×r in double): every entry within the bound, `out`
// exactly symmetric.
void expectGramOf(const MatrixD& X, const Matrix& out, const std::string& what) {
    const Index r = X.cols(), n = X.rows();
    const MatrixD want = X.transpose() * X;
    const MatrixD magnitude = X.cwiseAbs().transpose() * X.cwiseAbs();
    for (Index q = 0; q < r; ++q)
        for (Index p = 0; p < r; ++p) {
            ASSERT_TRUE(within(out(p, q), want(p, q), magnitude(p, q), n))
                << what << " (" << p << "," << q << "): " << out(p, q) << " vs " << want(p, q);
            ASSERT_EQ(out(p, q), out(q, p)) << what;
        }
}

std::string name(const KernelTable& kt, Index r, Index n) {
    return std::string(isaName(kt.isa)) + " r=" + std::to_string(r) + " n=" + std::to_string(n);
}

}  // namespace

TEST(Kernels, EachTableIsTheOneItIsFor) {
    for (const KernelTable* kt : tables()) {
        EXPECT_EQ(kt->width, isaWidth(kt->isa));
        EXPECT_EQ(&kernelTable(kt->isa), kt);
    }
    EXPECT_EQ(kernels().isa, activeIsa());
}

TEST(Kernels, GramOfColumnsMatchesDoubleAndIsSymmetric) {
    for (const KernelTable* kt : tables())
        for (Index r : kRanks)
            for (Index w : kLengths) {
                const Matrix A = Matrix::Random(r, w + 2);  // the product takes columns 1 .. w
                Matrix out = Matrix::Constant(r, r, 99.0f);
                kt->gramOfColumns(A.data() + r, r, w, out.data());
                expectGramOf(A.middleCols(1, w).transpose().cast<double>(), out, name(*kt, r, w));
            }
}

TEST(Kernels, GramOfRowsMatchesDoubleAndIsSymmetric) {
    for (const KernelTable* kt : tables())
        for (Index r : kRanks)
            for (Index h : kLengths) {
                const Index ld = h + 11;  // rows 3 .. 3 + h of a taller B
                const Matrix B = Matrix::Random(ld, r);
                Matrix out = Matrix::Constant(r, r, 99.0f);
                kt->gramOfRows(B.data() + 3, ld, h, r, out.data());
                expectGramOf(B.middleRows(3, h).cast<double>(), out, name(*kt, r, h));
            }
}

TEST(Kernels, GradientOfColumnsMatchesDoubleAndWritesOnlyItsColumns) {
    const float c = 0.375f, cs = -1.625f;
    for (const KernelTable* kt : tables())
        for (Index r : kRanks)
            for (Index w : kLengths) {
                const Matrix G = Matrix::Random(r, r), A = Matrix::Random(r, w + 2),
                             C = Matrix::Random(r, w + 2);
                Matrix out = Matrix::Constant(r, w + 2, 99.0f);  // columns 1 .. w only
                kt->gradientOfColumns(G.data(), A.data() + r, C.data() + r, r, w, c, cs,
                                      out.data() + r);
                const MatrixD Gd = G.cast<double>(), Ad = A.cast<double>(), Cd = C.cast<double>();
                const MatrixD want = cs * (Gd * Ad) - c * Cd;
                const MatrixD mag =
                    std::abs(cs) * (Gd.cwiseAbs() * Ad.cwiseAbs()) + std::abs(c) * Cd.cwiseAbs();
                for (Index p = 0; p < r; ++p) {
                    ASSERT_EQ(out(p, 0), 99.0f) << name(*kt, r, w);
                    ASSERT_EQ(out(p, w + 1), 99.0f) << name(*kt, r, w);
                }
                for (Index j = 1; j <= w; ++j)
                    for (Index p = 0; p < r; ++p)
                        ASSERT_TRUE(within(out(p, j), want(p, j), mag(p, j), r + 1))
                            << name(*kt, r, w) << " (" << p << "," << j << ")";
            }
}

TEST(Kernels, GradientOfRowsMatchesDoubleAndWritesOnlyItsRows) {
    const float c = 0.375f, cs = -1.625f;
    for (const KernelTable* kt : tables())
        for (Index r : kRanks)
            for (Index h : kLengths) {
                const Index ld = h + 9;  // rows 2 .. 2 + h of taller B, C and out
                const Matrix B = Matrix::Random(ld, r), G = Matrix::Random(r, r),
                             C = Matrix::Random(ld, r);
                std::vector<float> packed(static_cast<std::size_t>(packedSize(*kt, h, r)) + 1);
                kt->packRows(B.data() + 2, ld, h, r, packed.data());
                Matrix out = Matrix::Constant(ld, r, 99.0f);
                kt->gradientOfRows(packed.data(), G.data(), C.data() + 2, ld, h, r, c, cs,
                                   out.data() + 2, ld);
                const MatrixD Bd = B.cast<double>(), Gd = G.cast<double>(), Cd = C.cast<double>();
                const MatrixD want = cs * (Bd * Gd) - c * Cd;
                const MatrixD mag =
                    std::abs(cs) * (Bd.cwiseAbs() * Gd.cwiseAbs()) + std::abs(c) * Cd.cwiseAbs();
                for (Index q = 0; q < r; ++q)
                    for (Index i = 0; i < ld; ++i) {
                        if (i < 2 || i >= 2 + h) {
                            ASSERT_EQ(out(i, q), 99.0f) << name(*kt, r, h) << " row " << i;
                            continue;
                        }
                        ASSERT_TRUE(within(out(i, q), want(i, q), mag(i, q), r + 1))
                            << name(*kt, r, h) << " (" << i << "," << q << ")";
                    }
            }
}

TEST(Kernels, ResidualSquaresWithinTheFloatResidualBound) {
    // Near an exact fit (T = s·B·A plus a little noise): Σ (s·B·A − T)² against the sum in
    // double. An entry's residual errs by at most γ_r·|s|·(|B|·|A|) and one more rounding; the
    // squares are summed in float a block at a time (at most γ_32 of their sum).
    const double u = std::ldexp(1.0, -24);
    const float s = 0.625f;
    for (const KernelTable* kt : tables())
        for (Index r : {1, 3, 16, 37})
            for (Index d : {1, 7, 8, 9, 130})
                for (Index w : {0, 1, 5, 6, 7, 13}) {
                    const Matrix B = Matrix::Random(d, r), A = Matrix::Random(r, w + 1);
                    const MatrixD exact = s * (B.cast<double>() * A.cast<double>());
                    const Index ldT = d + 3;
                    Matrix T = Matrix::Random(ldT, w + 1);
                    T.topRows(d) = exact.cast<float>() + 1e-4f * Matrix::Random(d, w + 1);
                    std::vector<float> packed(static_cast<std::size_t>(packedSize(*kt, d, r)));
                    kt->packRows(B.data(), d, d, r, packed.data());
                    const double got = kt->residualSquares(packed.data(), d, r, A.data() + r,
                                                           T.data() + ldT, ldT, w, s);
                    const MatrixD R = exact.middleCols(1, w) - T.block(0, 1, d, w).cast<double>();
                    const MatrixD M = std::abs(s) * (B.cast<double>().cwiseAbs() *
                                                     A.cast<double>().cwiseAbs())
                                                        .middleCols(1, w);
                    const MatrixD E = gammaOf(r) * (1.0 + u) * M + u * R.cwiseAbs();
                    const double want = R.squaredNorm();
                    const double spread = (2.0 * R.cwiseAbs().cwiseProduct(E) + E.cwiseAbs2()).sum();
                    EXPECT_LE(std::abs(got - want), spread + gammaOf(32) * (want + spread) + 1e-300)
                        << name(*kt, r, d) << " w=" << w;
                    if (w == 0) {
                        EXPECT_EQ(got, 0.0);
                    }
                }
}

TEST(Kernels, DotDoubleAndAllFinite) {
    for (const KernelTable* kt : tables())
        for (Index n : {0, 1, 5, 15, 16, 17, 33, 1000}) {
            const Vector a = Vector::Random(n), b = Vector::Random(n);
            const double want = a.cast<double>().dot(b.cast<double>());
            const double mag = a.cast<double>().cwiseAbs().dot(b.cast<double>().cwiseAbs());
            EXPECT_LE(std::abs(kt->dotDouble(a.data(), b.data(), n) - want), 1e-14 * (mag + 1))
                << name(*kt, 0, n);
            Matrix x = Matrix::Random(n, 1);
            EXPECT_TRUE(kt->allFinite(x.data(), n)) << name(*kt, 0, n);
            for (float bad : {std::numeric_limits<float>::quiet_NaN(),
                              std::numeric_limits<float>::infinity(),
                              -std::numeric_limits<float>::infinity()})
                for (Index at : {Index{0}, n / 2, n - 1}) {
                    if (n == 0) continue;
                    Matrix y = x;
                    y(at) = bad;
                    EXPECT_FALSE(kt->allFinite(y.data(), n)) << name(*kt, 0, n) << " at " << at;
                    // Past n is not looked at.
                    EXPECT_TRUE(kt->allFinite(y.data(), at)) << name(*kt, 0, n) << " at " << at;
                }
            const float huge = std::numeric_limits<float>::max();
            Matrix big = Matrix::Constant(n, 1, huge);  // finite, however large the sum
            EXPECT_TRUE(kt->allFinite(big.data(), n)) << name(*kt, 0, n);
        }
}

TEST(Kernels, AdamMatchesTheFormulaInDoubleAndWritesInPlace) {
    for (const KernelTable* kt : tables())
        for (Index n : {1, 7, 16, 17, 100}) {
            const Matrix p = Matrix::Random(n, 1), g = Matrix::Random(n, 1);
            const Matrix m = Matrix::Random(n, 1), v = Matrix::Random(n, 1).cwiseAbs();
            Matrix pOut(n, 1), mOut(n, 1), vOut(n, 1);
            const AdamArgs args{p.data(), g.data(), m.data(), v.data(), pOut.data(), mOut.data(),
                                vOut.data(), 0.9f, 0.999f, 0.1f, 0.001f, 0.02f, 1.5f, 1e-8f};
            kt->adam(args, n);
            for (Index i = 0; i < n; ++i) {
                const double mw = 0.9 * m(i) + 0.1 * g(i);
                const double vw = 0.999 * v(i) + 0.001 * g(i) * g(i);
                const double pw = p(i) - 0.02 * mw / (std::sqrt(1.5 * vw) + 1e-8);
                EXPECT_NEAR(mOut(i), mw, 1e-6) << name(*kt, 0, n);
                EXPECT_NEAR(vOut(i), vw, 1e-6) << name(*kt, 0, n);
                EXPECT_NEAR(pOut(i), pw, 1e-5 * (std::abs(pw) + 1)) << name(*kt, 0, n);
            }
            Matrix p2 = p, m2 = m, v2 = v;  // in place: the same bits
            const AdamArgs inPlace{p2.data(), g.data(), m2.data(), v2.data(), p2.data(),
                                   m2.data(), v2.data(), 0.9f, 0.999f, 0.1f, 0.001f, 0.02f,
                                   1.5f, 1e-8f};
            kt->adam(inPlace, n);
            EXPECT_TRUE(p2 == pOut && m2 == mOut && v2 == vOut) << name(*kt, 0, n);
        }
}

// Eigen's matrices start on 64-byte boundaries in every build (EIGEN_MAX_ALIGN_BYTES): a
// baseline build would align them to 16, and every 64-byte load of the AVX-512 kernels would
// straddle two cache lines.
TEST(Kernels, MatricesStartOnCacheLines) {
    for (Index rows : {1, 3, 17, 1000})
        for (Index cols : {1, 5, 64}) {
            const Matrix m(rows, cols);
            EXPECT_EQ(reinterpret_cast<std::uintptr_t>(m.data()) % 64, 0u) << rows << "x" << cols;
        }
}
