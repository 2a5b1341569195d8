// GUI logic without a window: the savings counter against the core and closed forms, the
// teaching presets, the settings file, scenario JSON, and PNG writing (flip, atomic, errors).
#include "png_checks.h"
#include "presets.h"
#include "savings.h"
#include "scenario_json.h"
#include "screenshot.h"
#include "settings.h"

#include "loralab/analysis.h"
#include "loralab/params.h"
#include "loralab/trainer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sys/stat.h>
#include <unistd.h>

namespace loralab::gui {
namespace {

namespace fs = std::filesystem;

fs::path tempDir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("loralab_gui_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

// ---- savings counter -------------------------------------------------------------------------

TEST(Savings, LayerFiguresMatchClosedForms) {
    // d = k = 4096, r = 8: d·k = 16,777,216; r(d+k) = 65,536; 256× fewer (README's example).
    const SavingsFigures f = computeSavings(4096, 4096, 8, "llama-2-7b", "q,v");
    EXPECT_EQ(f.layer.full, 4096LL * 4096);
    EXPECT_EQ(f.layer.lora, 8LL * (4096 + 4096));
    EXPECT_DOUBLE_EQ(f.layer.ratio, 256.0);
    EXPECT_NEAR(f.layer.trainablePercent, 100.0 * 65536 / (16777216.0 + 65536), 1e-9);
    // Adam: two fp32 values per trainable parameter.
    EXPECT_EQ(f.layerFull.adamState, 2LL * 4 * 4096 * 4096);
    EXPECT_EQ(f.layerLora.adamState, 2LL * 4 * 65536);
    const std::vector<SavingsRow> rows = savingsRows(f);
    ASSERT_GE(rows.size(), 5u);
    EXPECT_EQ(rows[0].full, "16,777,216");
    EXPECT_EQ(rows[0].lora, "65,536");
    EXPECT_EQ(rows[1].lora, "256× fewer");
}

TEST(Savings, EveryFigureIsTheCoresOwn) {
    for (auto [d, k, r] : {std::tuple<int, int, int>{2, 2, 1}, {12, 12, 4}, {32, 20, 7}, {512, 512, 512}, {300, 17, 17}}) {
        for (const char* modules : {"q,v", "all-linear"}) {
            const SavingsFigures f = computeSavings(d, k, r, "llama-2-7b", modules);
            const LayerCounts lc = layerCounts(d, k, r);
            EXPECT_EQ(f.layer.full, lc.full);
            EXPECT_EQ(f.layer.lora, lc.lora);
            EXPECT_EQ(f.layer.full, static_cast<std::int64_t>(d) * k) << d << "x" << k;
            EXPECT_EQ(f.layer.lora, static_cast<std::int64_t>(r) * (d + k));
            EXPECT_EQ(f.big.full, 4096LL * 4096);
            EXPECT_EQ(f.big.lora, static_cast<std::int64_t>(r) * 8192);
            const ModelPreset& m = findModel("llama-2-7b");
            const ModelCounts mc = modelCounts(m, parseModules(modules, m), r);
            EXPECT_EQ(f.model.trainable, mc.trainable);
            EXPECT_EQ(f.model.fullTargeted, mc.fullTargeted);
            EXPECT_EQ(f.model.base, mc.base);
            EXPECT_EQ(f.modelLora.total(), loraMemory(mc.base, mc.trainable, Precision::Fp32).total());
            EXPECT_EQ(f.modelFull.total(), fullFineTuneMemory(mc.base, Precision::Fp32).total());
            const std::vector<SavingsRow> rows = savingsRows(f);
            EXPECT_EQ(rows[0].full, formatCount(lc.full));
            EXPECT_EQ(rows[0].lora, formatCount(lc.lora));
        }
    }
}

TEST(Savings, LlamaQvAtRank8MatchesPeft) {
    // peft's print_trainable_parameters for Llama-2-7B, q_proj + v_proj, r = 8:
    // 32 layers × 2 modules × 8 × (4096 + 4096) = 4,194,304 trainable.
    const SavingsFigures f = computeSavings(64, 64, 8, "llama-2-7b", "q,v");
    EXPECT_EQ(f.model.trainable, 4194304);
    EXPECT_EQ(f.model.fullTargeted, 32LL * 2 * 4096 * 4096);
}

TEST(Savings, BadInputsThrow) {
    EXPECT_THROW(computeSavings(8, 8, 9, "llama-2-7b", "q,v"), std::invalid_argument);
    EXPECT_THROW(computeSavings(8, 8, 2, "no-such-model", "q,v"), std::invalid_argument);
    EXPECT_THROW(computeSavings(8, 8, 2, "llama-2-7b", "nonsense"), std::invalid_argument);
}

TEST(Savings, Formatting) {
    EXPECT_EQ(formatCount(0), "0");
    EXPECT_EQ(formatCount(999), "999");
    EXPECT_EQ(formatCount(1000), "1,000");
    EXPECT_EQ(formatCount(6738415616LL), "6,738,415,616");
    EXPECT_EQ(formatCount(-1234567), "-1,234,567");
    EXPECT_EQ(formatBytes(512), "512 B");
    EXPECT_EQ(formatBytes(1536), "1.50 KiB");
    EXPECT_EQ(formatBytes(3LL << 30), "3.00 GiB");
    EXPECT_EQ(formatBytes(100LL << 20), "100 MiB");
    EXPECT_EQ(formatRatio(256), "256×");
    EXPECT_EQ(formatRatio(4), "4×");
    EXPECT_EQ(formatRatio(12.46), "12.5×");
    EXPECT_EQ(formatRatio(1.5), "1.5×");
    EXPECT_EQ(formatPercent(0.78125), "0.78%");
    EXPECT_EQ(formatPercent(33.333), "33.3%");
}

// ---- presets ---------------------------------------------------------------------------------

TEST(Presets, TheFiveTeachingPresets) {
    const std::vector<Preset>& p = builtinPresets();
    ASSERT_EQ(p.size(), 5u);
    EXPECT_EQ(p[0].name, "Rank-1 outer product");
    EXPECT_EQ(p[1].name, "12×12 at rank 4");
    EXPECT_EQ(p[2].name, "Full-rank target: the plateau");
    EXPECT_EQ(p[3].name, "Low-rank target: a perfect fit");
    EXPECT_EQ(p[4].name, "Identity: the worst case");
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
    // 12×12 at rank 4: 96 trainable of 144.
    EXPECT_EQ(layerCounts(12, 12, 4).lora, 96);
    // Plateau: rank 2 on a full-rank 32×32 target leaves a floor; the low-rank preset does not.
    EXPECT_GT(makeTrainer(p[2].scenario)->currentFloor(), 0.1);
    EXPECT_NEAR(makeTrainer(p[3].scenario)->currentFloor(), 0.0, 1e-6);
    // Identity 16×16 at rank 4: σ all 1, floor = (16 − 4)/(16·16).
    EXPECT_NEAR(makeTrainer(p[4].scenario)->currentFloor(), 12.0 / 256.0, 1e-6);
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

// ---- scenario JSON and settings --------------------------------------------------------------

TEST(ScenarioJson, RoundTrip) {
    Scenario s;
    s.d = 48;
    s.k = 20;
    s.rank = 5;
    s.alpha = 16.0;
    s.rslora = true;
    s.init = Init::Gaussian;
    s.target = TargetKind::Decay;
    s.decayPower = 1.5;
    s.optimizer = OptimizerKind::Momentum;
    s.lr = 0.003;
    s.seed = 77;
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
    EXPECT_THROW(scenarioFromJson(nlohmann::json{{"rnak", 3}}, back, "test"), std::invalid_argument);
    EXPECT_THROW(scenarioFromJson(nlohmann::json{{"d", "big"}}, back, "test"), std::invalid_argument);
}

TEST(Settings, SaveThenLoad) {
    const fs::path dir = tempDir("settings");
    const std::string path = (dir / "sub" / "settings.json").string();
    Settings s;
    s.windowWidth = 1280;
    s.windowHeight = 800;
    s.windowX = 10;
    s.windowY = 20;
    s.stepsPerFrame = 50;
    s.sharedScale = false;
    s.modules = "all-linear";
    Scenario sc;
    sc.d = 12;
    sc.k = 12;
    sc.rank = 4;
    s.scenario = sc;
    std::string error;
    ASSERT_TRUE(saveSettings(path, s, error)) << error;
    std::string warning;
    const Settings back = loadSettings(path, warning);
    EXPECT_TRUE(warning.empty()) << warning;
    EXPECT_EQ(back.windowWidth, 1280);
    EXPECT_EQ(back.windowHeight, 800);
    EXPECT_EQ(back.windowX.value_or(-1), 10);
    EXPECT_EQ(back.stepsPerFrame, 50);
    EXPECT_FALSE(back.sharedScale);
    EXPECT_EQ(back.modules, "all-linear");
    ASSERT_TRUE(back.scenario.has_value());
    EXPECT_EQ(back.scenario->d, 12);
    EXPECT_FALSE(fs::exists(path + ".tmp"));
    fs::remove_all(dir);
}

TEST(Settings, MissingFileGivesDefaultsQuietly) {
    std::string warning = "stale";
    const Settings s = loadSettings("/nonexistent/loralab/settings.json", warning);
    EXPECT_TRUE(warning.empty());
    EXPECT_EQ(s.windowWidth, Settings{}.windowWidth);
}

TEST(Settings, CorruptFileIsIgnoredWithAWarning) {
    const fs::path dir = tempDir("corrupt");
    for (const char* text : {"{not json", "[1, 2]", R"({"view": {"stepsPerFrame": "fast"}})",
                             R"({"window": {"width": -5}})", R"({"scenario": {"optimizer": "lion"}})"}) {
        const std::string path = (dir / "settings.json").string();
        std::ofstream(path) << text;
        std::string warning;
        const Settings s = loadSettings(path, warning);
        EXPECT_NE(warning.find(path), std::string::npos) << text << " -> " << warning;
        EXPECT_EQ(s.stepsPerFrame, Settings{}.stepsPerFrame) << text;
        EXPECT_EQ(s.windowWidth, Settings{}.windowWidth) << text;
        EXPECT_FALSE(s.scenario.has_value());
    }
    fs::remove_all(dir);
}

TEST(Settings, TestsHaveASettingsFolderOfTheirOwn) {
    // CTest gives every app test XDG_CONFIG_HOME in the build tree, so nothing a test does can
    // reach the user's ~/.config/loralab/settings.json.
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    ASSERT_NE(xdg, nullptr) << "run through ctest";
    const char* home = std::getenv("HOME");
    if (home && *home) {
        EXPECT_NE(settingsPath().rfind(std::string(home) + "/.config", 0), 0u) << settingsPath();
    }
    EXPECT_EQ(settingsPath(), std::string(xdg) + "/loralab/settings.json");
}

TEST(Settings, NonRegularFileIsIgnoredWithoutBlocking) {
    const fs::path dir = tempDir("special");
    const fs::path fifo = dir / "settings.json";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);  // opening it to read would wait for a writer
    std::string warning;
    const Settings s = loadSettings(fifo.string(), warning);
    EXPECT_NE(warning.find(fifo.string()), std::string::npos) << warning;
    EXPECT_EQ(s.windowWidth, Settings{}.windowWidth);
    fs::remove(fifo);
    fs::create_directory(fifo);
    EXPECT_FALSE(loadSettings(fifo.string(), warning).scenario.has_value());
    EXPECT_NE(warning.find(fifo.string()), std::string::npos) << warning;
    fs::remove_all(dir);
}

TEST(Settings, SaveWritesThroughALinkAndKeepsIt) {
    const fs::path dir = tempDir("link");
    fs::create_directories(dir / "dotfiles");
    fs::create_directories(dir / "config");
    fs::create_symlink("../dotfiles/loralab.json", dir / "config" / "settings.json");
    Settings s;
    s.stepsPerFrame = 33;
    std::string error;
    ASSERT_TRUE(saveSettings((dir / "config" / "settings.json").string(), s, error)) << error;
    EXPECT_TRUE(fs::is_symlink(dir / "config" / "settings.json"));
    std::string warning;
    EXPECT_EQ(loadSettings((dir / "dotfiles" / "loralab.json").string(), warning).stepsPerFrame, 33);
    fs::remove_all(dir);
}

TEST(Settings, PathFollowsXdgConfigHome) {
    const char* old = std::getenv("XDG_CONFIG_HOME");
    const std::string saved = old ? old : "";
    ::setenv("XDG_CONFIG_HOME", "/tmp/xdgtest", 1);
    EXPECT_EQ(settingsPath(), "/tmp/xdgtest/loralab/settings.json");
    if (old) ::setenv("XDG_CONFIG_HOME", saved.c_str(), 1); else ::unsetenv("XDG_CONFIG_HOME");
}

// ---- PNG writing -----------------------------------------------------------------------------

TEST(Screenshot, WritesPngFlippedFromGlOrder) {
    const fs::path dir = tempDir("png");
    Image img;
    img.width = 3;
    img.height = 2;
    // GL order: row 0 is the BOTTOM row. Bottom red, top blue.
    img.rgba = {255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255,
                0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255};
    const std::string path = (dir / "x.png").string();
    std::string error;
    ASSERT_TRUE(writePng(path, img, error)) << error;
    guitest::Png png;
    ASSERT_TRUE(guitest::loadPng(path, png, error)) << error;
    EXPECT_EQ(png.width, 3);
    EXPECT_EQ(png.height, 2);
    EXPECT_EQ(png.rgba[2], 255);  // top-left pixel of the file: blue
    EXPECT_EQ(png.rgba[0], 0);
    EXPECT_EQ(png.rgba[3 * 4 + 0], 255);  // bottom-left: red
    // No temp file left behind.
    int files = 0;
    for (const auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
    EXPECT_EQ(files, 1);
    fs::remove_all(dir);
}

TEST(Screenshot, ErrorsNameThePath) {
    Image img;
    img.width = img.height = 1;
    img.rgba = {1, 2, 3, 255};
    std::string error;
    EXPECT_FALSE(writePng("/nonexistent-dir/x.png", img, error));
    EXPECT_NE(error.find("/nonexistent-dir"), std::string::npos) << error;
    Image empty;
    EXPECT_FALSE(writePng("/tmp/empty.png", empty, error));
}

TEST(Screenshot, TimestampedName) {
    const fs::path dir = tempDir("names");
    const std::string p = timestampedPath(dir.string(), 0);
    EXPECT_TRUE(std::regex_match(fs::path(p).filename().string(), std::regex(R"(loralab-\d{8}-\d{6}\.png)"))) << p;
    std::ofstream(p) << "taken";
    const std::string second = timestampedPath(dir.string(), 0);
    EXPECT_EQ(second, p.substr(0, p.size() - 4) + "-2.png");
    fs::remove_all(dir);
}

}  // namespace
}  // namespace loralab::gui
