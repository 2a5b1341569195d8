// LoRA factors, scale, merge and the three initializations.
#include "loralab/factors.h"
#include "loralab/format.h"
#include "loralab/names.h"

#include "loralab/rng.h"

#include <cmath>
#include <string>

namespace loralab {

namespace {

constexpr Named<Init> kInits[] = {
    {Init::Peft, "peft"}, {Init::Gaussian, "gaussian"}, {Init::Svd, "svd"}};

}  // namespace

const char* initName(Init init) { return nameIn(kInits, init); }

Init parseInit(const std::string& name) { return parseIn(kInits, name, "init"); }

double loraScale(double alpha, Index rank, bool rslora) {
    // Called on every training step: the messages are only built on failure.
    if (rank < 1) require(false, "loraScale", "rank = " + std::to_string(rank) + "; must be >= 1");
    if (!std::isfinite(alpha)) requireFinite(alpha, "alpha");
    const double r = static_cast<double>(rank);
    return rslora ? alpha / std::sqrt(r) : alpha / r;
}

Matrix Factors::deltaW() const {
    require(B.cols() == A.rows(), "Factors::deltaW",
            "B has " + std::to_string(B.cols()) + " columns but A has " +
                std::to_string(A.rows()) + " rows; they must match");
    Matrix dw(B.rows(), A.cols());
    dw.noalias() = B * A;
    dw *= static_cast<float>(scale());
    return dw;
}

Matrix Factors::merge(const Matrix& W) const {
    require(W.rows() == d() && W.cols() == k(), "Factors::merge",
            "W is " + shapeStr(W) + "; must be d x k = " + shapeStr(d(), k()));
    Matrix out = deltaW();
    out += W;
    return out;
}

bool Factors::allFinite() const { return loralab::allFinite(B) && loralab::allFinite(A); }

void initARows(Matrix& A, Index row0, Init init, std::uint64_t seed) {
    require(row0 >= 0 && row0 <= A.rows(), "initARows",
            "row0 = " + std::to_string(row0) + "; allowed 0.." + std::to_string(A.rows()));
    require(A.cols() >= 1 && A.rows() >= 1, "initARows", "A must be non-empty");
    require(init != Init::Svd, "initARows",
            "init = svd has no per-row rule; use peft or gaussian (svdInitFactors for svd)");
    const Index rows = A.rows() - row0;
    if (rows == 0) return;
    Rng rng(seed);
    Matrix block(rows, A.cols());
    if (init == Init::Peft) {
        const double bound = 1.0 / std::sqrt(static_cast<double>(A.cols()));
        rng.fillUniform(block, -bound, bound);
    } else {
        rng.fillNormal(block, 1.0 / std::sqrt(static_cast<double>(A.rows())));
    }
    A.bottomRows(rows) = block;
}

Factors makeFactors(Index d, Index k, Index rank, double alpha, bool rslora, Init init,
                    std::uint64_t seed) {
    requireShape(d, k, rank);
    requireFinite(alpha, "alpha");
    require(init != Init::Svd, "makeFactors",
            "init = svd needs the target; use svdInitFactors (allowed here: peft, gaussian)");
    Factors f;
    f.alpha = alpha;
    f.rslora = rslora;
    f.B = Matrix::Zero(d, rank);
    f.A.resize(rank, k);
    initARows(f.A, 0, init, seed);
    return f;
}

Factors svdInitFactors(const Matrix& T, Index rank, double alpha, bool rslora) {
    requireShape(T.rows(), T.cols(), rank);
    requireFinite(alpha, "alpha");
    require(alpha != 0.0, "alpha", "alpha = 0 gives s = 0; svd init needs alpha != 0");
    require(T.allFinite(), "svdInitFactors", "the target has non-finite entries");
    const double s = loraScale(alpha, rank, rslora);
    const MatrixD Td = T.cast<double>();
    Eigen::BDCSVD<MatrixD> svd(Td, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const VectorD root = svd.singularValues().head(rank).cwiseSqrt() / std::sqrt(std::abs(s));
    const double sign = s < 0 ? -1.0 : 1.0;
    Factors f;
    f.alpha = alpha;
    f.rslora = rslora;
    f.B = (sign * svd.matrixU().leftCols(rank) * root.asDiagonal()).cast<float>();
    f.A = (root.asDiagonal() * svd.matrixV().leftCols(rank).transpose()).cast<float>();
    return f;
}

}  // namespace loralab
