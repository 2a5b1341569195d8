#include "bench/thread_control.h"

#include <Eigen/Core>
#include <dlfcn.h>
#include <omp.h>

namespace loralab {

ThreadScope::ThreadScope(int threads, bool openBlasToo)
    : m_eigen(Eigen::nbThreads()), m_omp(omp_get_max_threads()) {
    Eigen::setNbThreads(threads);
    omp_set_num_threads(threads);
    if (openBlasToo) m_blas = setOpenBlasThreads(threads);
}

// In the reverse order of the constructor: OpenBLAS's OpenMP build sets OpenMP's count too.
ThreadScope::~ThreadScope() {
    if (m_blas > 0) setOpenBlasThreads(m_blas);
    omp_set_num_threads(m_omp);
    Eigen::setNbThreads(m_eigen);
}

int setOpenBlasThreads(int threads) {
    // Looked up in the process, never loaded: only an OpenBLAS that is already linked counts.
    using SetThreads = void (*)(int);
    using GetThreads = int (*)();
    if (!dlsym(RTLD_DEFAULT, "openblas_get_corename")) return 0;  // another BLAS, or none
    const auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    const auto get = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    if (!set || !get) return 0;
    const int before = get();
    set(threads);
    return before;
}

}  // namespace loralab
