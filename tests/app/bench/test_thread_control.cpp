// Thread counts (app/bench/thread_control.h): a scope sets Eigen's and OpenMP's counts and puts
// them back when it ends, also when it ends by an exception.
#include "bench/thread_control.h"

#include <gtest/gtest.h>

#include <Eigen/Core>
#include <omp.h>

#include <stdexcept>

using namespace loralab;

TEST(ThreadControl, AScopeSetsTheCountsAndRestoresThem) {
    omp_set_num_threads(3);
    Eigen::setNbThreads(3);
    {
        const ThreadScope scope(1, true);
        EXPECT_EQ(omp_get_max_threads(), 1);
        EXPECT_EQ(Eigen::nbThreads(), 1);
    }
    EXPECT_EQ(omp_get_max_threads(), 3);
    EXPECT_EQ(Eigen::nbThreads(), 3);
    try {
        const ThreadScope scope(2, false);
        EXPECT_EQ(omp_get_max_threads(), 2);
        throw std::runtime_error("a failed measurement");
    } catch (const std::runtime_error&) {
    }
    EXPECT_EQ(omp_get_max_threads(), 3);
    EXPECT_EQ(Eigen::nbThreads(), 3);
}

TEST(ThreadControl, OpenBlasCountIsSetAndRestoredWhenItIsLinked) {
    const int before = setOpenBlasThreads(1);
    if (before == 0) GTEST_SKIP() << "OpenBLAS is not linked into this build";
    EXPECT_EQ(setOpenBlasThreads(before), 1);  // it held the count we gave it
}
