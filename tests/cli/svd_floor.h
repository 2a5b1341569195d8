// The Eckart–Young floor computed independently of the core, for checking the binary's output.
#pragma once

#include "dense_reference.h"

#include <Eigen/Dense>

namespace loralab::test {

// Σ_{i>r} σᵢ²/(dk) from a double-precision Jacobi SVD (not the core's analysis code).
inline double floorOf(const Eigen::MatrixXd& T, int rank) {
    const Eigen::VectorXd s = jacobiSvd(T, false).sigma;
    double tail = 0.0;
    for (Eigen::Index i = rank; i < s.size(); ++i) tail += s(i) * s(i);
    return tail / static_cast<double>(T.size());
}

}  // namespace loralab::test
