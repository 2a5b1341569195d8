// The core's thread teams (internal to core/src): every parallel region of the core goes
// through onTeam() (an OpenMP team) or onSpinTeam() (spin_team.h: persistent spinning threads,
// for short regions whose bodies start no threads of their own), and splits its work with
// share().
#pragma once

#include "loralab/types.h"
#include "spin_team.h"

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
// OpenMP: libgomp builds and frees a whole team even for `parallel if (false)`, which costs more
// than a small step's Gram products. body must not
// throw: an exception cannot leave an OpenMP region. Inside body, synchronize with
// teamBarrier(n), never a bare `omp barrier`: run inline from a thread of someone else's
// parallel region, that one would wait for the other threads of that region. Inside a region of
// the spinning team it runs inline too; otherwise it parks that team's spinners first, so that
// the two kinds of threads never wait for the same core.
template <class Body>
int onTeam(int threads, Body&& body) {
#if defined(_OPENMP)
    if (threads > 1 && !SpinTeam::inRegion()) {
        SpinTeam::instance().park();
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

// The same contract on the spinning team: body(t, n) on n threads (1 when that team is busy,
// or inside an OpenMP region: see SpinTeam::run). body must not throw, and must not start
// threads: no Eigen or BLAS product from kEigenForkWork multiply-adds on (objective.h).
template <class Body>
int onSpinTeam(int threads, Body&& body) {
    return SpinTeam::instance().run(threads, body);
}

// A barrier for the team onTeam() or onSpinTeam() made: all of its n threads call it. With
// n = 1 there is nothing to wait for, and no barrier at all: an orphaned `omp barrier` binds to
// the innermost enclosing parallel region, which for an inline body may be a caller's team of
// several threads (they would never arrive).
inline void teamBarrier(int n) {
    if (n <= 1) return;
    if (SpinTeam::inRegion()) {
        SpinTeam::instance().barrier(n);
        return;
    }
#if defined(_OPENMP)
#pragma omp barrier
#endif
}

}  // namespace loralab::detail
