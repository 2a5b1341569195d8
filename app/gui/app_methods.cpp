// The App's fine-tuning methods (--method, --lr-ratio, --compare): a MethodSession in place of
// the LoRA Trainer, built, stepped in lockstep and restarted by every control, and the accessors
// the panels use in either mode.
#include "app.h"

#include "screenshot.h"

#include "io/curve_csv.h"
#include "io/output_file.h"
#include "scenario/method_scenario.h"

#include <cmath>
#include <ctime>

namespace loralab::gui {

namespace {

// The window trains on one thread unless told otherwise (see forTheWindow in app.cpp).
Scenario windowScenario(Scenario s, bool pretrain) {
    if (s.threads <= 0) s.threads = 1;
    if (!pretrain) s.steps = 0;
    return s;
}

std::string methodList(const std::vector<MethodKind>& kinds) {
    std::string names;
    for (MethodKind kind : kinds) names += (names.empty() ? "" : ", ") + std::string(methodName(kind));
    return names;
}

}  // namespace

bool App::buildSession(bool pretrain) {
    Scenario& s = m_ui.scenario;
    return guarded("cannot build the methods", [&] {
        checkMethodOptions(s, false);
        const Scenario ws = windowScenario(s, pretrain);
        auto session = std::make_unique<MethodSession>(ws);
        if (m_session) session->select(m_session->selected());
        std::vector<MethodKind> stopped;
        if (ws.steps > 0) stopped = session->step(ws.steps);
        m_session = std::move(session);
        m_trainer.reset();
        adoptFit(Fit{});  // the weight view is LoRA's: the methods show their own W' − W0ₛ
        m_fixed.reset();
        ++m_targetVersion;
        s.d = m_session->fitTarget().rows();
        s.k = m_session->fitTarget().cols();
        if (!stopped.empty())
            setMessage(methodList(stopped) + " diverged in pre-training; lower the learning rate", true);
        else if (!m_ui.messageIsError)
            setMessage("");
        changed();
    });
}

void App::restartMethods() {
    m_ui.playing = false;
    if (buildSession(false))
        setMessage(m_session->comparing() ? "restarted every method in lockstep" : "restarted");
}

void App::setMethods(MethodKind method, const std::vector<MethodKind>& compare, double lrRatio) {
    Scenario& s = m_ui.scenario;
    const Scenario previous = s;
    s.method = method;
    s.compare = compare;
    s.lrRatio = lrRatio;
    m_ui.playing = false;
    s.steps = 0;
    const bool ok = usesMethodTrainer(s) ? buildSession(false) : (rebuild(), !m_ui.messageIsError);
    if (!ok) {  // keep showing what trained before, and what it was set to
        const std::string why = m_ui.message;
        s = previous;
        setMessage(why, true);
    }
}

void App::selectMethod(std::size_t index) {
    if (!m_session || index >= m_session->size()) return;
    m_session->select(index);
    changed();
}

StepReport App::stepModel(long long n) {
    if (m_trainer) return m_trainer->step(n);
    StepReport r;
    if (!m_session) return r;
    const std::vector<MethodKind> stopped = m_session->step(n);
    r.stepsDone = n;
    if (!stopped.empty()) {
        bool all = true;
        for (std::size_t i = 0; i < m_session->size(); ++i) all = all && m_session->diverged(i);
        setMessage(methodList(stopped) + " diverged and stopped (last finite state kept)" +
                       (all ? "; lower the learning rate" : "; the others go on"), true);
        r.diverged = all;
        r.divergedAtStep = m_session->stepCount();
    }
    return r;
}

long long App::stepCount() const {
    if (m_trainer) return m_trainer->stepCount();
    return m_session ? m_session->stepCount() : 0;
}

Index App::currentRank() const { return m_trainer ? m_trainer->rank() : m_ui.scenario.rank; }

double App::currentScale() const {
    if (m_trainer) return m_trainer->factors().scale();
    const Scenario& s = m_ui.scenario;
    return s.effectiveAlpha() /
           (s.rslora ? std::sqrt(static_cast<double>(s.rank)) : static_cast<double>(s.rank));
}

const Matrix& App::fitTarget() const {
    return m_trainer ? m_trainer->target() : m_session->fitTarget();
}

bool App::derivedShapeCurrent() const {
    if (m_session)
        return m_derived.deltaW.rows() == m_session->fitTarget().rows() &&
               m_derived.deltaW.cols() == m_session->fitTarget().cols();
    // d and k, not B's and A's sides: those are pooled at large sizes.
    return m_derived.d == m_trainer->d() && m_derived.k == m_trainer->k() &&
           m_derived.B.cols() == m_trainer->rank();
}

void App::fillDerived() {
    updateMethodFitMatrices(m_derived, m_session->trainer(m_session->selected()),
                            m_session->fitTarget());
}

const std::vector<CompareResult>& App::methodResults() {
    if (!m_session) {
        m_results.clear();
    } else if (m_resultsVersion != m_version) {
        guarded("results", [&] { m_results = m_session->results(); });
        m_resultsVersion = m_version;
    }
    return m_results;
}

void App::exportCurveCsv(const std::string& path) {
    if (!hasModel()) return;
    std::string out = path;
    if (out.empty()) {
        out = timestampedPath(m_options.outDir, std::time(nullptr));
        out.replace(out.size() - 4, 4, ".csv");  // timestampedPath ends in ".png"
    }
    guarded("export CSV", [&] {
        if (m_session)
            writeOutputFile(out, m_session->curveCsv());
        else
            writeCurveCsv(out, m_trainer->history());
        setMessage("loss curve saved to " + out +
                   (m_session ? " (a loss column per method)" : std::string()));
    });
}

}  // namespace loralab::gui
