// Shared types and argument checks for the LoRA Lab core.
//
// All matrices are column-major single precision (what BLAS and the GPU-sized bench use);
// reductions that can cancel (losses near the floor) are accumulated in double.
#pragma once

#include <Eigen/Dense>

#include <cstdint>
#include <string>

namespace loralab {

using Index = Eigen::Index;
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
using Vector = Eigen::Matrix<float, Eigen::Dynamic, 1>;
using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
using VectorD = Eigen::Matrix<double, Eigen::Dynamic, 1>;

// Throws std::invalid_argument("<what>: <detail>") when `ok` is false. Used by every public entry
// point to validate its inputs; the message names the value and what is allowed.
void require(bool ok, const std::string& what, const std::string& detail);

// Checks 1 <= rank <= min(d, k) and d, k > 0; throws std::invalid_argument naming the bad value.
void requireShape(Index d, Index k, Index rank);

// Checks that x is finite (and > 0 when `positive`); throws naming `name`.
void requireFinite(double x, const std::string& name, bool positive = false);

// True when every entry of m is finite (no NaN, no ±inf): one pass of the active SIMD kernels
// (the trainer checks its factors and gradients after every step).
bool allFinite(const Matrix& m);

// The thread count a config asks for: `requested` when >= 1, all the cores this process may
// use when 0. Throws std::invalid_argument when negative.
int resolveThreads(int requested);

}  // namespace loralab
