// The top singular triplets of a large matrix without its full SVD: what the Eckart–Young floor,
// the svd init and φ need, in O(d·k·b) work per pass over T instead of O(d·k·min(d, k)).
//
//   T        d×k, float, read only (never copied; threads read it concurrently)
//   n        triplets wanted, 1 <= n <= min(d, k)
//   sigma    n singular values, descending          U  d×n, V  k×n (orthonormal columns)
//   normSq   ‖T‖²_F               restSq   ‖T − U·Uᵀ·T‖²_F, the energy beyond the top n
//
// Method: a block Golub–Kahan–Lanczos iteration (blocks of about 3√n columns, restarted on its
// top n + oversampling Ritz vectors) whose products with T run multithreaded in float (the
// fit's one-pass kernel, thin_products.h) until float precision can tell no more, then, where
// the floor is too small a share of ‖T‖² for float, in double (T converted a tile at a time)
// until the tail energy settles. The result ends with one pass that projects T onto the top
// left vectors and sums the squares of the residual's entries in double: restSq comes from
// that residual, never from ‖T‖² − Σσᵢ², so a floor of 1e-15·‖T‖² (a low-rank target) keeps
// its digits. Floors Σ_{i>r} σᵢ² = restSq + Σ_{r<i<=n} σᵢ² (r <= n) are then within 1e-6 relative
// of a dense double SVD's (tests/core/test_partial_svd.cpp checks random, low-rank, decaying
// and picture-like targets).
//
// Long runs report progress and can be cancelled: both callbacks run on the calling thread
// between passes over T (a pass is at most a few hundred milliseconds at 16384²).
#pragma once

#include "loralab/types.h"

#include <exception>
#include <functional>

namespace loralab {

struct SvdControl {
    // Threads the passes over T run on; 0 = every core this process may use (resolveThreads).
    int threads = 0;
    // Fraction of the work done, in [0, 1], non-decreasing; 1 once the result is complete.
    std::function<void(double fraction)> progress;
    // Polled between passes over T; returning true abandons the computation (throws Cancelled).
    std::function<bool()> cancelled;
};

// Thrown when SvdControl::cancelled returned true. Nothing the caller passed is modified.
class Cancelled : public std::exception {
public:
    const char* what() const noexcept override { return "computation cancelled"; }
};

struct TopSvd {
    VectorD sigma;        // n, descending
    Matrix U;             // d×n left singular vectors
    Matrix V;             // k×n right singular vectors
    double normSq = 0.0;  // ‖T‖²_F (double sum)
    double restSq = 0.0;  // ‖T − U Uᵀ T‖²_F (double sum of the residual's squared entries)
    int passes = 0;       // passes over T it took (each streams T once)
};

// The top n triplets of T. `warm` (optional, k×m with orthonormal columns, e.g. the V of an
// earlier call with a smaller n) seeds the iteration: extending a spectrum costs less than
// starting over. Throws std::invalid_argument for an empty or non-finite T or n outside
// 1..min(d, k), and Cancelled when control.cancelled says so.
TopSvd topSvd(const Matrix& T, Index n, const SvdControl& control = {},
              const Matrix* warm = nullptr);

// Bytes topSvd allocates besides T at this shape (its bases and workspaces, per thread).
double topSvdMemoryBytes(Index d, Index k, Index n, int threads);

}  // namespace loralab
