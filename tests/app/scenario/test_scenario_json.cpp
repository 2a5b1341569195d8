// Scenario <-> JSON (app/scenario/scenario_json.h), the format of presets and saved settings.
#include "scenario/scenario_json.h"

#include "varied_scenario.h"

#include <gtest/gtest.h>

namespace loralab {
namespace {

TEST(ScenarioJson, RoundTrip) {
    const Scenario s = test::variedScenario();
    Scenario back;
    scenarioFromJson(scenarioToJson(s), back, "test");
    EXPECT_EQ(back.d, 48);
    EXPECT_EQ(back.k, 20);
    EXPECT_EQ(back.rank, 5);
    ASSERT_TRUE(back.alpha.has_value());
    EXPECT_DOUBLE_EQ(*back.alpha, 16.0);
    EXPECT_TRUE(back.rslora);
    EXPECT_EQ(back.init, Init::Gaussian);
    EXPECT_EQ(back.target, TargetKind::Decay);
    EXPECT_DOUBLE_EQ(back.decayPower, 1.5);
    EXPECT_EQ(back.optimizer, OptimizerKind::Momentum);
    EXPECT_DOUBLE_EQ(back.lr, 0.003);
    EXPECT_EQ(back.seed, 77u);
    EXPECT_EQ(back.targetRank, 7);
    EXPECT_EQ(back.steps, 40);
    EXPECT_EQ(back.base, BaseKind::File);
    EXPECT_EQ(back.baseFile, "w0.safetensors");
    EXPECT_EQ(back.baseTensor, "q.weight");
    EXPECT_EQ(back.baseDtype, BaseDtype::Nf4);
    EXPECT_TRUE(back.doubleQuant);
    EXPECT_THROW(scenarioFromJson(nlohmann::json{{"rnak", 3}}, back, "test"), std::invalid_argument);
    EXPECT_THROW(scenarioFromJson(nlohmann::json{{"d", "big"}}, back, "test"), std::invalid_argument);
}

// The methods persist with the window's scenario: the method, LoRA+'s ratio, the comparison.
TEST(ScenarioJson, MethodsRoundTrip) {
    Scenario s;
    s.method = MethodKind::Vera;
    s.lrRatio = 8.0;
    s.compare = {MethodKind::Full, MethodKind::Lora};
    Scenario back;
    scenarioFromJson(scenarioToJson(s), back, "test");
    EXPECT_EQ(back.method, MethodKind::Vera);
    EXPECT_EQ(back.lrRatio, 8.0);
    EXPECT_EQ(back.compare, s.compare);
    scenarioFromJson(nlohmann::json{{"compare", ""}}, back, "test");
    EXPECT_TRUE(back.compare.empty());
    EXPECT_THROW(scenarioFromJson(nlohmann::json{{"compare", "lora,qlora"}}, back, "test"),
                 std::invalid_argument);
    EXPECT_THROW(scenarioFromJson(nlohmann::json{{"method", 3}}, back, "test"), std::invalid_argument);
}

TEST(ScenarioJson, UnsetAlphaAndUnderscoreKeys) {
    Scenario s;
    s.alpha = 3.0;
    scenarioFromJson(nlohmann::json{{"alpha", nullptr}, {"_comment", "ignored"}}, s, "test");
    EXPECT_FALSE(s.alpha.has_value());
    EXPECT_TRUE(scenarioToJson(s)["alpha"].is_null());
    try {
        scenarioFromJson(nlohmann::json{{"optimizer", "lion"}}, s, "presets.json: preset 2");
        FAIL() << "unknown optimizer accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("presets.json: preset 2"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("optimizer"), std::string::npos) << e.what();
    }
    EXPECT_NO_THROW(scenarioFromJson(nlohmann::json{{"window", 1}}, s, "settings", true));
}

}  // namespace
}  // namespace loralab
