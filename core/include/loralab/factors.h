// LoRA factors: ΔW = s·B·A with B (d×r), A (r×k), s = α/r (or α/√r with rsLoRA).
//
// Shapes:  B  d×r     A  r×k     ΔW, W, T  d×k
#pragma once

#include "loralab/analysis.h"
#include "loralab/types.h"

#include <string>

namespace loralab {

enum class Init {
    Peft,      // B = 0, A ~ U(−1/√k, 1/√k): ΔW = 0 at step 0 (Hugging Face peft's default)
    Gaussian,  // B = 0, A ~ N(0, 1/r) (peft's init_lora_weights="gaussian")
    Svd,       // B, A from the target's top-r singular triplets: starts at the Eckart–Young floor
};

// Names used on the command line and in presets: "peft", "gaussian", "svd".
const char* initName(Init init);
Init parseInit(const std::string& name);  // throws std::invalid_argument listing the choices

// s = α/r, or α/√r for rsLoRA. Throws unless rank >= 1 and α finite.
double loraScale(double alpha, Index rank, bool rslora);

struct Factors {
    Matrix B;  // d×r
    Matrix A;  // r×k
    double alpha = 1.0;
    bool rslora = false;

    Index d() const { return B.rows(); }
    Index k() const { return A.cols(); }
    Index rank() const { return A.rows(); }
    double scale() const { return loraScale(alpha, rank(), rslora); }

    Matrix deltaW() const;                  // s·B·A (d×k); forms the full matrix, for display/tests
    Matrix merge(const Matrix& W) const;    // W + s·B·A; throws if W is not d×k
    bool allFinite() const;
};

// Factors of the given shape with B = 0 and A initialized per `init` (Peft or Gaussian).
// For Init::Svd use svdInitFactors. Throws on a bad shape or non-finite α.
Factors makeFactors(Index d, Index k, Index rank, double alpha, bool rslora, Init init,
                    std::uint64_t seed);

// Factors whose product s·B·A is the best rank-r approximation of T, split evenly
// (B = U√Σ/√s, A = √Σ Vᵀ/√s), from T's top r singular triplets (topSpectrum).
Factors svdInitFactors(const Matrix& T, Index rank, double alpha, bool rslora);
// The same from a spectrum already computed; throws unless it holds r values and vectors.
Factors svdInitFactors(const Spectrum& sp, Index rank, double alpha, bool rslora);

// Fill rows [row0, A.rows()) of A as `init` would (U(−1/√k, 1/√k) for Peft, N(0, 1/r) for
// Gaussian). Used when the rank grows.
void initARows(Matrix& A, Index row0, Init init, std::uint64_t seed);

}  // namespace loralab
