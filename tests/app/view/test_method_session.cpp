// The window's methods side by side (app/view/method_session.h) without ImGui: lockstep against
// methods trained alone, the CSV's columns against the trainers' own histories, the floor
// against a dense SVD, and the heatmaps' matrices against W' − W0.
#include "view/method_session.h"

#include "dense_reference.h"

#include <gtest/gtest.h>

#include <Eigen/SVD>

#include <sstream>
#include <string>
#include <vector>

using namespace loralab;

namespace {

Scenario compareScenario() {
    Scenario s;
    s.d = 10;
    s.k = 7;
    s.rank = 2;
    s.threads = 1;
    s.compare = {MethodKind::Lora, MethodKind::Full, MethodKind::Vera};
    return s;
}

std::vector<std::string> splitLines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::vector<std::string> splitCells(const std::string& line) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream in(line);
    while (std::getline(in, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    return cells;
}

}  // namespace

// Lockstep couples nothing: each method after n rounds is where it is trained alone n steps.
TEST(MethodSession, LockstepStepsEveryMethodAsIfAlone) {
    const Scenario s = compareScenario();
    MethodSession session(s);
    ASSERT_EQ(session.size(), 3u);
    EXPECT_TRUE(session.comparing());
    EXPECT_TRUE(session.step(5).empty());
    EXPECT_TRUE(session.step(4).empty());
    EXPECT_EQ(session.stepCount(), 9);
    for (std::size_t m = 0; m < session.size(); ++m) {
        Scenario alone = s;
        alone.compare.clear();
        alone.method = s.compare[m];
        MethodSession single(alone);
        EXPECT_FALSE(single.comparing());
        single.step(9);
        EXPECT_EQ(session.trainer(m).stepCount(), 9) << methodName(s.compare[m]);
        EXPECT_EQ(session.trainer(m).currentLoss(), single.trainer(0).currentLoss())
            << methodName(s.compare[m]);
        const Matrix diff = session.trainer(m).method().effectiveWeight() -
                            single.trainer(0).method().effectiveWeight();
        EXPECT_EQ(diff.cwiseAbs().maxCoeff(), 0.0f) << methodName(s.compare[m]);
    }
}

// One row per step 0..n, a loss column per method in the order given, LoRA's floor last.
TEST(MethodSession, CsvHasAColumnPerMethodAndTheFloor) {
    const Scenario s = compareScenario();
    MethodSession session(s);
    session.step(6);
    const std::vector<std::string> lines = splitLines(session.curveCsv());
    ASSERT_EQ(lines.size(), 8u);  // header and steps 0..6
    EXPECT_EQ(lines[0], "step,lora,full,vera,floor");

    // LoRA's floor at rank 2 from a dense SVD of the target (W0 = 0 here).
    const Eigen::MatrixXd T = session.fitTarget().cast<double>();
    const Eigen::VectorXd sigma = loralab::test::jacobiSvd(T, false).sigma;
    const double floor = sigma.tail(sigma.size() - 2).squaredNorm() / static_cast<double>(T.size());

    for (std::size_t row = 1; row < lines.size(); ++row) {
        const std::vector<std::string> cells = splitCells(lines[row]);
        ASSERT_EQ(cells.size(), 5u) << lines[row];
        const long long step = std::stoll(cells[0]);
        EXPECT_EQ(step, static_cast<long long>(row - 1));
        for (std::size_t m = 0; m < 3; ++m) {
            MethodTrainer& t = session.trainer(m);
            const double expected = step < t.stepCount()
                                        ? t.history().at(static_cast<std::size_t>(step)).loss
                                        : t.currentLoss();
            EXPECT_NEAR(std::stod(cells[m + 1]), expected, 1e-8 * expected) << lines[row];
        }
        EXPECT_NEAR(std::stod(cells[4]), floor, 1e-5 * floor);
    }
    // Full fine-tuning learns more per step than VeRA's d + r scales.
    const std::vector<std::string> last = splitCells(lines.back());
    EXPECT_LT(std::stod(last[2]), std::stod(last[3]));
}

// A method that diverges stops alone: it is reported once, and its later cells are empty while
// the others go on.
TEST(MethodSession, ADivergedMethodStopsAndLeavesEmptyCells) {
    Scenario s = compareScenario();
    s.compare = {MethodKind::Vera, MethodKind::Full};
    s.optimizer = OptimizerKind::Sgd;
    s.lr = 300.0;  // far past a stable step for both: each overshoots and grows until non-finite
    MethodSession session(s);
    std::vector<MethodKind> stopped;
    for (int i = 0; i < 200 && stopped.empty(); ++i) stopped = session.step(1);
    ASSERT_EQ(stopped.size(), 1u) << "both stopped on the same step: no method went on";
    const std::size_t gone = stopped[0] == MethodKind::Vera ? 0 : 1, live = 1 - gone;
    EXPECT_TRUE(session.diverged(gone));
    EXPECT_FALSE(session.diverged(live));
    const std::vector<std::string> lines = splitLines(session.curveCsv());
    const std::vector<std::string> last = splitCells(lines.back());
    ASSERT_EQ(last.size(), 4u) << lines.back();
    EXPECT_TRUE(last[1 + gone].empty()) << lines.back();
    EXPECT_FALSE(last[1 + live].empty()) << lines.back();
    std::vector<MethodKind> later;
    for (int i = 0; i < 200; ++i)
        for (MethodKind kind : session.step(1)) later.push_back(kind);
    for (MethodKind kind : later) EXPECT_NE(kind, stopped[0]) << "reported twice";
}

// The heatmaps' ΔW is W' − W0 for every method; B·A is it where ΔW is a product.
TEST(MethodSession, HeatmapMatricesAreWhatEachMethodChanged) {
    Scenario s = compareScenario();
    s.compare = {MethodKind::Lora, MethodKind::Full, MethodKind::Vera};
    MethodSession session(s);
    session.step(15);
    for (std::size_t m = 0; m < session.size(); ++m) {
        FitView view;
        MethodTrainer& t = session.trainer(m);
        updateMethodFitMatrices(view, t, session.fitTarget());
        const Matrix delta = t.method().effectiveWeight() - t.method().problem().base;
        EXPECT_LT((view.deltaW - delta).cwiseAbs().maxCoeff(), 1e-6f) << methodName(t.method().kind());
        EXPECT_LT((view.residual - (session.fitTarget() - delta)).cwiseAbs().maxCoeff(), 1e-6f);
        EXPECT_EQ(view.loss, t.currentLoss());
        EXPECT_EQ(view.floor, session.loraFloor());
        if (t.method().kind() == MethodKind::Full) {
            EXPECT_EQ(view.B.cols(), 0);
            EXPECT_FALSE(view.product);
        } else {
            ASSERT_TRUE(view.product);
            const Matrix ba = static_cast<float>(view.scale) * view.B * view.A;
            EXPECT_LT((ba - delta).cwiseAbs().maxCoeff(), 1e-5f) << methodName(t.method().kind());
            EXPECT_GT(delta.cwiseAbs().maxCoeff(), 1e-3f);
        }
    }
    session.select(99);
    EXPECT_EQ(session.selected(), 2u);
}

// Refusals name the method, as in the headless mode.
TEST(MethodSession, RefusalsNameTheMethod) {
    Scenario s = compareScenario();
    s.compare = {MethodKind::Lora, MethodKind::Vera};
    s.rank = 9;  // more than min(d, k) = 7: LoRA refuses, VeRA would not
    try {
        MethodSession session(s);
        FAIL() << "rank 9 on a 10×7 target was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("lora"), std::string::npos) << e.what();
    }
}
