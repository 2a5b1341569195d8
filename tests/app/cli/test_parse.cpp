// The option table, in-process: every flag lands in the right field of the right mode, and a
// storm of random command lines never crashes and always ends in exit 0/2 with one-line errors.
#include "cli/parse.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

using loralab::cli::CliOptions;
using loralab::cli::Mode;

namespace {

CliOptions parse(const std::vector<std::string>& args) {
    std::ostringstream out, err;
    auto result = loralab::cli::parseCommandLine(args, out, err);
    EXPECT_TRUE(result.options.has_value()) << err.str();
    return result.options.value_or(CliOptions{});
}

}  // namespace

TEST(CliParse, EveryHeadlessFlagLandsInItsField) {
    const CliOptions o = parse({"--headless", "--d", "16", "--k", "8", "--rank", "2", "--alpha", "3",
                                "--rslora", "--init", "svd", "--target", "decay", "--decay-power",
                                "2.5", "--optimizer", "momentum", "--lr", "0.5", "--steps", "7",
                                "--seed", "9", "--threads", "1", "--json", "--curve", "c.csv",
                                "--screenshot", "s.png", "--frames", "4", "--export-adapter", "out",
                                "--module-name", "q_proj"});
    ASSERT_EQ(o.mode, Mode::Headless);
    const loralab::Scenario& s = o.headless.scenario;
    EXPECT_EQ(s.d, 16);
    EXPECT_EQ(s.k, 8);
    EXPECT_EQ(s.rank, 2);
    EXPECT_EQ(s.alpha.value_or(0), 3.0);
    EXPECT_TRUE(s.rslora);
    EXPECT_EQ(s.init, loralab::Init::Svd);
    EXPECT_EQ(s.target, loralab::TargetKind::Decay);
    EXPECT_EQ(s.decayPower, 2.5);
    EXPECT_EQ(s.optimizer, loralab::OptimizerKind::Momentum);
    EXPECT_EQ(s.lr, 0.5);
    EXPECT_EQ(s.steps, 7);
    EXPECT_EQ(s.seed, 9u);
    EXPECT_EQ(s.threads, 1);
    EXPECT_TRUE(o.headless.json);
    EXPECT_EQ(o.headless.curvePath, "c.csv");
    EXPECT_EQ(o.headless.screenshotPath, "s.png");
    EXPECT_EQ(o.headless.frames, 4);
    EXPECT_EQ(o.headless.exportDir, "out");
    EXPECT_EQ(o.headless.moduleName, "q_proj");
}

TEST(CliParse, HeadlessDefaults) {
    const CliOptions o = parse({"--headless"});
    const loralab::Scenario& s = o.headless.scenario;
    EXPECT_EQ(s.d, 32);
    EXPECT_EQ(s.k, 32);
    EXPECT_EQ(s.rank, 4);
    EXPECT_FALSE(s.alpha.has_value());
    EXPECT_EQ(s.steps, 2000);
    EXPECT_EQ(s.target, loralab::TargetKind::Full);
    EXPECT_EQ(o.headless.moduleName, "layer");
}

TEST(CliParse, TargetFileImpliesTargetFile) {
    const CliOptions o = parse({"--headless", "--target-file", "t.csv"});
    EXPECT_EQ(o.headless.scenario.target, loralab::TargetKind::File);
    EXPECT_EQ(o.headless.scenario.targetFile, "t.csv");
}

TEST(CliParse, GuiFlagsAndScenarioGiven) {
    CliOptions o = parse({"--out-dir", "shots", "--screenshot", "x.png", "--frames", "9"});
    EXPECT_EQ(o.mode, Mode::Gui);
    EXPECT_EQ(o.gui.outDir, "shots");
    EXPECT_EQ(o.gui.screenshotPath, "x.png");
    EXPECT_EQ(o.gui.frames, 9);
    EXPECT_FALSE(o.gui.scenarioGiven);  // outputs only: the persisted settings still apply

    o = parse({"--rank", "6", "--steps", "100"});
    EXPECT_TRUE(o.gui.scenarioGiven);
    EXPECT_EQ(o.gui.scenario.rank, 6);
    EXPECT_EQ(o.gui.scenario.steps, 100);

    // A preset is a whole scenario, but how long to pre-train it is not part of it.
    o = parse({"--preset", "Full-rank target: the plateau", "--steps", "400", "--threads", "1"});
    EXPECT_EQ(o.gui.preset, "Full-rank target: the plateau");
    EXPECT_EQ(o.gui.scenario.steps, 400);

    // The methods work in the window too.
    o = parse({"--compare", "lora,full,vera", "--lr-ratio", "4"});
    EXPECT_TRUE(o.gui.scenarioGiven);
    ASSERT_EQ(o.gui.scenario.compare.size(), 3u);
    EXPECT_EQ(o.gui.scenario.compare[1], loralab::MethodKind::Full);
    EXPECT_EQ(o.gui.scenario.lrRatio, 4.0);
    o = parse({"--method", "vera"});
    EXPECT_EQ(o.gui.scenario.method, loralab::MethodKind::Vera);
}

TEST(CliParse, BaseFlagsLandInTheScenario) {
    CliOptions o = parse({"--headless", "--base-file", "w.safetensors", "--base-tensor", "q.weight",
                          "--base-dtype", "nf4", "--double-quant", "--export-merged", "m.safetensors",
                          "--steps", "0"});
    const loralab::Scenario& s = o.headless.scenario;
    EXPECT_EQ(s.base, loralab::BaseKind::File);  // implied by --base-file
    EXPECT_EQ(s.baseFile, "w.safetensors");
    EXPECT_EQ(s.baseTensor, "q.weight");
    EXPECT_EQ(s.baseDtype, loralab::BaseDtype::Nf4);
    EXPECT_TRUE(s.doubleQuant);
    EXPECT_FALSE(s.shapeGiven);
    EXPECT_EQ(s.steps, 0);
    EXPECT_EQ(o.headless.mergedPath, "m.safetensors");
    o = parse({"--base", "gaussian", "--d", "8", "--base-dtype", "bf16"});
    EXPECT_EQ(o.gui.scenario.base, loralab::BaseKind::Gaussian);
    EXPECT_EQ(o.gui.scenario.baseDtype, loralab::BaseDtype::Bf16);
    EXPECT_TRUE(o.gui.scenario.shapeGiven);
    o = parse({"--headless"});
    EXPECT_EQ(o.headless.scenario.base, loralab::BaseKind::None);
    EXPECT_EQ(o.headless.scenario.baseDtype, loralab::BaseDtype::Fp32);
}

TEST(CliParse, InspectTakesItsPathAndOptions) {
    CliOptions o = parse({"--inspect", "my adapter", "--resize-rank", "4", "--export-adapter", "out", "--json"});
    EXPECT_EQ(o.mode, Mode::Inspect);
    EXPECT_EQ(o.inspect.path, "my adapter");
    EXPECT_EQ(o.inspect.resizeRank, 4);
    EXPECT_EQ(o.inspect.exportDir, "out");
    EXPECT_TRUE(o.inspect.json);
    o = parse({"--json", "--inspect=dir"});
    EXPECT_EQ(o.inspect.path, "dir");
    o = parse({"--params", "--config", "c.json", "--modules", "all-linear"});
    EXPECT_EQ(o.params.config, "c.json");
    o = parse({"--headless", "--target-file", "m.safetensors", "--tensor", "w"});
    EXPECT_EQ(o.headless.scenario.targetTensor, "w");
    o = parse({"--open", "adapter"});
    EXPECT_EQ(o.gui.openPath, "adapter");
    EXPECT_FALSE(o.gui.scenarioGiven);  // opening a file is not a scenario flag
}

TEST(CliParse, ParamsAndBenchFields) {
    CliOptions o = parse({"--params", "--model", "llama-2-7b", "--modules", "all-linear", "--rank", "16"});
    EXPECT_EQ(o.mode, Mode::Params);
    EXPECT_EQ(o.params.model, "llama-2-7b");
    EXPECT_EQ(o.params.modules, "all-linear");
    EXPECT_EQ(o.params.rank, 16);

    o = parse({"--bench", "--workload", "full", "--sizes", "512,1024", "--ranks", "8,32", "--batch",
               "64", "--warmup", "0", "--reps", "3", "--seed", "5", "--threads", "2", "--json"});
    EXPECT_EQ(o.mode, Mode::Bench);
    EXPECT_EQ(o.bench.workload, "full");
    EXPECT_EQ(o.bench.sizes, (std::vector<loralab::Index>{512, 1024}));
    EXPECT_EQ(o.bench.ranks, (std::vector<loralab::Index>{8, 32}));
    EXPECT_EQ(o.bench.batch, 64);
    EXPECT_EQ(o.bench.warmup, 0);
    EXPECT_EQ(o.bench.reps, 3);
    EXPECT_EQ(o.bench.seed, 5u);
    EXPECT_EQ(o.bench.threads, 2);
    EXPECT_TRUE(o.bench.json);
    EXPECT_EQ(o.bench.d, 0);  // sizes, not one explicit shape

    o = parse({"--bench", "--d", "300"});
    EXPECT_EQ(o.bench.d, 300);
    EXPECT_EQ(o.bench.k, 300);  // --d alone: square
}

// Random command lines from the real vocabulary (flags of every mode, good and bad values,
// stray words): parsing must end in options or exit 0/2 with exactly one line, never crash.
TEST(CliParse, RandomCommandLinesNeverCrash) {
    std::vector<std::string> words;
    for (const auto& row : loralab::cli::optionTable()) words.push_back(row.flag);
    for (const char* w : {"--headless", "--bench", "--params", "--inspect", "--help", "-h", "--version", "",
                          "0", "1", "-1", "4", "32", "4096", "1e9", "nan", "-inf", "0.01", "abc",
                          "full", "file", "lowrank", "adam", "sgd", "q,v", "1,,2", "llama-2-7b",
                          "list", "--d=", "--rank=3", "--lr=-1", "=", "--", "-", "x.csv",
                          "--json=1", "\xff\xfe", "--unknown", "all-linear", "svd"})
        words.push_back(w);
    std::mt19937 rng(12345);
    for (int trial = 0; trial < 3000; ++trial) {
        std::vector<std::string> args;
        const int n = static_cast<int>(rng() % 7);
        for (int i = 0; i < n; ++i) args.push_back(words[rng() % words.size()]);
        std::ostringstream out, err;
        const auto result = loralab::cli::parseCommandLine(args, out, err);
        if (result.options) continue;
        ASSERT_TRUE(result.exitCode == 0 || result.exitCode == 2) << trial;
        if (result.exitCode == 2) {
            const std::string e = err.str();
            ASSERT_EQ(std::count(e.begin(), e.end(), '\n'), 1) << e;
            ASSERT_EQ(e.rfind("loralab: ", 0), 0u) << e;
        }
    }
}
