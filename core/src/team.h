// The core's OpenMP teams (internal to core/src): the parallel regions of the fit kernel, the
// Gram step, the paired optimizer update and gemm() all go through onTeam(), and split their
// work with share().
#pragma once

#include "loralab/types.h"

#include <algorithm>
#include <utility>

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace loralab::detail {

// Items [begin, end) of thread t out of n over `extent` items: contiguous, each share a
// multiple of `grain` long (the last one takes what is left).
inline std::pair<Index, Index> share(Index extent, int t, int n, Index grain) {
    const Index per = ((extent + n - 1) / n + grain - 1) / grain * grain;
    const Index begin = std::min(extent, per * t);
    return {begin, std::min(extent, begin + per)};
}

// Runs body(t, n) on each thread t of an OpenMP team of `threads` (inline when 1) and returns
// the team's size n (the runtime may grant fewer threads than asked). body must not throw: an
// exception cannot leave an OpenMP region.
template <class Body>
int onTeam(int threads, Body&& body) {
    int used = 1;
#if defined(_OPENMP)
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
        const int t = omp_get_thread_num(), n = omp_get_num_threads();
        if (t == 0) used = n;
        body(t, n);
    }
#else
    (void)threads;
    body(0, 1);
#endif
    return used;
}

}  // namespace loralab::detail
