// Central-difference gradient checking shared by the objective and layer tests.
#pragma once

#include "loralab/types.h"

#include <algorithm>
#include <functional>

namespace loralab::test {

// Central differences of `loss` with respect to every entry of P (P is restored). The step
// actually taken is re-read from the float entry, so rounding of orig ± h does not bias it.
inline MatrixD centralDiff(Matrix& P, const std::function<double()>& loss, float h = 1e-2f) {
    MatrixD g(P.rows(), P.cols());
    for (Index j = 0; j < P.cols(); ++j)
        for (Index i = 0; i < P.rows(); ++i) {
            const float orig = P(i, j);
            P(i, j) = orig + h;
            const double up = loss();
            const double xUp = P(i, j);
            P(i, j) = orig - h;
            const double down = loss();
            const double xDown = P(i, j);
            P(i, j) = orig;
            g(i, j) = (up - down) / (xUp - xDown);
        }
    return g;
}

// max |ref − got| / max |ref|: the error relative to the gradient's largest entry.
inline double maxRelErr(const MatrixD& ref, const Matrix& got) {
    const double scale = std::max(ref.cwiseAbs().maxCoeff(), 1e-30);
    return (ref - got.cast<double>()).cwiseAbs().maxCoeff() / scale;
}

}  // namespace loralab::test
