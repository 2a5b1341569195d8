// Argument checks shared by every public entry point of the core.
#include "loralab/types.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace loralab {

void require(bool ok, const std::string& what, const std::string& detail) {
    if (!ok) throw std::invalid_argument(what + ": " + detail);
}

void requireShape(Index d, Index k, Index rank) {
    if (d < 1 || k < 1) {
        std::ostringstream os;
        os << "d = " << d << ", k = " << k << "; both must be >= 1";
        throw std::invalid_argument("shape: " + os.str());
    }
    const Index maxRank = d < k ? d : k;
    if (rank < 1 || rank > maxRank) {
        std::ostringstream os;
        os << "rank = " << rank << "; allowed 1.." << maxRank << " (min(d, k) for d = " << d
           << ", k = " << k << ")";
        throw std::invalid_argument("rank: " + os.str());
    }
}

// x·0 is 0 (or −0) for every finite x and NaN for ±inf and NaN, so the sum of the products is
// 0 exactly when every entry is finite; the sum is a plain vectorized reduction. (Built without
// -ffast-math, which would let the compiler fold x·0 to 0.)
bool allFinite(const Matrix& m) { return (m.array() * 0.0f).sum() == 0.0f; }

void requireFinite(double x, const std::string& name, bool positive) {
    if (!std::isfinite(x) || (positive && !(x > 0.0))) {
        std::ostringstream os;
        os << name << " = " << x << "; must be " << (positive ? "finite and > 0" : "finite");
        throw std::invalid_argument(name + ": " + os.str());
    }
}

}  // namespace loralab
