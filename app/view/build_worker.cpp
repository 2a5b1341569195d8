#include "view/build_worker.h"

#include <exception>
#include <utility>

namespace loralab {

BuildWorker::BuildWorker() : m_thread([this] { loop(); }) {}

BuildWorker::~BuildWorker() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
        if (m_queued) ++m_dropped;
        m_queued.reset();
    }
    m_wake.notify_all();
    m_thread.join();
}

long long BuildWorker::submit(std::string what, Job job) {
    std::lock_guard<std::mutex> lock(m_mutex);
    const long long id = m_newest.load() + 1;
    if (m_queued) ++m_dropped;  // never started: superseded before its turn
    m_queued.emplace(id, std::move(job));
    m_what = std::move(what);
    m_done.reset();
    m_progress = 0.0;
    m_newest = id;  // the running job's cancelled() turns true from here
    m_wake.notify_all();
    return id;
}

std::optional<BuildResult> BuildWorker::take() {
    std::lock_guard<std::mutex> lock(m_mutex);
    std::optional<BuildResult> out = std::move(m_done);
    m_done.reset();
    return out;
}

bool BuildWorker::busy() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_queued.has_value() || m_running || m_done.has_value();
}

double BuildWorker::progress() const { return m_progress.load(); }

std::string BuildWorker::what() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_what;
}

void BuildWorker::loop() {
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stop || m_queued.has_value(); });
        if (m_stop) return;
        auto [id, job] = std::move(*m_queued);
        m_queued.reset();
        m_running = true;
        ++m_started;
        lock.unlock();

        SvdControl control;
        control.cancelled = [this, id = id] { return m_newest.load() != id || m_stop; };
        control.progress = [this, id = id](double f) {
            if (m_newest.load() == id) m_progress = f;
        };
        BuildResult result;
        result.id = id;
        bool cancelled = false;
        try {
            job(result, control);
        } catch (const Cancelled&) {
            cancelled = true;
        } catch (const std::exception& e) {
            result.error = e.what();
        }
        // The job's own objects (a superseded trainer can be large) go before the lock is taken.
        job = nullptr;

        lock.lock();
        m_running = false;
        if (!cancelled && id == m_newest.load() && !m_stop) {
            m_progress = 1.0;
            m_done = std::move(result);
        } else {
            ++m_dropped;
            lock.unlock();
            result = BuildResult{};  // freed outside the lock
            lock.lock();
        }
    }
}

}  // namespace loralab
