// loralab --params: counts against closed forms and against the figures peft prints.
#include "run_binary.h"

#include <gtest/gtest.h>

#include <set>

using loralab::test::parseJsonObject;
using loralab::test::runLoralab;

namespace {

std::set<std::string> keysOf(const nlohmann::json& j) {
    std::set<std::string> keys;
    for (const auto& item : j.items()) keys.insert(item.key());
    return keys;
}

}  // namespace

TEST(CliParams, Layer4096Rank8) {
    const auto r = runLoralab({"--params", "--d", "4096", "--k", "4096", "--rank", "8", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    EXPECT_EQ(keysOf(j), (std::set<std::string>{"d", "k", "rank", "full_params", "lora_params", "ratio",
                                                "trainable_percent", "memory_bytes", "activations_counted",
                                                "adapter_file_bytes", "adapter_file_bytes_bf16"}));
    EXPECT_EQ(j["d"], 4096);
    EXPECT_EQ(j["k"], 4096);
    EXPECT_EQ(j["rank"], 8);
    EXPECT_EQ(j["full_params"].get<std::int64_t>(), 16777216);
    EXPECT_EQ(j["lora_params"].get<std::int64_t>(), 65536);
    EXPECT_DOUBLE_EQ(j["ratio"].get<double>(), 256.0);
    EXPECT_NEAR(j["trainable_percent"].get<double>(), 65536.0 / (16777216.0 + 65536.0) * 100, 1e-12);
    // Adam: weights + gradients + two moments per trainable parameter.
    const auto& fp32 = j["memory_bytes"]["fp32"];
    EXPECT_EQ(fp32["full"]["total"].get<std::int64_t>(), 16777216LL * 4 * 4);
    EXPECT_EQ(fp32["lora"]["weights"].get<std::int64_t>(), (16777216LL + 65536) * 4);
    EXPECT_EQ(fp32["lora"]["gradients"].get<std::int64_t>(), 65536LL * 4);
    EXPECT_EQ(fp32["lora"]["adam_state"].get<std::int64_t>(), 65536LL * 2 * 4);
    EXPECT_EQ(j["memory_bytes"]["bf16"]["full"]["total"].get<std::int64_t>(), 16777216LL * 4 * 2);
}

TEST(CliParams, RectangularLayer) {
    const auto r = runLoralab({"--params", "--d", "4096", "--k", "11008", "--rank", "16", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    EXPECT_EQ(j["full_params"].get<std::int64_t>(), 4096LL * 11008);
    EXPECT_EQ(j["lora_params"].get<std::int64_t>(), 16LL * (4096 + 11008));
    EXPECT_NEAR(j["ratio"].get<double>(), 4096.0 * 11008 / (16.0 * (4096 + 11008)), 1e-9);
}

TEST(CliParams, ReadableTable) {
    const auto r = runLoralab({"--params", "--d", "4096", "--k", "4096", "--rank", "8"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("16,777,216"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("65,536"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("256x fewer"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("fp32"), std::string::npos) << r.out;
}

// peft's print_trainable_parameters() on Llama-2-7b with r = 8 prints
// "trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622".
TEST(CliParams, Llama2QvRank8MatchesPeft) {
    const auto r = runLoralab(
        {"--params", "--model", "llama-2-7b", "--rank", "8", "--modules", "q,v", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    EXPECT_EQ(keysOf(j), (std::set<std::string>{"model", "modules", "rank", "base_params", "trainable_params",
                                                "full_params", "lora_params", "ratio", "trainable_percent",
                                                "memory_bytes", "activations_counted", "adapter_file_bytes",
                                                "adapter_file_bytes_bf16"}));
    EXPECT_EQ(j["model"], "llama-2-7b");
    EXPECT_EQ(j["modules"], nlohmann::json::array({"q", "v"}));
    EXPECT_EQ(j["trainable_params"].get<std::int64_t>(), 4194304);
    EXPECT_EQ(j["lora_params"].get<std::int64_t>(), 4194304);
    EXPECT_EQ(j["base_params"].get<std::int64_t>(), 6738415616LL);
    EXPECT_EQ(j["full_params"].get<std::int64_t>(), 32LL * 2 * 4096 * 4096);
    EXPECT_DOUBLE_EQ(j["ratio"].get<double>(), 256.0);
    EXPECT_NEAR(j["trainable_percent"].get<double>(), 4194304.0 / 6742609920.0 * 100, 1e-9);
}

// peft: "trainable params: 19,988,480 || all params: 6,758,404,096 || trainable%: 0.2958".
TEST(CliParams, Llama2AllLinearRank8MatchesPeft) {
    const auto r = runLoralab(
        {"--params", "--model", "llama-2-7b", "--rank", "8", "--modules", "all-linear", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    EXPECT_EQ(j["trainable_params"].get<std::int64_t>(), 19988480);
    EXPECT_EQ(j["modules"].size(), 7u);
    EXPECT_NEAR(j["trainable_percent"].get<double>(), 19988480.0 / 6758404096.0 * 100, 1e-9);
}

TEST(CliParams, ModelList) {
    const auto text = runLoralab({"--params", "--model", "list"});
    ASSERT_EQ(text.exitCode, 0) << text.err;
    EXPECT_NE(text.out.find("llama-2-7b"), std::string::npos) << text.out;

    const auto r = runLoralab({"--params", "--model", "list", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    ASSERT_TRUE(j["models"].is_array());
    bool found = false;
    for (const auto& m : j["models"]) {
        if (m["name"] != "llama-2-7b") continue;
        found = true;
        EXPECT_EQ(m["params"].get<std::int64_t>(), 6738415616LL);
        EXPECT_EQ(m["layers"], 32);
    }
    EXPECT_TRUE(found);
}

TEST(CliParams, HelpShowsDefaults) {
    const auto r = runLoralab({"--params", "--help"});
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_NE(r.out.find("--rank"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("=4096"), std::string::npos) << r.out;  // default d shown
    EXPECT_NE(r.out.find("--model"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("--lr"), std::string::npos) << "--params has no --lr:\n" << r.out;
}
