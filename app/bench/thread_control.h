// Thread counts for a bench run or one measurement. Eigen, OpenMP and a linked OpenBLAS each
// keep their own count; a measurement must use the run's count on all of them and leave them
// as they were, or the next case is timed on a different team.
#pragma once

namespace loralab {

// When OpenBLAS is linked (e.g. under Eigen with EIGEN_USE_BLAS), sets its thread count and
// returns the previous one; returns 0 and does nothing when it is not.
int setOpenBlasThreads(int threads);

// Sets Eigen's and OpenMP's thread counts (and, with `openBlasToo`, a linked OpenBLAS's) for a
// bench run or a measurement, and restores them when the scope ends or throws.
class ThreadScope {
public:
    ThreadScope(int threads, bool openBlasToo);
    ~ThreadScope();
    ThreadScope(const ThreadScope&) = delete;
    ThreadScope& operator=(const ThreadScope&) = delete;

private:
    int m_eigen, m_omp, m_blas = 0;
};

}  // namespace loralab
