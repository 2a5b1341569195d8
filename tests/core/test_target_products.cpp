// TargetProducts: T·X, Tᵀ·Y and the projection residual in float and double precision, against
// Eigen's double products of the same float matrix.
#include "target_products.h"

#include "loralab/rng.h"

#include <gtest/gtest.h>

using namespace loralab;
using detail::TargetProducts;

namespace {

Matrix gaussian(Index rows, Index cols, std::uint64_t seed) {
    Matrix m(rows, cols);
    Rng(seed).fillNormal(m);
    return m;
}

double relErr(const MatrixD& a, const MatrixD& b) { return (a - b).norm() / b.norm(); }

}  // namespace

// Shapes that are not multiples of the tiles or of the thread shares, both orientations, on
// one thread and (the last, large enough to be split) on two.
TEST(TargetProducts, ProductsMatchDoubleReference) {
    for (auto [d, k, b] : {std::tuple<Index, Index, Index>{300, 517, 7}, {600, 90, 12}, {1, 40, 3}, {700, 650, 13}}) {
        const Matrix T = gaussian(d, k, 1);
        const MatrixD Td = T.cast<double>();
        const MatrixD X = gaussian(k, b, 2).cast<double>(), Y = gaussian(d, b, 3).cast<double>();
        for (bool exact : {false, true}) {
            TargetProducts p(T, exact, 2);
            MatrixD TX, TtY;
            p.times(X, TX);
            p.timesT(Y, TtY);
            const double tol = exact ? 1e-14 : 1e-6;
            EXPECT_LT(relErr(TX, Td * X), tol) << d << "x" << k << " exact=" << exact;
            EXPECT_LT(relErr(TtY, Td.transpose() * Y), tol) << d << "x" << k << " exact=" << exact;
        }
    }
}

// W = QᵀT and ‖T − Q·W‖², in double; a residual 1e-8 the size of T keeps its digits.
TEST(TargetProducts, ProjectionResidualIsExact) {
    const Index d = 333, k = 280, l = 5;
    const MatrixD Q = Eigen::HouseholderQR<MatrixD>(gaussian(d, l, 4).cast<double>()).householderQ() *
                      MatrixD::Identity(d, l);
    // T = Q·C + E with E ⟂ Q and ‖E‖ about 1e-8·‖T‖ (rounded to float, so recompute E exactly).
    const MatrixD C = gaussian(l, k, 5).cast<double>() * 100.0;
    MatrixD E = gaussian(d, k, 6).cast<double>() * 1e-6;
    E -= Q * (Q.transpose() * E);
    const Matrix T = (Q * C + E).cast<float>();
    const MatrixD Td = T.cast<double>();
    const MatrixD W = Q.transpose() * Td;
    const double ref = (Td - Q * W).squaredNorm();
    TargetProducts p(T, false, 2);  // project() is double either way
    MatrixD Wp;
    const double got = p.project(Q, Wp);
    EXPECT_LT(relErr(Wp, W), 1e-13);
    EXPECT_NEAR(got, ref, 1e-9 * ref);
    EXPECT_LT(ref, 1e-12 * Td.squaredNorm());  // the case is really a tiny residual
    EXPECT_NEAR(detail::squaredNormD(T, 2), Td.squaredNorm(), 1e-13 * Td.squaredNorm());
}
