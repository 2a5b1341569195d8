// One worker thread for the window's long builds (a large target, its spectrum, a new trainer),
// so that the window keeps drawing the previous state meanwhile. No ImGui or GL: the
// supersession rules are tested without a window.
//
//   id = worker.submit("building 4096x4096", job);  // job(control) runs on the worker thread
//   each frame: worker.progress(), worker.busy();   if (auto r = worker.take()) adopt *r
//
// Supersession: only the newest submission counts. A job still queued when a newer one arrives
// never runs; a running one sees control.cancelled() turn true (topSvd polls it between passes
// over T and throws Cancelled) and its result, if it finishes anyway, is dropped. take() hands
// over the newest job's result only, once.
#pragma once

#include "loralab/base.h"
#include "loralab/partial_svd.h"
#include "loralab/trainer.h"
#include "view/fit_view.h"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace loralab {

// What a job hands back: a new trainer, or a spectrum for the current one, or an error message.
struct BuildResult {
    long long id = 0;
    std::shared_ptr<Trainer> trainer;
    std::shared_ptr<const BaseWeight> base;  // with a frozen base: the base and T beside the
    std::shared_ptr<const Matrix> target;    // trainer (which fits T_eff), as makeFit gives them
    std::optional<Spectrum> spectrum;
    // With a new trainer, what the window first shows of it (pooled ΔW, T, residual, σ(ΔW)) and,
    // with a base, the spectrum of T alone: d·k work each, done here and not in a frame.
    std::optional<FitView> view;
    std::optional<Spectrum> plainSpectrum;
    std::string error;  // set when the job threw (not when it was cancelled)
};

class BuildWorker {
public:
    using Job = std::function<void(BuildResult& out, const SvdControl& control)>;

    BuildWorker();
    ~BuildWorker();  // cancels what runs and joins the thread
    BuildWorker(const BuildWorker&) = delete;
    BuildWorker& operator=(const BuildWorker&) = delete;

    // Queues `job` (described by `what`, e.g. for a progress line) and supersedes every
    // earlier one. Returns its id (increasing from 1).
    long long submit(std::string what, Job job);
    // The newest job's result once it is done (then never again); nothing otherwise.
    std::optional<BuildResult> take();

    bool busy() const;             // a job is queued or running (and its result not taken)
    double progress() const;       // the running job's progress in [0, 1]
    std::string what() const;      // the newest job's description
    long long newest() const { return m_newest.load(); }
    long long started() const { return m_started.load(); }   // jobs that began to run
    long long dropped() const { return m_dropped.load(); }   // superseded: skipped or discarded

private:
    void loop();

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::optional<std::pair<long long, Job>> m_queued;
    std::optional<BuildResult> m_done;
    std::string m_what;
    bool m_running = false;
    std::atomic<bool> m_stop{false};
    std::atomic<long long> m_newest{0}, m_started{0}, m_dropped{0};
    std::atomic<double> m_progress{0.0};
    std::thread m_thread;  // last: starts once the members above exist
};

}  // namespace loralab
