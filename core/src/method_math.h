// Forward and backward of every fine-tuning method, on dense matrices, for any scalar: float in
// production (core/src/method_*.cpp), double in the tests' central-difference checks.
//
// Shapes:  W0 (the frozen base as stored), W* (the target weight), W', G  d×k
//          B d×r   A r×k   m, λb d×1   λd r×1   D d×k
// Loss:    L = ‖W' − W*‖²_F/(dk), summed in double;  G = ∂L/∂W' = 2(W' − W*)/(dk)
//
//   full   W' = W0 + D                             dD = G
//   lora   W' = W0 + s·B·A                         dB = s·G·Aᵀ, dA = s·Bᵀ·G
//   dora   V = W0 + s·B·A, c = ‖V‖_row, W' = (m/c) ⊙_row V
//          dm = ⟨G, V⟩_row / c
//          detached norm (peft, DoRA paper §4.3: c is a constant in the backward pass):
//              dV = (m/c) ⊙_row G
//          exact:  dV = (m/c) ⊙_row (G − (⟨G, V⟩_row/c²) ⊙_row V)
//          dB = s·dV·Aᵀ, dA = s·Bᵀ·dV
//   vera   W' = W0 + diag(λb)·B·diag(λd)·A  (B, A frozen)
//          with GA = G·Aᵀ (d×r):  dλb_i = Σ_j B_ij λd_j GA_ij,  dλd_j = Σ_i λb_i B_ij GA_ij
#pragma once

#include <Eigen/Dense>

namespace loralab::method_math {

template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

// L from W' − W*, and G when asked. E holds W' − W* on entry and is overwritten by G.
template <class S>
double residualLoss(Mat<S>& E, bool wantGrad) {
    const double dk = static_cast<double>(E.rows()) * static_cast<double>(E.cols());
    double sum = 0.0;
    for (Eigen::Index j = 0; j < E.cols(); ++j)
        sum += E.col(j).template cast<double>().squaredNorm();
    if (wantGrad) E *= static_cast<S>(2.0 / dk);
    return sum / dk;
}

template <class S>
double fullLossGrad(const Mat<S>& W0, const Mat<S>& Wstar, const Mat<S>& D, Mat<S>* dD) {
    Mat<S> E = W0 + D - Wstar;
    const double loss = residualLoss(E, dD != nullptr);
    if (dD) *dD = std::move(E);
    return loss;
}

template <class S>
double loraLossGrad(const Mat<S>& W0, const Mat<S>& Wstar, const Mat<S>& B, const Mat<S>& A,
                    S s, Mat<S>* dB, Mat<S>* dA) {
    Mat<S> E = W0 - Wstar;
    E.noalias() += s * (B * A);
    const bool grad = dB && dA;
    const double loss = residualLoss(E, grad);
    if (grad) {
        *dB = s * (E * A.transpose());
        *dA = s * (B.transpose() * E);
    }
    return loss;
}

// `fixedNorm` (d×1), when given, stands in for c = ‖V‖_row: the loss with the norm held constant,
// whose gradient at c = ‖V‖_row is the detached one (the tests differentiate it).
template <class S>
double doraLossGrad(const Mat<S>& W0, const Mat<S>& Wstar, const Mat<S>& m, const Mat<S>& B,
                    const Mat<S>& A, S s, bool exactNorm, const Mat<S>* fixedNorm, Mat<S>* dm,
                    Mat<S>* dB, Mat<S>* dA) {
    Mat<S> V = W0;
    V.noalias() += s * (B * A);
    const Mat<S> c = fixedNorm ? *fixedNorm : Mat<S>(V.rowwise().norm());
    const Mat<S> scale = m.array() / c.array();  // d×1
    Mat<S> E = scale.col(0).asDiagonal() * V;
    E -= Wstar;
    const bool grad = dm && dB && dA;
    const double loss = residualLoss(E, grad);  // E is G from here on
    if (!grad) return loss;
    const Mat<S> gv = E.cwiseProduct(V).rowwise().sum();  // ⟨G, V⟩_row
    *dm = gv.array() / c.array();
    if (exactNorm)
        E -= Mat<S>(gv.array() / c.array().square()).col(0).asDiagonal() * V;
    const Mat<S> dV = scale.col(0).asDiagonal() * E;
    *dB = s * (dV * A.transpose());
    *dA = s * (B.transpose() * dV);
    return loss;
}

template <class S>
double veraLossGrad(const Mat<S>& W0, const Mat<S>& Wstar, const Mat<S>& B, const Mat<S>& A,
                    const Mat<S>& lb, const Mat<S>& ld, Mat<S>* dlb, Mat<S>* dld) {
    const Mat<S> Bs = lb.col(0).asDiagonal() * B * ld.col(0).asDiagonal();  // diag(λb)·B·diag(λd)
    Mat<S> E = W0 - Wstar;
    E.noalias() += Bs * A;
    const bool grad = dlb && dld;
    const double loss = residualLoss(E, grad);
    if (!grad) return loss;
    const Mat<S> GA = E * A.transpose();  // d×r
    const Mat<S> BGA = B.cwiseProduct(GA);
    *dlb = BGA * ld;                              // Σ_j B_ij GA_ij λd_j
    *dld = BGA.transpose() * lb;                  // Σ_i λb_i B_ij GA_ij
    return loss;
}

}  // namespace loralab::method_math
