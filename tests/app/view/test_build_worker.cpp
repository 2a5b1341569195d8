// BuildWorker: jobs run off the caller's thread, and only the newest submission's result is
// handed over; superseded ones are cancelled or skipped. Synchronised with latches, not sleeps.
#include "view/build_worker.h"

#include "loralab/analysis.h"
#include "loralab/target.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace loralab {
namespace {

// A one-shot gate a job waits on and the test opens.
class Gate {
public:
    void open() {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_open = true;
        m_cv.notify_all();
    }
    void wait() {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_cv.wait(lock, [this] { return m_open; });
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_open = false;
};

// Polls take() until the worker hands a result over (or a generous limit passes).
std::optional<BuildResult> waitForResult(BuildWorker& w) {
    for (int i = 0; i < 60000; ++i) {
        if (auto r = w.take()) return r;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return std::nullopt;
}

TEST(BuildWorker, RunsJobsOffTheCallersThread) {
    BuildWorker w;
    std::thread::id ranOn;
    const long long id = w.submit("job", [&](BuildResult& out, const SvdControl&) {
        ranOn = std::this_thread::get_id();
        out.error = "made";
    });
    EXPECT_EQ(id, 1);
    const auto r = waitForResult(w);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, 1);
    EXPECT_EQ(r->error, "made");
    EXPECT_NE(ranOn, std::this_thread::get_id());
    EXPECT_FALSE(w.take()) << "a result is handed over once";
    EXPECT_FALSE(w.busy());
}

TEST(BuildWorker, ANewerSubmissionCancelsTheRunningJobAndSkipsTheQueuedOne) {
    BuildWorker w;
    Gate running, release;
    bool sawCancel = false, secondRan = false;
    w.submit("first", [&](BuildResult& out, const SvdControl& c) {
        running.open();
        release.wait();
        sawCancel = c.cancelled();
        out.error = "first";  // finishes anyway: its result must still be dropped
    });
    running.wait();
    w.submit("second", [&](BuildResult&, const SvdControl&) { secondRan = true; });
    w.submit("third", [&](BuildResult& out, const SvdControl& c) {
        EXPECT_FALSE(c.cancelled());
        out.error = "third";
    });
    EXPECT_EQ(w.what(), "third");
    EXPECT_TRUE(w.busy());
    release.open();
    const auto r = waitForResult(w);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, 3);
    EXPECT_EQ(r->error, "third");
    EXPECT_TRUE(sawCancel);
    EXPECT_FALSE(secondRan) << "a queued job that was superseded never starts";
    EXPECT_EQ(w.started(), 2);
    EXPECT_EQ(w.dropped(), 2);
    EXPECT_FALSE(w.take());
}

// A real spectrum computation stops at its next pass over T once superseded, and the newer
// job's spectrum is the one handed over.
TEST(BuildWorker, SupersededSpectrumStopsBetweenPasses) {
    TargetSpec spec;
    spec.kind = TargetKind::Full;
    spec.d = spec.k = 600;
    const Matrix T = makeTarget(spec);
    BuildWorker w;
    Gate firstPass;
    bool cancelledThrown = false;
    w.submit("slow", [&](BuildResult& out, const SvdControl& c) {
        SvdControl mine = c;
        mine.progress = [&](double) { firstPass.open(); };
        try {
            out.spectrum = topSpectrum(T, 40, mine, SpectrumMethod::Partial);
        } catch (const Cancelled&) {
            cancelledThrown = true;
            throw;
        }
    });
    firstPass.wait();
    w.submit("fast", [&](BuildResult& out, const SvdControl& c) {
        out.spectrum = topSpectrum(T, 8, c, SpectrumMethod::Partial);
    });
    const auto r = waitForResult(w);
    ASSERT_TRUE(r && r->spectrum);
    EXPECT_EQ(r->id, 2);
    EXPECT_EQ(r->spectrum->computed(), 8);
    EXPECT_TRUE(cancelledThrown);
    EXPECT_EQ(w.dropped(), 1);
}

TEST(BuildWorker, ErrorsComeBackAsMessages) {
    BuildWorker w;
    w.submit("bad", [](BuildResult&, const SvdControl& c) {
        c.progress(0.5);
        throw std::invalid_argument("rank 9 is too large");
    });
    const auto r = waitForResult(w);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error, "rank 9 is too large");
    EXPECT_FALSE(r->trainer);
    EXPECT_FALSE(w.busy());
}

TEST(BuildWorker, DestructionCancelsRunningWork) {
    Gate running;
    bool sawCancel = false;
    {
        BuildWorker w;
        w.submit("long", [&](BuildResult&, const SvdControl& c) {
            running.open();
            while (!c.cancelled()) std::this_thread::yield();
            sawCancel = true;
        });
        running.wait();
    }
    EXPECT_TRUE(sawCancel);
}

}  // namespace
}  // namespace loralab
