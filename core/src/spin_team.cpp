// The spinning team (see spin_team.h).
#include "spin_team.h"

#include <algorithm>
#include <system_error>

#if defined(_OPENMP)
#include <omp.h>
#endif
#if defined(__unix__)
#include <pthread.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace loralab::detail {

namespace {

thread_local bool t_inRegion = false;

void relax() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#endif
}

// Spins until done() holds. Past kPatience it also yields on each check, so that a thread
// that shares its core with the one it waits for (more threads than cores, valgrind) lets
// that one run.
template <class Done>
void spinUntil(Done&& done) {
    constexpr std::chrono::milliseconds kPatience{1};
    std::chrono::steady_clock::time_point since{};
    for (unsigned i = 1;; ++i) {
        if (done()) return;
        relax();
        if (i % 256 != 0) continue;
        const auto now = std::chrono::steady_clock::now();
        if (since == std::chrono::steady_clock::time_point{}) since = now;
        else if (now - since > kPatience) std::this_thread::yield();
    }
}

}  // namespace

SpinTeam& SpinTeam::instance() {
    static SpinTeam* const team = [] {
        auto* t = new SpinTeam;  // never destroyed (see the header)
#if defined(__unix__)
        // A child of fork() has the caller's thread only: it runs every region inline.
        pthread_atfork(nullptr, nullptr, [] { instance().m_forked.store(true); });
#endif
        return t;
    }();
    return *team;
}

bool SpinTeam::inRegion() { return t_inRegion; }

bool SpinTeam::enter() {
    if (t_inRegion || m_forked.load(std::memory_order_relaxed)) return false;
#if defined(_OPENMP)
    if (omp_in_parallel()) return false;
#endif
    return !m_busy.exchange(true, std::memory_order_acquire);
}

int SpinTeam::dispatch(int threads, Job job, void* body) {
    const std::uint64_t region = ++m_region;
    while (m_workers.size() + 1 < static_cast<std::size_t>(threads)) {
        auto w = std::make_unique<Worker>();
        w->start.store(region - 1, std::memory_order_relaxed);
        w->done.store(region - 1, std::memory_order_relaxed);
        m_awake.fetch_add(1, std::memory_order_relaxed);
        try {
            const int t = static_cast<int>(m_workers.size()) + 1;
            // The worker starts from region - 1, not from what it reads in `start`: by the time
            // it runs, this region may already be posted there, and it would wait for the next.
            w->thread = std::thread([this, t, p = w.get(), seen = region - 1] { work(*p, t, seen); });
        } catch (const std::system_error&) {
            m_awake.fetch_sub(1, std::memory_order_relaxed);
            break;  // no more threads to be had: run with the ones there are
        }
#if defined(__linux__)
        pthread_setname_np(w->thread.native_handle(), "loralab-team");
#endif
        w->thread.detach();
        m_workers.push_back(std::move(w));
    }
    const int n = static_cast<int>(std::min(m_workers.size() + 1, static_cast<std::size_t>(threads)));
    for (int t = 1; t < n; ++t) {
        Worker& w = *m_workers[static_cast<std::size_t>(t - 1)];
        w.job = job;
        w.body = body;
        w.size = n;
        // seq_cst, paired with the worker's `sleeping`: either the worker sees this region
        // before it sleeps, or this sees it asleep and wakes it.
        w.start.store(region, std::memory_order_seq_cst);
        if (w.sleeping.load(std::memory_order_seq_cst)) {
            { const std::lock_guard<std::mutex> lock(m_mutex); }
            m_wake.notify_all();
        }
    }
    t_inRegion = true;
    return n;
}

void SpinTeam::finish(int n) {
    for (int t = 1; t < n; ++t) {
        const Worker& w = *m_workers[static_cast<std::size_t>(t - 1)];
        spinUntil([&] { return w.done.load(std::memory_order_acquire) == m_region; });
    }
    t_inRegion = false;
    m_busy.store(false, std::memory_order_release);
}

void SpinTeam::barrier(int n) {
    if (n <= 1) return;
    const std::uint64_t generation = m_barrierGeneration.load(std::memory_order_acquire);
    if (m_arrived.fetch_add(1, std::memory_order_acq_rel) + 1 == n) {
        m_arrived.store(0, std::memory_order_relaxed);
        m_barrierGeneration.store(generation + 1, std::memory_order_release);
        return;
    }
    spinUntil([&] {
        return m_barrierGeneration.load(std::memory_order_acquire) != generation;
    });
}

void SpinTeam::waitForStart(Worker& w, std::uint64_t seen) {
    const auto parked = m_park.load(std::memory_order_relaxed);
    const auto until = std::chrono::steady_clock::now() + kSpinWindow;
    for (unsigned i = 1;; ++i) {
        if (w.start.load(std::memory_order_acquire) != seen) return;
        relax();
        if (i % 64 == 0 && (m_park.load(std::memory_order_relaxed) != parked ||
                            std::chrono::steady_clock::now() > until))
            break;
    }
    std::unique_lock<std::mutex> lock(m_mutex);
    m_awake.fetch_sub(1, std::memory_order_relaxed);
    w.sleeping.store(true, std::memory_order_seq_cst);
    m_wake.wait(lock, [&] { return w.start.load(std::memory_order_seq_cst) != seen; });
    w.sleeping.store(false, std::memory_order_relaxed);
    m_awake.fetch_add(1, std::memory_order_relaxed);
    m_wakeups.fetch_add(1, std::memory_order_relaxed);
}

void SpinTeam::work(Worker& w, int t, std::uint64_t seen) {
    for (;;) {
        waitForStart(w, seen);
        seen = w.start.load(std::memory_order_acquire);
        t_inRegion = true;
        w.job(w.body, t, w.size);
        t_inRegion = false;
        w.done.store(seen, std::memory_order_release);
    }
}

}  // namespace loralab::detail
