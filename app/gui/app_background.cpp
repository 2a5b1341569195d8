// The window's work on the worker thread (view/build_worker.h): large trainers and the spectrum
// a larger rank needs, submitted here and adopted at the start of a frame.
#include "app.h"

#include <exception>
#include <string>
#include <utility>

namespace loralab::gui {

namespace {

// Generated targets from this many entries up are built on the worker: their spectrum is the
// partial one, whose passes over T take longer than a frame.
constexpr double kBackgroundEntries = 512.0 * 512.0;

}  // namespace

bool App::inBackground(const Scenario& s) const {
    return building() || (s.target != TargetKind::File &&
                          static_cast<double>(s.d) * static_cast<double>(s.k) >= kBackgroundEntries);
}

void App::submitBuild() {
    const Scenario s = forTheWindow(m_ui.scenario);
    const std::string what = "building the " + std::to_string(s.d) + "×" + std::to_string(s.k) +
                             " target and its top singular values";
    m_buildingTrainer = true;
    m_worker.submit(what, [s](BuildResult& out, const SvdControl& control) {
        Fit fit = makeFit(s, control);
        std::shared_ptr<Trainer> t = std::move(fit.trainer);
        if (s.steps > 0) t->step(s.steps);
        FitView view;
        updateFitMatrices(view, t->factors(), *t);
        updateFitSpectrum(view, t->factors(), t->spectrum(), true);
        out.view = std::move(view);
        if (fit.base) {  // the weight view's "T alone" floor
            SvdControl quiet = control;
            quiet.progress = nullptr;
            out.plainSpectrum = topSpectrum(*fit.target, Trainer::spectrumValues(s.rank, s.d, s.k), quiet);
        }
        out.trainer = std::move(t);
        out.base = std::move(fit.base);
        out.target = std::move(fit.target);
    });
}

void App::pollWorker() {
    std::optional<BuildResult> r = m_worker.take();
    if (!r) return;
    if (!r->error.empty()) {
        setMessage("cannot build the scenario: " + r->error, true);
    } else if (r->trainer) {
        m_trainer = std::move(r->trainer);
        m_session.reset();
        Fit fit;
        fit.base = std::move(r->base);
        fit.target = std::move(r->target);
        adoptFit(std::move(fit));
        m_plainSpectrum = std::move(r->plainSpectrum);
        ++m_targetVersion;
        m_fixed.reset();
        m_ui.scenario.d = m_trainer->d();
        m_ui.scenario.k = m_trainer->k();
        if (!m_ui.messageIsError) setMessage("");
        changed();
        if (r->view) adoptDerived(std::move(*r->view));
    } else if (r->spectrum && m_trainer && m_trainer == m_spectrumFor) {
        try {
            m_trainer->adoptSpectrum(std::move(*r->spectrum));
            m_trainer->setRank(m_pendingRank);
            leavePresetFactors();
            changed();
        } catch (const std::exception& e) {
            setMessage(std::string("rank: ") + e.what(), true);
        }
    }
    m_spectrumFor.reset();
}

void App::adoptDerived(FitView&& view) {
    m_derived = std::move(view);
    m_derived.targetVersion = m_targetVersion;
    updateBaseDerived();  // with a base its view is refreshed here, as updateDerived would
    m_derived.version = m_version;
    m_lastDerived = m_lastSpectrum = Clock::now();
}

bool App::extendSpectrumFirst(Index rank) {
    const Trainer& t = *m_trainer;
    if (t.spectrum().covers(rank) ||
        static_cast<double>(t.d()) * static_cast<double>(t.k()) < kBackgroundEntries)
        return false;
    // A rank past the computed spectrum needs more of it: computed on the worker, then applied.
    m_ui.scenario.rank = rank;
    m_pendingRank = rank;
    m_spectrumFor = m_trainer;
    m_buildingTrainer = false;
    const Index n = Trainer::spectrumValues(rank, t.d(), t.k(), t.spectrum().computed());
    std::shared_ptr<const Trainer> owner = m_trainer;
    Spectrum now = t.spectrum();
    m_worker.submit("computing the top " + std::to_string(n) + " singular values",
                    [owner, now = std::move(now), n](BuildResult& out, const SvdControl& control) {
                        SvdControl one = control;
                        one.threads = 1;  // the window's own thread needs the other core
                        out.spectrum = extendSpectrum(now, owner->target(), n, one);
                    });
    return true;
}

}  // namespace loralab::gui
