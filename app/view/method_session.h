// The window's fine-tuning methods (--method, --compare): one or several methods training in
// lockstep on one problem, the method whose heatmaps are shown, and what the window exports.
// No ImGui or GL, so the tests step it and read its CSV.
//
//   MethodSession s(scenario);   // methods: scenario.compare, or {scenario.method}
//   s.step(20);                  // 20 lockstep rounds: every live method one step per round
//   s.select(2);                 // the heatmaps show method 2
//   s.curveCsv()                 // "step,lora,full,…,floor": a loss column per method
#pragma once

#include "scenario/scenario.h"
#include "view/fit_view.h"

#include "loralab/method_trainer.h"

#include <memory>
#include <string>
#include <vector>

namespace loralab {

class MethodSession {
public:
    // Throws std::invalid_argument (a method refusing the problem, named) or InputError (target).
    explicit MethodSession(const Scenario& s);

    // n lockstep rounds. Returns the methods that diverged during this call (they stop and
    // keep their last finite state; the others go on).
    std::vector<MethodKind> step(long long n);

    std::size_t size() const { return m_kinds.size(); }
    bool comparing() const { return m_comparing; }
    MethodKind kind(std::size_t i) const { return m_kinds.at(i); }
    MethodTrainer& trainer(std::size_t i) { return m_run->trainer(i); }
    const MethodTrainer& trainer(std::size_t i) const { return m_run->trainer(i); }
    bool diverged(std::size_t i) const { return m_run->diverged(i); }
    long long stepCount() const { return m_rounds; }  // lockstep rounds so far
    double loraFloor() const { return m_run->trainer(0).loraFloor(); }
    // W* − W0ₛ: what ΔW = W' − W0ₛ is fitted to (the "T" of the heatmaps).
    const Matrix& fitTarget() const { return m_fitTarget; }

    std::size_t selected() const { return m_selected; }
    void select(std::size_t i);  // clamps to the last method
    std::vector<CompareResult> results() { return m_run->results(); }

    // The curves: one row per recorded step (the histories' steps, then the current one), a
    // loss column per method; see compareCsvHeader/compareCsvRow (io/curve_csv.h).
    std::string curveCsv();

private:
    std::vector<MethodKind> m_kinds;
    bool m_comparing = false;
    std::unique_ptr<CompareRun> m_run;
    Matrix m_fitTarget;
    std::size_t m_selected = 0;
    long long m_rounds = 0;
};

// The heatmaps' matrices for one method, as updateFitMatrices does for LoRA: B and A (VeRA's
// scaled projections diag(λb)·B and diag(λd)·A; none for full), ΔW = W' − W0ₛ, the residual
// against fitTarget, the loss and LoRA's floor. Sets view.formula and view.product.
void updateMethodFitMatrices(FitView& view, MethodTrainer& trainer, const Matrix& fitTarget);

}  // namespace loralab
