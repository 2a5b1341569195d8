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

// Runs body(t, n) on each thread t of an OpenMP team of `threads` and returns the team's size n
// (the runtime may grant fewer threads than asked). One thread runs body(0, 1) inline, outside
// OpenMP: libgomp builds and frees a whole team even for `parallel if (false)`, measured at
// 1.3 µs per region here (3.6 µs nested), more than a 256² step's Gram products. body must not
// throw: an exception cannot leave an OpenMP region. Inside body, synchronize with
// teamBarrier(n), never a bare `omp barrier`: run inline from a thread of someone else's
// parallel region, that one would wait for the other threads of that region.
template <class Body>
int onTeam(int threads, Body&& body) {
#if defined(_OPENMP)
    if (threads > 1) {
        int used = 1;
#pragma omp parallel num_threads(threads)
        {
            const int t = omp_get_thread_num(), n = omp_get_num_threads();
            if (t == 0) used = n;
            body(t, n);
        }
        return used;
    }
#else
    (void)threads;
#endif
    body(0, 1);
    return 1;
}

// A barrier for the team onTeam() made: all of its n threads call it. With n = 1 there is
// nothing to wait for, and no barrier at all: an orphaned `omp barrier` binds to the innermost
// enclosing parallel region, which for an inline body may be a caller's team of several threads
// (they would never arrive).
inline void teamBarrier(int n) {
#if defined(_OPENMP)
    if (n > 1) {
#pragma omp barrier
    }
#else
    (void)n;
#endif
}

}  // namespace loralab::detail
