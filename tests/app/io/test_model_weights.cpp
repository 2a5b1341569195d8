// A model's weights from headers alone (app/io/model_weights.h): one file, a sharded index with
// shards next to it, a folder, and the errors of a bad index.
#include "io/model_weights.h"

#include "../file_fixtures.h"
#include "loralab/csv.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace loralab;
using namespace loralab::test;

namespace {

class ModelWeightsTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = ::testing::TempDir() + "/loralab_weights_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name();
        std::filesystem::remove_all(m_dir);
        std::filesystem::create_directories(m_dir);
        writeBytes(m_dir + "/a.safetensors",
                   safetensorsBytes({{"model.embed_tokens.weight", "BF16", Matrix::Zero(10, 4)},
                                     {"model.layers.0.self_attn.q_proj.weight", "F16", Matrix::Zero(4, 4)}}));
        writeBytes(m_dir + "/b.safetensors",
                   safetensorsBytes({{"model.layers.1.self_attn.q_proj.weight", "F32", Matrix::Zero(4, 4)},
                                     {"lm_head.weight", "F32", Matrix::Zero(10, 4)}}));
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::string index(const std::string& weightMap) {
        const std::string path = m_dir + "/model.safetensors.index.json";
        writeBytes(path, "{\"metadata\": {\"total_size\": 1}, \"weight_map\": {" + weightMap + "}}");
        return path;
    }
    std::string errorOf(const std::string& path) {
        try {
            readModelWeights(path);
        } catch (const InputError& e) {
            return e.what();
        }
        return "accepted";
    }
    std::string m_dir;
};

}  // namespace

TEST_F(ModelWeightsTest, OneFile) {
    const ModelWeights w = readModelWeights(m_dir + "/a.safetensors");
    ASSERT_EQ(w.entries.size(), 2u);
    EXPECT_EQ(w.files, 1u);
    EXPECT_EQ(w.entries[0].name, "model.embed_tokens.weight");
    EXPECT_EQ(w.entries[0].dtype, "BF16");
    EXPECT_EQ(w.entries[1].shape, (std::vector<std::int64_t>{4, 4}));
}

TEST_F(ModelWeightsTest, ShardedIndexResolvesShardsNextToIt) {
    const std::string path = index(R"("model.embed_tokens.weight": "a.safetensors",
        "model.layers.0.self_attn.q_proj.weight": "a.safetensors",
        "model.layers.1.self_attn.q_proj.weight": "b.safetensors",
        "lm_head.weight": "b.safetensors")");
    const ModelWeights w = readModelWeights(path);
    EXPECT_EQ(w.entries.size(), 4u);
    EXPECT_EQ(w.files, 2u);
    std::int64_t total = 0;
    for (const NamedShape& s : w.shapes()) total += elementCount(s.shape);
    EXPECT_EQ(total, 40 + 16 + 16 + 40);
    // The folder finds the index.
    EXPECT_EQ(readModelWeights(m_dir).entries.size(), 4u);
}

TEST_F(ModelWeightsTest, BadIndexesAreNamed) {
    EXPECT_NE(errorOf(index(R"("lm_head.weight": "a.safetensors")")).find("does not hold it"), std::string::npos);
    EXPECT_NE(errorOf(index(R"("lm_head.weight": "missing.safetensors")")).find("missing.safetensors"),
              std::string::npos);
    EXPECT_NE(errorOf(index(R"("lm_head.weight": 3)")).find("relative to the index"), std::string::npos);
    EXPECT_NE(errorOf(index(R"("lm_head.weight": "/etc/b.safetensors")")).find("relative to the index"),
              std::string::npos);
    writeBytes(m_dir + "/model.safetensors.index.json", R"({"metadata": {}})");
    EXPECT_NE(errorOf(m_dir + "/model.safetensors.index.json").find("weight_map"), std::string::npos);
    writeBytes(m_dir + "/model.safetensors.index.json", "{ nope");
    EXPECT_NE(errorOf(m_dir + "/model.safetensors.index.json").find("not valid JSON"), std::string::npos);
    std::filesystem::remove(m_dir + "/model.safetensors.index.json");
    EXPECT_NE(errorOf(m_dir).find("no model.safetensors"), std::string::npos);
    EXPECT_NE(errorOf(m_dir + "/none.safetensors").find("no such file"), std::string::npos);
}
