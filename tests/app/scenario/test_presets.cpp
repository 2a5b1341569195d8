// The teaching presets (app/scenario/presets.h), embedded from assets/presets.json: the nine
// presets, the rank-1 preset's factors, each preset's floor against a closed form, and parse
// errors that name the preset and the field.
#include "scenario/presets.h"

#include "loralab/params.h"

#include <gtest/gtest.h>

#include <memory>

namespace loralab {
namespace {

TEST(Presets, TheTeachingPresets) {
    const std::vector<Preset>& p = builtinPresets();
    ASSERT_EQ(p.size(), 9u);
    EXPECT_EQ(p[0].name, "Rank-1 outer product");
    EXPECT_EQ(p[1].name, "12×12 at rank 4");
    EXPECT_EQ(p[2].name, "Full-rank target: the plateau");
    EXPECT_EQ(p[3].name, "Low-rank target: a perfect fit");
    EXPECT_EQ(p[4].name, "Identity: the worst case");
    EXPECT_EQ(p[5].name, "Frozen base: W0 + B·A = W'");
    EXPECT_EQ(p[6].name, "QLoRA: a 4-bit base moves the floor");
    EXPECT_EQ(p[7].name, "Merge in bf16: rounding");
    EXPECT_EQ(p[8].name, "Two adapters, one base: hot swap");
    for (const Preset& preset : p) EXPECT_FALSE(preset.note.empty()) << preset.name;
}

TEST(Presets, RankOneOuterProductFactors) {
    const Preset& p = builtinPresets()[0];
    ASSERT_TRUE(p.B && p.A);
    Matrix B(4, 1), A(1, 4);
    B << 2, 1, 0, -1;
    A << 1, 0, -1, 2;
    EXPECT_EQ(*p.B, B);
    EXPECT_EQ(*p.A, A);
    EXPECT_DOUBLE_EQ(p.scenario.effectiveAlpha(), 1.0);  // s = α/r = 1
    // Each row of ΔW is B_i times A (row 3 zero, row 4 = −A).
    Factors f;
    f.B = B;
    f.A = A;
    f.alpha = 1;
    const Matrix dW = f.deltaW();
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) EXPECT_FLOAT_EQ(dW(i, j), B(i, 0) * A(0, j));
}

TEST(Presets, EachBuildsATrainerWithTheExpectedFloor) {
    const std::vector<Preset>& p = builtinPresets();
    for (std::size_t i = 1; i < p.size(); ++i) {
        std::unique_ptr<Trainer> t;
        ASSERT_NO_THROW(t = makeTrainer(p[i].scenario)) << p[i].name;
        EXPECT_EQ(t->d(), p[i].scenario.d);
        EXPECT_EQ(t->rank(), p[i].scenario.rank);
    }
    // 12×12 at rank 4: its note promises 96 trainable numbers instead of 144.
    const LayerCounts counts = layerCounts(p[1].scenario.d, p[1].scenario.k, p[1].scenario.rank);
    EXPECT_EQ(counts.lora, 96);
    EXPECT_EQ(counts.full, 144);
    // Plateau: rank 2 on a full-rank 32×32 target leaves a floor; the low-rank preset does not.
    EXPECT_GT(makeTrainer(p[2].scenario)->currentFloor(), 0.1);
    EXPECT_NEAR(makeTrainer(p[3].scenario)->currentFloor(), 0.0, 1e-6);
    // Identity 16×16 at rank 4: σ all 1, floor = (16 − 4)/(16·16).
    EXPECT_NEAR(makeTrainer(p[4].scenario)->currentFloor(), 12.0 / 256.0, 1e-6);
}

// The base presets keep their notes' promises: each has a base; the fp32 base leaves the floor
// of T alone (0 for its rank-4 target at rank 4); NF4 lifts a zero floor above 0.
TEST(Presets, TheBasePresetsTeachWhatTheirNotesSay) {
    const std::vector<Preset>& p = builtinPresets();
    for (std::size_t i = 5; i < p.size(); ++i) {
        const Fit fit = makeFit(p[i].scenario);
        ASSERT_NE(fit.base, nullptr) << p[i].name;
    }
    EXPECT_NEAR(makeFit(p[5].scenario).trainer->currentFloor(), 0.0, 1e-6);
    Scenario qlora = p[6].scenario;
    const double nf4Floor = makeFit(qlora).trainer->currentFloor();
    qlora.baseDtype = BaseDtype::Fp32;
    EXPECT_NEAR(makeFit(qlora).trainer->currentFloor(), 0.0, 1e-6);
    EXPECT_GT(nf4Floor, 1e-4);
    EXPECT_EQ(p[7].merge, MergePrecision::Bf16);
    EXPECT_EQ(p[8].scenario.baseDtype, BaseDtype::Bf16);
    EXPECT_THROW(parsePresets(R"({"presets": [{"name": "m", "merge": "fp8"}]})", "x.json"), std::invalid_argument);
}

TEST(Presets, ParseErrorsNameThePresetAndField) {
    EXPECT_THROW(parsePresets("{", "x.json"), std::invalid_argument);
    EXPECT_THROW(parsePresets(R"({"presets": [{"note": "no name"}]})", "x.json"), std::invalid_argument);
    try {
        parsePresets(R"({"presets": [{"name": "bad", "d": 4, "k": 4, "rank": 1,
                         "factors": {"B": [[1], [2]], "A": [[1, 2, 3, 4]]}}]})", "x.json");
        FAIL() << "mismatched factor shape accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("\"bad\""), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("factors"), std::string::npos) << e.what();
    }
    try {
        parsePresets(R"({"presets": [{"name": "opt", "optimizer": "lion"}]})", "x.json");
        FAIL() << "unknown optimizer accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("optimizer"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace loralab
