// A scenario as the user states it, and the trainer it becomes (app/scenario/scenario.h).
#include "scenario/scenario.h"

#include "varied_scenario.h"

#include "loralab/csv.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace loralab {
namespace {

namespace fs = std::filesystem;

TEST(Scenario, ConfigCarriesEveryField) {
    Scenario s = test::variedScenario();
    const TrainerConfig c = toTrainerConfig(s);
    EXPECT_EQ(c.target.d, 48);
    EXPECT_EQ(c.target.k, 20);
    EXPECT_EQ(c.target.kind, TargetKind::Decay);
    EXPECT_EQ(c.target.targetRank, 7);
    EXPECT_EQ(c.target.decayPower, 1.5);
    EXPECT_EQ(c.target.seed, 77u);
    EXPECT_EQ(c.seed, 77u);
    EXPECT_EQ(c.rank, 5);
    EXPECT_EQ(c.alpha, 16.0);
    EXPECT_TRUE(c.rslora);
    EXPECT_EQ(c.init, Init::Gaussian);
    EXPECT_EQ(c.optimizer.kind, OptimizerKind::Momentum);
    EXPECT_EQ(c.optimizer.lr, 0.003);
    s.alpha.reset();  // unset α is the rank: s = 1 (α/√r with rsLoRA)
    EXPECT_EQ(toTrainerConfig(s).alpha, 5.0);
}

TEST(Scenario, ATargetFileGivesTheShapeAndBoundsTheRank) {
    std::string pattern = (fs::temp_directory_path() / "loralab-scenario-XXXXXX").string();
    const fs::path dir = mkdtemp(pattern.data());
    const std::string path = (dir / "t.csv").string();
    std::ofstream(path) << "1,2,3\n4,5,6\n";  // 2×3: rank at most 2
    Scenario s;
    s.target = TargetKind::File;
    s.targetFile = path;
    s.rank = 2;
    const std::unique_ptr<Trainer> t = makeTrainer(s);
    EXPECT_EQ(t->d(), 2);
    EXPECT_EQ(t->k(), 3);
    EXPECT_FLOAT_EQ(t->target()(1, 2), 6.0f);
    s.rank = 3;
    try {
        makeTrainer(s);
        FAIL() << "rank 3 accepted for a 2x3 target";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("--rank 3"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
    s.targetFile = (dir / "missing.csv").string();
    EXPECT_THROW(makeTrainer(s), InputError);
    s.targetFile.clear();
    EXPECT_THROW(makeTrainer(s), std::invalid_argument);
    fs::remove_all(dir);
}

TEST(Scenario, NoBaseRunsBitForBitAsTheTrainerAlone) {
    Scenario s;
    s.d = 24;
    s.k = 16;
    s.rank = 3;
    Trainer direct(toTrainerConfig(s));  // the fit as it was before bases existed
    Fit fit = makeFit(s);
    EXPECT_EQ(fit.base, nullptr);
    direct.step(150);
    fit.trainer->step(150);
    ASSERT_EQ(direct.history().size(), fit.trainer->history().size());
    for (std::size_t i = 0; i < direct.history().size(); ++i)
        ASSERT_EQ(direct.history()[i].loss, fit.trainer->history()[i].loss) << "step " << i;
    EXPECT_EQ(direct.factors().B, fit.trainer->factors().B);
    EXPECT_EQ(direct.factors().A, fit.trainer->factors().A);
}

TEST(Scenario, AQuantizedBaseFitsTheTargetPlusItsError) {
    Scenario s;
    s.d = 16;
    s.k = 40;
    s.rank = 2;
    s.base = BaseKind::Gaussian;
    s.baseDtype = BaseDtype::Nf4;
    const Fit fit = makeFit(s);
    ASSERT_NE(fit.base, nullptr);
    ASSERT_NE(fit.target, nullptr);
    EXPECT_EQ(*fit.target, makeTarget(toTrainerConfig(s).target));  // T as without a base
    const Matrix want = *fit.target + (fit.base->W0 - fit.base->stored);
    EXPECT_EQ(fit.trainer->target(), want);
    EXPECT_GT(fit.base->quantizationError, 0.0);
    EXPECT_EQ(fit.base->bytes(), 16u * 40 / 2 + 10 * 4);
    // A base file's shape wins over the default d×k, but not over a given one.
    std::string pattern = (fs::temp_directory_path() / "loralab-base-XXXXXX").string();
    const fs::path dir = mkdtemp(pattern.data());
    std::ofstream((dir / "w.csv").string()) << "1,2,3\n4,5,6\n";
    s.base = BaseKind::File;
    s.baseFile = (dir / "w.csv").string();
    EXPECT_EQ(makeFit(s).trainer->k(), 3);
    s.shapeGiven = true;
    EXPECT_THROW(makeFit(s), std::invalid_argument);
    // The base alone, as another fit (a fine-tuning method) takes it.
    const auto file = makeScenarioBase(s);
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(file->W0, (Matrix(2, 3) << 1, 2, 3, 4, 5, 6).finished());
    EXPECT_EQ(file->stored, storeBase(file->W0, BaseDtype::Nf4));
    EXPECT_THROW(makeScenarioBase(s, 3, 2), std::invalid_argument);
    s.base = BaseKind::Gaussian;
    EXPECT_EQ(makeScenarioBase(s, 16, 40)->W0, fit.base->W0);  // the same draw as the fit's
    s.base = BaseKind::None;
    EXPECT_EQ(makeScenarioBase(s, 16, 40), nullptr);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace loralab
