// The SIMD kernels for the Gram form's r×r products (core/src/small_products.h, internal):
// every entry against sums in double, within the worst-case float rounding of its terms, for
// the ranks they take and shares of rows and columns of every length class (empty, shorter
// than a vector, a partial last vector, several blocks and a rest).
#include "small_products.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace loralab;
using namespace loralab::detail;

namespace {

// The ranks this build's kernels take (none without SIMD).
std::vector<Index> kernelRanks() {
    std::vector<Index> ranks;
    for (Index r = 1; r <= 80; ++r)
        if (simdSmallProducts(r)) ranks.push_back(r);
    return ranks;
}

// |got − want| within the worst case of n float roundings on terms whose magnitudes sum to
// `magnitude` (Higham's γ_n bound, n·u/(1 − n·u) with u = 2⁻²⁴), plus the last rounding.
bool within(double got, double want, double magnitude, Index n) {
    const double u = std::ldexp(1.0, -24), nu = static_cast<double>(n + 2) * u;
    const double gamma = nu / (1.0 - nu);
    return std::abs(got - want) <= gamma * magnitude + u * std::abs(want) + 1e-30;
}

const std::vector<Index> kLengths = {0, 1, 3, 7, 8, 9, 16, 17, 37, 128, 131};

// A Gram over n rows or columns, X's (in double): every entry of `out` within the rounding bound
// of XᵀX's (magnitudes |X|ᵀ|X|), and `out` exactly symmetric. X is n×r.
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

}  // namespace

TEST(SmallProducts, TakeMultiplesOfTheVectorWidthUpToTheLimit) {
    const std::vector<Index> ranks = kernelRanks();
    if (ranks.empty()) GTEST_SKIP() << "built without SIMD kernels";
    const Index width = ranks.front();  // the vector width: 8 or 16
    EXPECT_TRUE(width == 8 || width == 16) << width;
    for (Index r = 1; r <= 80; ++r)
        EXPECT_EQ(simdSmallProducts(r), r % width == 0 && r <= kMaxSmallRank) << r;
}

TEST(SmallProducts, GramOfColumnsMatchesDoubleAndIsSymmetric) {
    if (kernelRanks().empty()) GTEST_SKIP() << "built without SIMD kernels";
    for (Index r : kernelRanks())
        for (Index w : kLengths) {
            const Matrix A = Matrix::Random(r, w + 2);  // the product takes columns 1 .. w
            Matrix out = Matrix::Constant(r, r, 99.0f);
            gramOfColumns(A.data() + r, r, w, out.data());
            expectGramOf(A.middleCols(1, w).transpose().cast<double>(), out,
                         "r=" + std::to_string(r) + " w=" + std::to_string(w));
        }
}

TEST(SmallProducts, GramOfRowsMatchesDoubleAndIsSymmetric) {
    if (kernelRanks().empty()) GTEST_SKIP() << "built without SIMD kernels";
    for (Index r : kernelRanks())
        for (Index h : kLengths) {
            // Rows 3 .. 3 + h of a taller B, so that the columns are ldB apart, not h.
            const Index ld = h + 11;
            const Matrix B = Matrix::Random(ld, r);
            Matrix out = Matrix::Constant(r, r, 99.0f);
            gramOfRows(B.data() + 3, ld, h, r, out.data());
            expectGramOf(B.middleRows(3, h).cast<double>(), out,
                         "r=" + std::to_string(r) + " h=" + std::to_string(h));
        }
}

TEST(SmallProducts, GradientOfColumnsMatchesDouble) {
    if (kernelRanks().empty()) GTEST_SKIP() << "built without SIMD kernels";
    const float c = 0.375f, cs = -1.625f;
    for (Index r : kernelRanks())
        for (Index w : kLengths) {
            const Matrix G = Matrix::Random(r, r), A = Matrix::Random(r, w + 1),
                         C = Matrix::Random(r, w + 1);
            // Columns 1 .. w of A and C into columns 1 .. w of out; column 0 stays untouched.
            Matrix out = Matrix::Constant(r, w + 1, 99.0f);
            gradientOfColumns(G.data(), A.data() + r, C.data() + r, r, w, c, cs,
                              out.data() + r);
            const MatrixD Gd = G.cast<double>(), Ad = A.cast<double>(), Cd = C.cast<double>();
            const MatrixD want = cs * (Gd * Ad) - c * Cd;
            const MatrixD magnitude =
                std::abs(cs) * (Gd.cwiseAbs() * Ad.cwiseAbs()) + std::abs(c) * Cd.cwiseAbs();
            for (Index p = 0; p < r; ++p) ASSERT_EQ(out(p, 0), 99.0f) << "r=" << r;
            for (Index j = 1; j <= w; ++j)
                for (Index p = 0; p < r; ++p)
                    ASSERT_TRUE(within(out(p, j), want(p, j), magnitude(p, j), r + 1))
                        << "r=" << r << " w=" << w << " (" << p << "," << j << "): " << out(p, j)
                        << " vs " << want(p, j);
        }
}

TEST(SmallProducts, ResidualSquaresWithinTheFloatResidualBound) {
    // Near an exact fit (T = s·B·A plus a little noise, so the residual is tiny next to T, where
    // the loss needs this path): Σ over the block of (s·B·A − T)², against the sum in double,
    // within the bound of its float arithmetic. An entry's residual: the FMAs over r ranks err
    // by at most γ_r·|s|·(|B|·|A|)(i, j), and s·acc − T rounds once more (u·|residual|); the
    // squares are summed in float a block at a time (at most γ_32 of their sum).
    if (!simdResidual()) GTEST_SKIP() << "built without SIMD kernels";
    const double u = std::ldexp(1.0, -24);
    auto gamma = [u](Index n) {
        const double nu = static_cast<double>(n) * u;
        return nu / (1.0 - nu);
    };
    const float s = 0.625f;
    for (Index r : {1, 3, 16, 37})
        for (Index d : {1, 7, 8, 9, 130})
            for (Index w : {0, 1, 5, 6, 7, 13}) {
                const Matrix B = Matrix::Random(d, r), A = Matrix::Random(r, w + 1);
                const MatrixD exact = s * (B.cast<double>() * A.cast<double>());
                const Matrix noise = 1e-4f * Matrix::Random(d, w + 1);
                const Index ldT = d + 3;  // T's columns ldT apart
                Matrix Tfull = Matrix::Random(ldT, w + 1);
                Tfull.topRows(d) = exact.cast<float>() + noise;
                std::vector<float> packed(static_cast<std::size_t>(packedRowsSize(d, r)));
                packRows(B.data(), d, d, r, packed.data());
                // Columns 1 .. w of A and T.
                const double got = residualSquares(packed.data(), d, r, A.data() + r,
                                                   Tfull.data() + ldT, ldT, w, s);
                const MatrixD R = exact.middleCols(1, w) - Tfull.block(0, 1, d, w).cast<double>();
                const MatrixD M =
                    std::abs(s) * (B.cast<double>().cwiseAbs() * A.cast<double>().cwiseAbs())
                                      .middleCols(1, w);
                const MatrixD E = gamma(r) * (1.0 + u) * M + u * R.cwiseAbs();
                const double want = R.squaredNorm();
                const double spread = (2.0 * R.cwiseAbs().cwiseProduct(E) + E.cwiseAbs2()).sum();
                const double bound = spread + gamma(32) * (want + spread);
                EXPECT_LE(std::abs(got - want), bound + 1e-300)
                    << "r=" << r << " d=" << d << " w=" << w << ": " << got << " vs " << want;
                if (w == 0) {
                    EXPECT_EQ(got, 0.0);
                }
            }
}
