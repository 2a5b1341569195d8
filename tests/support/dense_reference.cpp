#include "dense_reference.h"

#include <Eigen/SVD>

namespace loralab::test {

namespace {

template <typename Solver>
DenseSvd fromSolver(const Solver& svd, bool vectors) {
    DenseSvd out;
    out.sigma = svd.singularValues();
    if (vectors) {
        out.U = svd.matrixU();
        out.V = svd.matrixV();
    }
    return out;
}

unsigned options(bool vectors) { return vectors ? Eigen::ComputeThinU | Eigen::ComputeThinV : 0u; }

}  // namespace

DenseSvd jacobiSvd(const Eigen::MatrixXd& m, bool vectors) {
    return fromSolver(Eigen::JacobiSVD<Eigen::MatrixXd>(m, options(vectors)), vectors);
}

DenseSvd bdcSvd(const Eigen::MatrixXd& m, bool vectors) {
    return fromSolver(Eigen::BDCSVD<Eigen::MatrixXd>(m, options(vectors)), vectors);
}

Eigen::MatrixXd bestRankApprox(const Eigen::MatrixXd& m, Eigen::Index r) {
    const DenseSvd svd = jacobiSvd(m);
    return svd.U.leftCols(r) * svd.sigma.head(r).asDiagonal() * svd.V.leftCols(r).transpose();
}

}  // namespace loralab::test
