#include "view/method_session.h"

#include "io/curve_csv.h"
#include "scenario/method_scenario.h"

#include <algorithm>
#include <map>
#include <optional>

namespace loralab {

MethodSession::MethodSession(const Scenario& s) {
    m_comparing = !s.compare.empty();
    m_kinds = m_comparing ? s.compare : std::vector<MethodKind>{s.method};
    const std::shared_ptr<const MethodProblem> problem = makeMethodProblem(s);
    CompareConfig config;
    config.methods = m_kinds;
    config.trainer = toMethodTrainerConfig(s);
    m_run = std::make_unique<CompareRun>(config, problem);
    m_fitTarget = problem->target - problem->base;
}

std::vector<MethodKind> MethodSession::step(long long n) {
    std::vector<bool> before(size());
    for (std::size_t i = 0; i < size(); ++i) before[i] = diverged(i);
    m_run->step(n);
    m_rounds += n;
    std::vector<MethodKind> stopped;
    for (std::size_t i = 0; i < size(); ++i)
        if (diverged(i) && !before[i]) stopped.push_back(m_kinds[i]);
    return stopped;
}

void MethodSession::select(std::size_t i) { m_selected = std::min(i, size() - 1); }

std::string MethodSession::curveCsv() {
    // Lockstep histories share their steps; a method that stopped leaves empty cells.
    std::map<long long, std::vector<std::optional<double>>> rows;
    for (std::size_t m = 0; m < size(); ++m) {
        MethodTrainer& t = trainer(m);
        auto put = [&](long long step, double loss) {
            auto& row = rows[step];
            row.resize(size());
            row[m] = loss;
        };
        for (const HistoryPoint& h : t.history()) put(h.step, h.loss);
        put(t.stepCount(), t.currentLoss());
    }
    std::string csv = compareCsvHeader(m_kinds) + '\n';
    for (auto& [step, losses] : rows) {
        losses.resize(size());
        csv += compareCsvRow(step, losses, loraFloor()) + '\n';
    }
    return csv;
}

namespace {

const Matrix* frozenNamed(const std::vector<NamedMatrix>& frozen, const char* name) {
    for (const NamedMatrix& n : frozen)
        if (n.name == name) return &n.value;
    return nullptr;
}

}  // namespace

void updateMethodFitMatrices(FitView& view, MethodTrainer& trainer, const Matrix& fitTarget) {
    const Method& m = trainer.method();
    view.B.resize(m.d(), 0);
    view.A.resize(0, m.k());
    view.product = false;
    switch (m.kind()) {
        case MethodKind::Full:
            view.formula = "D, every weight trained";
            break;
        case MethodKind::Lora:
            view.product = true;
            view.formula = "s·B·A";
            [[fallthrough]];
        case MethodKind::Pissa:
        case MethodKind::Dora:
            for (std::size_t b = 0; b < m.blockCount(); ++b) {
                if (m.blockName(b) == "lora_B") view.B = m.block(b);
                if (m.blockName(b) == "lora_A") view.A = m.block(b);
            }
            if (m.kind() == MethodKind::Pissa) view.formula = "R + s·B·A − W0";
            if (m.kind() == MethodKind::Dora) view.formula = "m ⊙ V/‖V‖ − W0, V = W0 + s·B·A";
            break;
        case MethodKind::Vera: {
            const std::vector<NamedMatrix> frozen = m.frozen();
            const Matrix* B = frozenNamed(frozen, "vera_B");
            const Matrix* A = frozenNamed(frozen, "vera_A");
            if (B && A) {
                view.B = m.block(0).col(0).asDiagonal() * *B;
                view.A = m.block(1).col(0).asDiagonal() * *A;
                view.product = true;
            }
            view.formula = "Λb·B · Λd·A";
            break;
        }
    }
    view.scale = m.scale();
    view.d = m.d();
    view.k = m.k();
    view.poolRows = view.poolCols = 1;  // the window's methods stay within kMaxFitShownCells
    view.deltaW = m.deltaW();
    view.residual = fitTarget - view.deltaW;
    view.target = fitTarget;
    view.targetVersion = -1;
    updateFitScales(view, fitTarget);
    view.loss = trainer.currentLoss();
    view.floor = trainer.loraFloor();
    view.deltaSigma.resize(0);
    view.similarity = -1.0;
    view.similarityDim = 0;
    view.spectrumSkipped = true;
}

}  // namespace loralab
