// Deterministic targets: every random draw comes from loralab::Rng, so a seed fixes the bits.
#include "loralab/target.h"

#include "huge_pages.h"
#include "loralab/names.h"
#include "loralab/rng.h"

#include <cmath>
#include <string>

namespace loralab {

namespace {

// Scale T so that ‖T‖²_F = d·k (unit RMS entries). The norm is accumulated in double.
void normalizeUnitRms(Matrix& T) {
    const double normSq = T.cast<double>().squaredNorm();
    if (normSq > 0.0) {
        const double target = static_cast<double>(T.rows()) * static_cast<double>(T.cols());
        T *= static_cast<float>(std::sqrt(target / normSq));
    }
}

}  // namespace

namespace {

constexpr Named<TargetKind> kTargetKinds[] = {
    {TargetKind::Full, "full"},         {TargetKind::LowRank, "lowrank"},
    {TargetKind::Identity, "identity"}, {TargetKind::Decay, "decay"},
    {TargetKind::File, "file"}};

}  // namespace

const char* targetKindName(TargetKind kind) { return nameIn(kTargetKinds, kind); }

TargetKind parseTargetKind(const std::string& name) {
    return parseIn(kTargetKinds, name, "target");
}

Matrix randomOrthonormal(Index d, Index n, std::uint64_t seed) {
    require(d >= 1 && n >= 1 && n <= d, "randomOrthonormal",
            "d = " + std::to_string(d) + ", n = " + std::to_string(n) +
                "; need 1 <= n <= d");
    MatrixD G(d, n);
    Rng rng(seed);
    for (Index i = 0; i < G.size(); ++i) G.data()[i] = rng.normal();
    Eigen::HouseholderQR<MatrixD> qr(G);
    MatrixD Q = qr.householderQ() * MatrixD::Identity(d, n);
    const MatrixD& R = qr.matrixQR();
    // Q·R is unique once diag(R) > 0: flip the columns whose R_jj is negative.
    for (Index j = 0; j < n; ++j)
        if (R(j, j) < 0.0) Q.col(j) = -Q.col(j);
    return Q.cast<float>();
}

Matrix makeTarget(const TargetSpec& spec) {
    require(spec.d >= 1 && spec.k >= 1, "target size",
            "d = " + std::to_string(spec.d) + ", k = " + std::to_string(spec.k) +
                "; both must be >= 1");
    const Index d = spec.d, k = spec.k, m = d < k ? d : k;
    Rng rng(spec.seed);
    switch (spec.kind) {
        case TargetKind::Full: {
            Matrix T = hugeMatrix(d, k);
            rng.fillNormal(T);
            normalizeUnitRms(T);
            return T;
        }
        case TargetKind::LowRank: {
            require(spec.targetRank >= 1 && spec.targetRank <= m, "target rank",
                    "r* = " + std::to_string(spec.targetRank) + "; allowed 1.." +
                        std::to_string(m) + " (min(d, k))");
            Matrix U(d, spec.targetRank), V(spec.targetRank, k);
            rng.fillNormal(U);
            rng.fillNormal(V);
            Matrix T = hugeMatrix(d, k);
            T.noalias() = U * V;
            normalizeUnitRms(T);
            return T;
        }
        case TargetKind::Identity: {
            Matrix T = hugeMatrix(d, k);
            T.setIdentity();
            return T;
        }
        case TargetKind::Decay: {
            require(std::isfinite(spec.decayPower) && spec.decayPower >= 0.0, "decay power",
                    "p = " + std::to_string(spec.decayPower) + "; must be finite and >= 0");
            const std::uint64_t seedU = rng.nextU64();
            const std::uint64_t seedV = rng.nextU64();
            const MatrixD U = randomOrthonormal(d, m, seedU).cast<double>();
            const MatrixD V = randomOrthonormal(k, m, seedV).cast<double>();
            VectorD sigma(m);
            for (Index i = 0; i < m; ++i)
                sigma[i] = std::pow(static_cast<double>(i + 1), -spec.decayPower);
            const MatrixD Td = U * sigma.asDiagonal() * V.transpose();
            Matrix T = hugeMatrix(d, k);
            T = Td.cast<float>();
            normalizeUnitRms(T);
            return T;
        }
        case TargetKind::File:
            throw std::invalid_argument(
                "target kind: 'file' has no generator; the caller supplies the matrix "
                "(allowed here: full, lowrank, identity, decay)");
    }
    throw std::invalid_argument("target kind: unknown value");
}

}  // namespace loralab
