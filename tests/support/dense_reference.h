// The tests' independent truth for spectra: Eigen's dense SVDs in double, compiled once in this
// library rather than in every test file (each file that instantiates an SVD itself adds about
// half a minute to a sanitizer build).
#pragma once

#include <Eigen/Core>

namespace loralab::test {

// A dense SVD, with Eigen's accessor names. U and V are thin, and empty when not asked for.
struct DenseSvd {
    Eigen::VectorXd sigma;  // descending
    Eigen::MatrixXd U, V;
    const Eigen::VectorXd& singularValues() const { return sigma; }
    const Eigen::MatrixXd& matrixU() const { return U; }
    const Eigen::MatrixXd& matrixV() const { return V; }
};

// Two-sided Jacobi: accurate to rounding, O(n³) with a large constant; for small matrices.
DenseSvd jacobiSvd(const Eigen::MatrixXd& m, bool vectors = true);
// Divide and conquer: for the larger targets.
DenseSvd bdcSvd(const Eigen::MatrixXd& m, bool vectors = false);
// m's best rank-r approximation (Eckart–Young), from jacobiSvd.
Eigen::MatrixXd bestRankApprox(const Eigen::MatrixXd& m, Eigen::Index r);

}  // namespace loralab::test
