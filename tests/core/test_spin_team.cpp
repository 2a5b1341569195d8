// The spinning team (core/src/spin_team.h, internal): every thread of a region runs once, the
// barrier separates phases, sleeping workers wake, and every case the header promises runs
// inline really does (nested regions, OpenMP regions, a second caller, a forked child).
#include "spin_team.h"

#include <gtest/gtest.h>
#include <omp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace {

using loralab::detail::SpinTeam;

SpinTeam& team() { return SpinTeam::instance(); }

// Waits (up to a generous bound, so that a broken handshake fails instead of hanging) until
// the team's workers have all gone to sleep.
bool waitUntilAsleep() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (team().awake()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

TEST(SpinTeam, EachThreadOfARegionRunsOnceWithTheTeamSize) {
    for (int threads : {1, 2, 3, 4, 2, 1}) {
        std::vector<std::atomic<int>> runs(static_cast<std::size_t>(threads));
        std::atomic<int> badSize{0};
        auto body = [&](int t, int n) {
            if (n != threads) badSize.fetch_add(1);
            runs[static_cast<std::size_t>(t)].fetch_add(1);
            EXPECT_TRUE(SpinTeam::inRegion() || n == 1);
        };
        EXPECT_EQ(team().run(threads, body), threads);
        EXPECT_EQ(badSize.load(), 0) << threads << " threads";
        for (int t = 0; t < threads; ++t) EXPECT_EQ(runs[t].load(), 1) << "thread " << t;
        EXPECT_FALSE(SpinTeam::inRegion());
    }
}

// Each round every thread writes its slot, meets the others at the barrier, then checks that it
// sees every slot of this round, and meets them again before the next round overwrites them.
// Three threads on a two-core machine also exercise the yield in the waits (slowly: a thread
// that waits for one without a core yields only after spinning for a millisecond).
TEST(SpinTeam, BarrierSeparatesPhases) {
    for (int threads : {2, 3}) {
        const int kRounds = threads == 2 ? 2000 : 300;
        std::vector<std::atomic<int>> slot(static_cast<std::size_t>(threads));
        std::atomic<int> stale{0};
        auto body = [&](int t, int n) {
            for (int round = 1; round <= kRounds; ++round) {
                slot[static_cast<std::size_t>(t)].store(round, std::memory_order_relaxed);
                team().barrier(n);
                for (int u = 0; u < n; ++u)
                    if (slot[static_cast<std::size_t>(u)].load(std::memory_order_relaxed) != round)
                        stale.fetch_add(1);
                team().barrier(n);
            }
        };
        ASSERT_EQ(team().run(threads, body), threads);
        EXPECT_EQ(stale.load(), 0) << threads << " threads";
    }
}

// Back-to-back regions, with the workers sometimes asleep when the region is posted (the
// sleep/wake handshake) and sometimes spinning: none is lost or run twice.
TEST(SpinTeam, ManyRegionsInARowAreEachRunOnce) {
    std::atomic<long> sum{0};
    long want = 0;
    const std::uint64_t wakeupsBefore = team().wakeups();
    for (int region = 0; region < 5000; ++region) {
        const int threads = 2 + region % 2;
        auto body = [&](int t, int) { sum.fetch_add(t + 1); };
        ASSERT_EQ(team().run(threads, body), threads);
        want += threads * (threads + 1) / 2;
        if (region % 1000 == 999) {
            team().park();
            ASSERT_TRUE(waitUntilAsleep());
        }
    }
    EXPECT_EQ(sum.load(), want);
    EXPECT_GT(team().wakeups(), wakeupsBefore);  // the parked workers were woken
}

TEST(SpinTeam, ParkedWorkersSleepAndTheNextRegionWakesThem) {
    auto nothing = [](int, int) {};
    ASSERT_EQ(team().run(2, nothing), 2);
    team().park();
    ASSERT_TRUE(waitUntilAsleep());
    const std::uint64_t before = team().wakeups();
    std::atomic<int> ran{0};
    auto count = [&](int, int) { ran.fetch_add(1); };
    EXPECT_EQ(team().run(2, count), 2);
    EXPECT_EQ(ran.load(), 2);
    EXPECT_GE(team().wakeups(), before + 1);
}

TEST(SpinTeam, NestedRegionRunsInline) {
    std::atomic<int> innerSizes{0}, innerRuns{0};
    auto body = [&](int, int) {
        auto inner = [&](int, int n) {
            innerSizes.fetch_add(n);
            innerRuns.fetch_add(1);
        };
        EXPECT_EQ(team().run(2, inner), 1);
    };
    ASSERT_EQ(team().run(2, body), 2);
    EXPECT_EQ(innerRuns.load(), 2);  // once per outer thread, each alone
    EXPECT_EQ(innerSizes.load(), 2);
}

TEST(SpinTeam, RegionInsideAnOpenMpRegionRunsInline) {
    std::atomic<int> sizes{0}, runs{0};
#pragma omp parallel num_threads(2)
    {
        auto body = [&](int, int n) {
            sizes.fetch_add(n);
            runs.fetch_add(1);
        };
        team().run(2, body);
    }
    const int ompThreads = runs.load();  // the runtime may grant fewer than 2
    EXPECT_GE(ompThreads, 1);
    EXPECT_EQ(sizes.load(), ompThreads);  // each ran alone
}

// Two callers at once: one gets the team, the other runs inline (or gets it later); every
// region runs each of its threads once and neither waits forever.
TEST(SpinTeam, ConcurrentCallersEachCompleteTheirRegions) {
    constexpr int kRegions = 2000;
    std::atomic<long> sum{0};
    std::atomic<long> want{0};
    auto caller = [&] {
        for (int i = 0; i < kRegions; ++i) {
            auto body = [&](int t, int) { sum.fetch_add(t + 1); };
            const int n = team().run(2, body);
            want.fetch_add(n * (n + 1) / 2);
        }
    };
    std::thread other(caller);
    caller();
    other.join();
    EXPECT_EQ(sum.load(), want.load());
}

// A child of fork() has no workers: its regions must run inline rather than wait for them.
TEST(SpinTeam, ForkedChildRunsRegionsInline) {
    auto nothing = [](int, int) {};
    ASSERT_EQ(team().run(2, nothing), 2);  // the workers exist in the parent
    const pid_t child = fork();
    ASSERT_NE(child, -1);
    if (child == 0) {
        int ran = 0;
        auto body = [&](int, int) { ++ran; };
        const int n = team().run(2, body);
        _exit(n == 1 && ran == 1 ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
