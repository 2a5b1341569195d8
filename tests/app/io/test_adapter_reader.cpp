// Reading peft adapter folders (app/io/adapter_reader.h): F32, F16 and BF16 factors, the scale
// from r, lora_alpha, use_rslora, rank_pattern and alpha_pattern as peft resolves them, and
// folders that are not what their config says.
#include "io/adapter_reader.h"

#include "../file_fixtures.h"
#include "loralab/csv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

using namespace loralab;
using namespace loralab::test;

namespace {

std::string tempDir(const std::string& name) {
    const std::string dir = ::testing::TempDir() + "/loralab_adapter_" + name;
    std::filesystem::remove_all(dir);
    return dir;
}

const std::string kPrefix = "base_model.model.model.layers.";

std::string errorOf(const std::string& dir) {
    try {
        AdapterFolder a(dir);
    } catch (const InputError& e) {
        return e.what();
    }
    return "accepted";
}

}  // namespace

TEST(AdapterReader, FactorsInEveryDtypeWithTheirScale) {
    for (const char* dtype : {"F32", "F16", "BF16"}) {
        const std::string dir = tempDir(std::string("dtype_") + dtype);
        const Matrix B = randomMatrix(6, 2, 1), A = randomMatrix(2, 5, 2);
        writeAdapterFolder(dir, {{kPrefix + "0.self_attn.q_proj", B, A}}, dtype,
                           R"({"peft_type": "LORA", "r": 2, "lora_alpha": 6, "use_rslora": false})");
        AdapterFolder a(dir);
        ASSERT_EQ(a.modules().size(), 1u);
        const AdapterModule& m = a.modules()[0];
        EXPECT_EQ(m.name, kPrefix + "0.self_attn.q_proj");
        EXPECT_EQ(m.d, 6);
        EXPECT_EQ(m.k, 5);
        EXPECT_EQ(m.r, 2);
        EXPECT_EQ(m.dtype, dtype);
        EXPECT_DOUBLE_EQ(m.scale, 3.0);
        Matrix b, aa;
        a.load(0, b, aa);
        EXPECT_EQ(b, roundedTo(B, dtype)) << dtype;
        EXPECT_EQ(aa, roundedTo(A, dtype)) << dtype;
        std::filesystem::remove_all(dir);
    }
}

// peft's get_pattern_key: the first key (in the file's order) that the module path fully
// matches as (.*\.)?(key); rsLoRA scales by α/√r.
TEST(AdapterReader, RankAndAlphaPatternsAsPeftResolvesThem) {
    const std::string dir = tempDir("patterns");
    writeAdapterFolder(dir,
                       {{kPrefix + "0.self_attn.q_proj", randomMatrix(8, 4, 1), randomMatrix(4, 8, 2)},
                        {kPrefix + "0.self_attn.v_proj", randomMatrix(8, 2, 3), randomMatrix(2, 8, 4)},
                        {kPrefix + "1.self_attn.v_proj", randomMatrix(8, 6, 5), randomMatrix(6, 8, 6)}},
                       "F32",
                       R"({"r": 2, "lora_alpha": 8, "use_rslora": true,
                           "rank_pattern": {"model.layers.1.self_attn.v_proj": 6, "q_proj": 4, "v_proj": 2},
                           "alpha_pattern": {"layers\\.0\\..*q_proj": 1}})");
    AdapterFolder a(dir);
    ASSERT_EQ(a.modules().size(), 3u);
    const AdapterModule& q0 = a.modules()[0];
    const AdapterModule& v0 = a.modules()[1];
    const AdapterModule& v1 = a.modules()[2];
    EXPECT_EQ(q0.r, 4);
    EXPECT_DOUBLE_EQ(q0.alpha, 1.0);
    EXPECT_DOUBLE_EQ(q0.scale, 1.0 / 2.0);  // α/√r
    EXPECT_EQ(v1.r, 6);                     // the first key wins over "v_proj": 2
    EXPECT_DOUBLE_EQ(v1.scale, 8.0 / std::sqrt(6.0));
    EXPECT_EQ(v0.r, 2);
    EXPECT_DOUBLE_EQ(v0.alpha, 8.0);        // no alpha key matches: lora_alpha
    std::filesystem::remove_all(dir);
}

TEST(AdapterReader, ConfigThatDisagreesWithTheFactorsIsAnError) {
    const std::string dir = tempDir("disagree");
    writeAdapterFolder(dir, {{kPrefix + "0.self_attn.v_proj", randomMatrix(8, 2, 3), randomMatrix(2, 8, 4)}}, "F32",
                       R"({"r": 2, "rank_pattern": {"v_proj": 9}})");
    EXPECT_NE(errorOf(dir).find("gives r = 9 (rank_pattern)"), std::string::npos) << errorOf(dir);
    writeAdapterFolder(dir, {{kPrefix + "0.self_attn.v_proj", randomMatrix(8, 2, 3), randomMatrix(3, 8, 4)}}, "F32",
                       R"({"r": 2})");
    EXPECT_NE(errorOf(dir).find("need B d x r and A r x k"), std::string::npos) << errorOf(dir);
    writeAdapterFolder(dir, {}, "F32", R"({"r": 2})");
    EXPECT_NE(errorOf(dir).find("no LoRA factors"), std::string::npos);
    writeBytes(dir + "/adapter_config.json", R"({"peft_type": "IA3"})");
    EXPECT_NE(errorOf(dir).find("not a LoRA adapter"), std::string::npos);
    writeBytes(dir + "/adapter_config.json", R"({"r": "eight"})");
    EXPECT_NE(errorOf(dir).find("'r' must be a positive integer"), std::string::npos);
    writeBytes(dir + "/adapter_config.json", R"({"rank_pattern": {"(": 2}})");
    writeAdapterFolder(dir, {{kPrefix + "0.self_attn.v_proj", randomMatrix(8, 2, 3), randomMatrix(2, 8, 4)}}, "F32",
                       R"({"r": 2, "rank_pattern": {"(": 2}})");
    EXPECT_NE(errorOf(dir).find("not a valid regular expression"), std::string::npos);
    std::filesystem::remove(dir + "/adapter_model.safetensors");
    EXPECT_NE(errorOf(dir).find("adapter_model.safetensors: missing"), std::string::npos);
    EXPECT_NE(errorOf(dir + "/nope").find("not a folder"), std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST(AdapterReader, OnlyLoraAOrBIsAnErrorAndOtherTensorsAreListed) {
    const std::string dir = tempDir("partial");
    std::filesystem::create_directories(dir);
    writeBytes(dir + "/adapter_config.json", R"({"r": 2})");
    writeBytes(dir + "/adapter_model.safetensors",
               safetensorsBytes({{"base_model.model.x.lora_A.weight", "F32", Matrix::Zero(2, 3)}}));
    EXPECT_NE(errorOf(dir).find("has lora_A but no lora_B"), std::string::npos);
    writeBytes(dir + "/adapter_model.safetensors",
               safetensorsBytes({{"base_model.model.x.lora_A.default.weight", "F32", Matrix::Zero(2, 3)},
                                 {"base_model.model.x.lora_B.default.weight", "F32", Matrix::Zero(4, 2)},
                                 {"base_model.model.score.modules_to_save.weight", "F32", Matrix::Zero(1, 4)}}));
    AdapterFolder a(dir);
    ASSERT_EQ(a.modules().size(), 1u);
    EXPECT_EQ(a.modules()[0].name, "base_model.model.x");
    EXPECT_EQ(a.otherTensors(), (std::vector<std::string>{"base_model.model.score.modules_to_save.weight"}));
    std::filesystem::remove_all(dir);
}

TEST(AdapterReader, NonFiniteFactorsAreRefusedWhenLoaded) {
    const std::string dir = tempDir("nan");
    Matrix B = randomMatrix(4, 1, 1);
    B(2, 0) = NAN;
    writeAdapterFolder(dir, {{"base_model.model.x", B, randomMatrix(1, 3, 2)}}, "F32", R"({"r": 1})");
    AdapterFolder a(dir);
    Matrix b, aa;
    EXPECT_THROW(a.load(0, b, aa), InputError);
    std::filesystem::remove_all(dir);
}

TEST(AdapterReader, NaturalOrderAndPatternMatching) {
    EXPECT_TRUE(naturalLess("layers.2.q", "layers.10.q"));
    EXPECT_FALSE(naturalLess("layers.10.q", "layers.2.q"));
    EXPECT_TRUE(naturalLess("a.k_proj", "a.q_proj"));
    EXPECT_EQ(matchPattern({"q_proj", "proj"}, "model.layers.0.self_attn.q_proj", "c"), 0);
    EXPECT_EQ(matchPattern({"proj"}, "model.layers.0.self_attn.q_proj", "c"), -1);  // not a '.'-suffix
    EXPECT_EQ(matchPattern({"layers.0.self_attn.q_proj"}, "model.layers.0.self_attn.q_proj", "c"), 0);
    EXPECT_EQ(matchPattern({".*\\.1\\..*"}, "model.layers.1.mlp.up_proj", "c"), 0);
    EXPECT_THROW(matchPattern({"["}, "x", "c"), InputError);
    // Lengths no real module path reaches are refused before std::regex recurses over them.
    EXPECT_THROW(matchPattern({std::string(5000, '(')}, "x", "c"), InputError);
    EXPECT_THROW(matchPattern({"q_proj"}, std::string(5000, 'a'), "c"), InputError);
    EXPECT_EQ(matchPattern({std::string(2000, 'a')}, std::string(1000, 'a'), "c"), -1);
}
