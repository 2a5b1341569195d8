// What the window shows about the frozen base, computed with no ImGui or GL so tests check it:
//
//   W0ₛ (d×k)          the base as held in memory (frozen), and W0 − W0ₛ, its quantization error
//   s·B·A, W' = W0ₛ + s·B·A, W* = W0 + T, and the residual W* − W'
//   mergeError         what storing the merged weight in `precision` rounds away:
//                      round(W0ₛ + s·B·A) − (W0ₛ + s·B·A) (zero in fp32)
//   unmergeError       after merging and unmerging again, base − W0ₛ (the rounding a hot swap
//                      through merging leaves in the base)
//   forward            y = W0ₛx + s·B(Ax) against W'x after merging, for one fixed input x
//   qloraMergeLoss     ‖W0 + s·B·A − W*‖²/(dk): the adapter trained on W0ₛ merged into the
//                      full-precision W0 (the quantization error it learned to cancel returns)
#pragma once

#include "loralab/base.h"
#include "loralab/merge.h"

namespace loralab {

struct BaseView {
    Matrix stored, quantError;
    Matrix adapter, effective, wanted, residual;
    Matrix mergeError, unmergeError;
    ForwardPass forward;
    MergePrecision precision = MergePrecision::Fp32;
    double quantizationError = 0;  // ‖W0 − W0ₛ‖²/(dk)
    double loss = 0;               // ‖W' − W*‖²/(dk)
    double qloraMergeLoss = 0;
    double mergeErrorMax = 0, unmergeErrorMax = 0;
    std::uint64_t baseBytes = 0, adapterBytes = 0;  // adapter: r·(d+k) fp32 values
};

// The input x the forward pass uses: k values, N(0, 1) from `seed` (the same every frame).
Vector forwardInput(Index k, std::uint64_t seed);

// Throws std::invalid_argument unless base, target T and factors agree in shape.
void updateBaseView(BaseView& view, const BaseWeight& base, const Matrix& target,
                    const Factors& factors, MergePrecision precision, const Vector& x);

}  // namespace loralab
