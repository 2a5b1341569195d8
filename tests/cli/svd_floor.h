// The Eckart–Young floor computed independently of the core, for checking the binary's output.
#pragma once

#include <Eigen/Dense>

namespace loralab::test {

// Σ_{i>r} σᵢ²/(dk) from a double-precision Jacobi SVD (not the core's analysis code).
inline double floorOf(const Eigen::MatrixXd& T, int rank) {
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(T);
    const Eigen::VectorXd s = svd.singularValues();
    double tail = 0.0;
    for (Eigen::Index i = rank; i < s.size(); ++i) tail += s(i) * s(i);
    return tail / static_cast<double>(T.size());
}

}  // namespace loralab::test
