// Argument checks shared by every public entry point of the core.
#include "loralab/types.h"

#include "kernels.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <thread>

#if defined(_OPENMP)
#include <omp.h>
#endif

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

bool allFinite(const Matrix& m) { return detail::kernels().allFinite(m.data(), m.size()); }

int resolveThreads(int requested) {
    if (requested < 0)
        throw std::invalid_argument("threads: " + std::to_string(requested) +
                                    "; must be >= 0 (0 = all cores)");
    if (requested > 0) return requested;
#if defined(_OPENMP)
    return std::max(1, omp_get_num_procs());
#else
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
#endif
}

void requireFinite(double x, const std::string& name, bool positive) {
    if (!std::isfinite(x) || (positive && !(x > 0.0))) {
        std::ostringstream os;
        os << name << " = " << x << "; must be " << (positive ? "finite and > 0" : "finite");
        throw std::invalid_argument(name + ": " + os.str());
    }
}

}  // namespace loralab
