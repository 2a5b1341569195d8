// loralab --headless --method / --lr-ratio / --compare: the JSON contract, results in the order
// given with peft's counts, full fine-tuning past LoRA's floor, the one-line refusals.
#include "run_binary.h"
#include "svd_floor.h"

#include "loralab/target.h"

#include <gtest/gtest.h>

#include <sstream>

using loralab::test::floorOf;
using loralab::test::parseJsonObject;
using loralab::test::readFile;
using loralab::test::runLoralab;
using loralab::test::TempDir;

namespace {

TEST(CliMethods, CompareJsonIsInTheOrderGivenWithPeftCounts) {
    const auto r = runLoralab({"--headless", "--compare", "vera,full,lora", "--d", "24", "--k",
                               "16", "--rank", "4", "--steps", "300", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    const auto& results = j["results"];
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[0]["method"], "vera");
    EXPECT_EQ(results[0]["trainable_params"], 24 + 4);
    EXPECT_EQ(results[1]["method"], "full");
    EXPECT_EQ(results[1]["trainable_params"], 24 * 16);
    EXPECT_EQ(results[2]["method"], "lora");
    EXPECT_EQ(results[2]["trainable_params"], 4 * (24 + 16));
    for (const auto& m : results) {
        for (const char* key : {"initial_loss", "final_loss", "lora_floor", "steps_to_threshold",
                                "under_floor", "diverged"})
            EXPECT_TRUE(m.contains(key)) << key;
        EXPECT_NEAR(m["initial_loss"].get<double>(), 1.0, 1e-5);  // unit-RMS target, no base
    }
    // LoRA's floor is the Eckart–Young floor of the target; full fine-tuning goes under it.
    loralab::TargetSpec spec;
    spec.d = 24;
    spec.k = 16;
    const double floor = floorOf(loralab::makeTarget(spec).cast<double>(), 4);
    EXPECT_NEAR(results[2]["lora_floor"].get<double>(), floor, 1e-5 * floor);
    EXPECT_TRUE(results[1]["under_floor"].get<bool>());
    EXPECT_LT(results[1]["final_loss"].get<double>(), 0.1 * floor);
    EXPECT_FALSE(results[2]["under_floor"].get<bool>());
}

TEST(CliMethods, CompareIsDeterministicAndReadable) {
    const std::vector<std::string> args{"--headless", "--compare", "lora,full", "--steps", "200"};
    const auto a = runLoralab(args), b = runLoralab(args);
    ASSERT_EQ(a.exitCode, 0) << a.err;
    EXPECT_EQ(a.out, b.out);
    EXPECT_NE(a.out.find("steps to 1.1 x floor"), std::string::npos) << a.out;
    std::istringstream lines(a.out);
    std::string line;
    int rows = 0;
    while (std::getline(lines, line)) rows += line.rfind("lora ", 0) == 0 || line.rfind("full ", 0) == 0;
    EXPECT_EQ(rows, 2) << a.out;
}

TEST(CliMethods, CompareCurveHasAColumnPerMethod) {
    TempDir dir;
    const auto r = runLoralab({"--headless", "--compare", "lora,vera", "--steps", "20", "--curve",
                               dir.file("c.csv")});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::string csv = readFile(dir.file("c.csv"));
    EXPECT_EQ(csv.substr(0, csv.find('\n')), "step,lora,vera,floor");
    EXPECT_EQ(loralab::test::countLines(csv), 22);
}

TEST(CliMethods, MethodJsonNamesMethodAndRatio) {
    const auto r = runLoralab({"--headless", "--method", "vera", "--rank", "8", "--steps", "50",
                               "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    EXPECT_EQ(j["method"], "vera");
    EXPECT_EQ(j["lr_ratio"], 1.0);
    EXPECT_EQ(j["trainable_params"], 32 + 8);
    EXPECT_LT(j["final_loss"].get<double>(), j["initial_loss"].get<double>());
    const auto plus = parseJsonObject(runLoralab({"--headless", "--lr-ratio", "4", "--steps", "50",
                                                  "--json"}));
    EXPECT_EQ(plus["method"], "lora");
    EXPECT_EQ(plus["lr_ratio"], 4.0);
}

TEST(CliMethods, VeraExportWritesPeftsFiles) {
    TempDir dir;
    const auto r = runLoralab({"--headless", "--method", "vera", "--steps", "10",
                               "--export-adapter", dir.file("a")});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto config = nlohmann::json::parse(readFile(dir.file("a/adapter_config.json")));
    EXPECT_EQ(config["peft_type"], "VERA");
    EXPECT_TRUE(loralab::test::fileExists(dir.file("a/adapter_model.safetensors")));
}

TEST(CliMethods, RefusalsAreOneLineAndExitTwo) {
    struct Case {
        std::vector<std::string> args;
        const char* says;
    };
    const std::vector<Case> cases{
        {{"--method", "dora"}, "--base"},
        {{"--method", "pissa"}, "--base"},
        {{"--compare", "lora,dora"}, "--base"},
        {{"--method", "full", "--lr-ratio", "4"}, "no B factor"},
        {{"--compare", "lora,lora"}, "twice"},
        {{"--compare", "lora,qlora"}, "qlora"},
        {{"--compare", "lora,full", "--method", "full"}, "leave out --method"},
        {{"--compare", "lora,full", "--export-adapter", "x"}, "one method"},
        {{"--method", "full", "--export-adapter", "x"}, "no adapter"},
        {{"--lr-ratio", "0"}, "--lr-ratio"},
    };
    for (const Case& c : cases) {
        std::vector<std::string> args{"--headless", "--steps", "5"};
        args.insert(args.end(), c.args.begin(), c.args.end());
        const auto r = runLoralab(args);
        EXPECT_EQ(r.exitCode, 2) << c.args[0] << " " << c.args[1] << ": " << r.err;
        EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
        EXPECT_EQ(loralab::test::countLines(r.err), 1) << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
    }
}

// On a base (--base gaussian) DoRA and PiSSA run: each starts at W0ₛ (initial loss = LoRA's at
// step 0, ‖T‖²/(dk) with an fp32 base) and learns.
TEST(CliMethods, DoraAndPissaRunOnAGaussianBase) {
    const auto lora = runLoralab({"--headless", "--base", "gaussian", "--steps", "0", "--json"});
    ASSERT_EQ(lora.exitCode, 0) << lora.err;
    const auto start = nlohmann::json::parse(lora.out)["initial_loss"].get<double>();
    for (const char* method : {"dora", "pissa"}) {
        const auto r = runLoralab({"--headless", "--method", method, "--base", "gaussian", "--steps", "40",
                                   "--json"});
        ASSERT_EQ(r.exitCode, 0) << method << ": " << r.err;
        const auto j = nlohmann::json::parse(r.out);
        EXPECT_EQ(j["method"], method);
        EXPECT_NEAR(j["initial_loss"].get<double>(), start, 1e-5 * start) << method;
        EXPECT_LT(j["final_loss"].get<double>(), 0.95 * start) << method;
    }
    const auto c = runLoralab({"--headless", "--compare", "lora,dora,pissa", "--base", "gaussian",
                               "--steps", "20", "--json"});
    ASSERT_EQ(c.exitCode, 0) << c.err;
    EXPECT_EQ(nlohmann::json::parse(c.out)["results"].size(), 3u);
}

// The window takes the same options and refuses them the same way, before any window opens.
TEST(CliMethods, WindowRefusalsAreOneLineAndExitTwo) {
    const std::vector<std::vector<std::string>> cases{
        {"--compare", "lora,dora"}, {"--method", "vera", "--lr-ratio", "2"}, {"--compare", "lora,"}};
    for (const auto& args : cases) {
        const auto r = runLoralab(args);
        EXPECT_EQ(r.exitCode, 2) << args[0] << " " << args[1] << ": " << r.err;
        EXPECT_EQ(loralab::test::countLines(r.err), 1) << r.err;
    }
}

}  // namespace
