// OpenMP's thread count for one test: set on construction (and by set()), restored on scope
// exit, also when an assertion fails midway.
#pragma once

#include <omp.h>

namespace loralab::test {

class OmpThreads {
public:
    explicit OmpThreads(int threads) { set(threads); }
    ~OmpThreads() { omp_set_num_threads(m_before); }
    OmpThreads(const OmpThreads&) = delete;
    OmpThreads& operator=(const OmpThreads&) = delete;

    void set(int threads) { omp_set_num_threads(threads); }

private:
    int m_before = omp_get_max_threads();
};

}  // namespace loralab::test
