// A stored loss trajectory (data/golden_trajectory.csv): fixed seeds, a few scenarios, N steps
// each, losses compared within a tolerance that float rounding across kernels and thread counts
// stays far inside. A change in the target generator, the init, the RNG or the optimizer moves
// the losses by orders more and fails here. LORALAB_WRITE_GOLDEN=1 rewrites the file (then
// review the diff: it should only change when the math is meant to).
#include "loralab/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace loralab;

namespace {

constexpr int kSteps = 40;

struct Scenario {
    const char* name;
    TrainerConfig config;
};

std::vector<Scenario> scenarios() {
    std::vector<Scenario> out;
    TrainerConfig a;  // a full-rank Gaussian target, peft init, Adam
    a.target = {TargetKind::Full, 48, 40, 4, 1.0, 3};
    a.rank = 4;
    a.alpha = 8.0;
    a.optimizer = {OptimizerKind::Adam, 2e-2};
    a.seed = 7;
    out.push_back({"full-adam", a});
    TrainerConfig b;  // a low-rank target, Gaussian init, momentum, rsLoRA
    b.target = {TargetKind::LowRank, 40, 56, 3, 1.0, 5};
    b.rank = 5;
    b.alpha = 2.0;
    b.rslora = true;
    b.init = Init::Gaussian;
    b.optimizer = {OptimizerKind::Momentum, 3.0};
    b.seed = 11;
    out.push_back({"lowrank-momentum", b});
    TrainerConfig c;  // a decaying spectrum, plain SGD, rank 17 (a partial last vector)
    c.target = {TargetKind::Decay, 70, 33, 4, 1.5, 9};
    c.rank = 17;
    c.alpha = 17.0;
    c.optimizer = {OptimizerKind::Sgd, 1.0};
    c.seed = 13;
    out.push_back({"decay-sgd", c});
    for (Scenario& s : out) s.config.threads = 1;
    return out;
}

std::vector<double> trajectory(const TrainerConfig& config) {
    Trainer t(config);
    std::vector<double> losses{t.currentLoss()};
    for (int i = 0; i < kSteps; ++i) {
        t.step(1);
        losses.push_back(t.currentLoss());
    }
    return losses;
}

const std::string kPath = std::string(LORALAB_TEST_DATA_DIR) + "/golden_trajectory.csv";

}  // namespace

TEST(TrainerGolden, LossesFollowTheStoredTrajectory) {
    const char* write = std::getenv("LORALAB_WRITE_GOLDEN");
    if (write != nullptr && std::string(write) == "1") {
        std::ofstream out(kPath);
        out << "scenario,step,loss\n";
        for (const Scenario& s : scenarios()) {
            const std::vector<double> losses = trajectory(s.config);
            for (std::size_t i = 0; i < losses.size(); ++i) {
                char line[128];
                std::snprintf(line, sizeof line, "%s,%zu,%.9g\n", s.name, i, losses[i]);
                out << line;
            }
        }
        GTEST_SKIP() << "wrote " << kPath;
    }
    std::ifstream in(kPath);
    ASSERT_TRUE(in) << "cannot read " << kPath;
    std::string line;
    std::getline(in, line);
    ASSERT_EQ(line, "scenario,step,loss");
    std::vector<std::string> names;
    std::vector<std::vector<double>> stored;
    while (std::getline(in, line)) {
        std::istringstream cells(line);
        std::string name, step, loss;
        ASSERT_TRUE(std::getline(cells, name, ',') && std::getline(cells, step, ',') &&
                    std::getline(cells, loss))
            << line;
        if (names.empty() || names.back() != name) {
            names.push_back(name);
            stored.emplace_back();
        }
        ASSERT_EQ(std::stoul(step), stored.back().size()) << line;
        stored.back().push_back(std::stod(loss));
    }
    const std::vector<Scenario> all = scenarios();
    ASSERT_EQ(names.size(), all.size());
    for (std::size_t s = 0; s < all.size(); ++s) {
        ASSERT_EQ(names[s], all[s].name);
        const std::vector<double> got = trajectory(all[s].config);
        ASSERT_EQ(got.size(), stored[s].size()) << names[s];
        double worst = 0.0;
        for (std::size_t i = 0; i < got.size(); ++i) {
            const double err = std::abs(got[i] - stored[s][i]) / (stored[s][i] + 1e-6 * stored[s][0]);
            worst = std::max(worst, err);
            EXPECT_LT(err, 2e-4) << names[s] << " step " << i << ": " << got[i] << " against "
                                 << stored[s][i];
        }
        std::printf("%s: largest relative difference %.2g\n", names[s].c_str(), worst);
        EXPECT_LT(got.back(), 0.99 * got.front()) << names[s] << " did not train";
    }
}
