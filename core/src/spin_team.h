// A team of persistent threads that wait for work by spinning, for parallel regions short
// enough that an OpenMP fork and join cost a real share of them (internal to core/src).
//
// Why not OpenMP: libgomp wakes its team with a futex call on every fork and again at the join.
// On a VM whose kernel runs with page-table isolation and no PCID, a thread's next pass over
// data streamed from L3 runs markedly slower after any system call; together with the fork and
// join themselves that was a real share of a small fit step. Here the caller and the workers
// meet through one cache line each way, and no system call is made while the workers are awake.
//
// The rules that keep it from fighting OpenMP and the BLAS (one threading layer in charge at a
// time):
//   * bodies must not start threads of their own: no Eigen or BLAS product large enough to
//     fork (Eigen does from about 1e5 multiply-adds when it is not inside an OpenMP region,
//     and these workers are not). Callers check that before choosing this team;
//   * workers spin for kSpinWindow after their last region, then sleep on a condition
//     variable (waking them costs one notify). Every OpenMP region the core starts parks them
//     first (onTeam in team.h), so that its threads never wait for a core a spinner holds;
//   * run() from inside a region of this team, from inside an OpenMP region, from a second
//     thread while another caller's region runs, or in a child process after fork() runs the
//     body inline on the caller (n = 1).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace loralab::detail {

class SpinTeam {
public:
    // How long an idle worker spins before it sleeps.
    static constexpr std::chrono::microseconds kSpinWindow{200};

    // The process's team (created on first use, never destroyed: workers may still be spinning
    // while static destructors run at exit).
    static SpinTeam& instance();

    // Runs body(t, n) for t = 0..n-1, t = 0 on the caller, and returns n: `threads`, or 1 when
    // the team is in use or the caller is inside an OpenMP region (see above). body must not
    // throw. Inside it, synchronize with barrier(n) (teamBarrier in team.h does).
    template <class Body>
    int run(int threads, Body& body) {
        using Fn = std::remove_reference_t<Body>;
        if (threads <= 1 || !enter()) {
            body(0, 1);
            return 1;
        }
        const int n = dispatch(threads, [](void* b, int t, int size) { (*static_cast<Fn*>(b))(t, size); },
                               static_cast<void*>(&body));
        body(0, n);
        finish(n);
        return n;
    }

    // All n threads of the current region call this; none returns before all have arrived.
    void barrier(int n);

    // Tells spinning workers to sleep now (an OpenMP region is about to start). Cheap: one
    // atomic increment, no system call.
    void park() { m_park.fetch_add(1, std::memory_order_relaxed); }

    // True on the caller and the workers while they run a region of this team.
    static bool inRegion();

    // True while a worker is awake (spinning for the next region or running one): a region
    // started now would not wait for a thread to be woken or for a core another team holds.
    bool awake() const { return m_awake.load(std::memory_order_relaxed) > 0; }

    // How many workers have slept and been woken since the process started (for tests).
    std::uint64_t wakeups() const { return m_wakeups.load(std::memory_order_relaxed); }

    SpinTeam(const SpinTeam&) = delete;
    SpinTeam& operator=(const SpinTeam&) = delete;

private:
    using Job = void (*)(void*, int, int);

    // One per worker. The caller writes the job and then `start`; the worker writes `done`
    // (its own line, so the two never pull one line back and forth).
    struct Worker {
        alignas(64) std::atomic<std::uint64_t> start{0};  // the last region handed to it
        Job job = nullptr;
        void* body = nullptr;
        int size = 1;
        std::atomic<bool> sleeping{false};
        alignas(64) std::atomic<std::uint64_t> done{0};  // the last region it finished
        std::thread thread;
    };

    SpinTeam() = default;
    ~SpinTeam() = default;

    bool enter();
    int dispatch(int threads, Job job, void* body);
    void finish(int n);
    void work(Worker& w, int t, std::uint64_t seen);
    void waitForStart(Worker& w, std::uint64_t seen);

    std::uint64_t m_region = 0;  // regions started (only the caller inside m_busy touches it)
    alignas(64) std::atomic<int> m_arrived{0};
    std::atomic<std::uint64_t> m_barrierGeneration{0};
    alignas(64) std::atomic<bool> m_busy{false};
    std::atomic<bool> m_forked{false};
    std::atomic<std::uint64_t> m_park{0};
    std::atomic<std::uint64_t> m_wakeups{0};
    std::atomic<int> m_awake{0};  // workers not asleep
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<std::unique_ptr<Worker>> m_workers;  // worker t is m_workers[t - 1]; grows
                                                     // inside a region, never shrinks
};

}  // namespace loralab::detail
