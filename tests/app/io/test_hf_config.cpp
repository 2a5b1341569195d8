// Hugging Face config.json (app/io/hf_config.h): the fields and defaults transformers uses for
// each model type, and one-line errors naming the file and the field.
#include "io/hf_config.h"

#include "loralab/csv.h"

#include <gtest/gtest.h>

#include <string>

using namespace loralab;

namespace {

const char* kRequired =
    R"("hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 8, "vocab_size": 100)";

HfConfig parse(const std::string& type, const std::string& extra = "") {
    return parseHfConfig("{\"model_type\": \"" + type + "\", " + kRequired + extra + "}", "config.json");
}

std::string errorOf(const std::string& text) {
    try {
        parseHfConfig(text, "config.json");
    } catch (const InputError& e) {
        return e.what();
    }
    return "accepted";
}

}  // namespace

TEST(HfConfig, DefaultsAsTransformersGivesThem) {
    const HfConfig llama = parse("llama");
    EXPECT_EQ(llama.shapes.kvHeads, 8);   // num_attention_heads
    EXPECT_EQ(llama.shapes.headDim, 8);   // hidden_size / num_attention_heads
    EXPECT_FALSE(llama.shapes.tiedEmbeddings);
    EXPECT_FALSE(llama.shapes.qkvBias || llama.shapes.oBias || llama.shapes.mlpBias);
    EXPECT_EQ(llama.defaultModules, "q,v");
    // The config classes' own defaults when the field is absent, num_attention_heads when null.
    EXPECT_EQ(parse("mistral", R"(, "num_attention_heads": 16)").shapes.kvHeads, 8);
    EXPECT_EQ(parse("mistral", R"(, "num_key_value_heads": null)").shapes.kvHeads, 8);
    EXPECT_EQ(parse("qwen2", R"(, "num_attention_heads": 32)").shapes.kvHeads, 32);
    const HfConfig gemma = parse("gemma", R"(, "num_attention_heads": 16)");
    EXPECT_EQ(gemma.shapes.kvHeads, 16);
    EXPECT_EQ(gemma.shapes.headDim, 256);
    EXPECT_TRUE(gemma.shapes.tiedEmbeddings);
    EXPECT_TRUE(parse("qwen2", R"(, "num_key_value_heads": 2)").shapes.qkvBias);
    EXPECT_FALSE(parse("qwen2", R"(, "num_key_value_heads": 2)").shapes.oBias);
    const HfConfig phi = parse("phi3");
    EXPECT_TRUE(phi.shapes.fusedProjections);
    EXPECT_EQ(phi.defaultModules, "qkv_proj");
}

TEST(HfConfig, FieldsOverrideDefaults) {
    const HfConfig c = parse("llama", R"(, "num_key_value_heads": 2, "head_dim": 16, "tie_word_embeddings": true,
                                       "attention_bias": true, "mlp_bias": true, "_name_or_path": "org/model")");
    EXPECT_EQ(c.shapes.kvHeads, 2);
    EXPECT_EQ(c.shapes.headDim, 16);
    EXPECT_TRUE(c.shapes.tiedEmbeddings);
    EXPECT_TRUE(c.shapes.qkvBias && c.shapes.oBias && c.shapes.mlpBias);
    EXPECT_EQ(c.name, "org/model");
    // attention_bias is not a mistral field: it changes nothing there.
    EXPECT_FALSE(parse("mistral", R"(, "attention_bias": true)").shapes.qkvBias);
    EXPECT_TRUE(parse("gemma", R"(, "num_key_value_heads": 1, "attention_bias": true)").shapes.oBias);
}

TEST(HfConfig, ErrorsNameTheProblem) {
    EXPECT_NE(errorOf("{\"model_type\": \"bert\", " + std::string(kRequired) + "}").find("'bert' is not supported"),
              std::string::npos);
    EXPECT_NE(errorOf(std::string("{") + kRequired + "}").find("model_type"), std::string::npos);
    for (const char* field : {"hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                              "vocab_size"}) {
        std::string text = "{\"model_type\": \"llama\", " + std::string(kRequired) + "}";
        const std::size_t at = text.find(std::string("\"") + field + "\"");
        const std::size_t end = text.find_first_of(",}", at);
        text.erase(at, end - at + (text[end] == ',' ? 1 : 0));
        if (text.find(", }") != std::string::npos) text.replace(text.find(", }"), 3, "}");
        const std::string e = errorOf(text);
        EXPECT_NE(e.find(std::string("missing required field '") + field + "'"), std::string::npos) << e;
        EXPECT_NE(e.find("config.json"), std::string::npos);
    }
    EXPECT_NE(errorOf("{\"model_type\": \"llama\", " + std::string(kRequired) + ", \"head_dim\": -4}").find("head_dim"),
              std::string::npos);
    EXPECT_NE(errorOf("{\"model_type\": \"llama\", " + std::string(kRequired) + ", \"num_key_value_heads\": 3}")
                  .find("does not divide"),
              std::string::npos);
    EXPECT_NE(errorOf("{\"model_type\": \"llama\", " + std::string(kRequired) + ", \"tie_word_embeddings\": 1}")
                  .find("true or false"),
              std::string::npos);
    EXPECT_NE(errorOf("{\"model_type\": \"llama\", \"hidden_size\": \"64\"").find("not valid JSON"), std::string::npos);
    EXPECT_NE(errorOf("{\"model_type\": \"llama\", \"hidden_size\": 4096.5, \"intermediate_size\": 1, "
                      "\"num_hidden_layers\": 1, \"num_attention_heads\": 1, \"vocab_size\": 1}")
                  .find("an integer from 1"),
              std::string::npos);
    EXPECT_NE(errorOf("{\"model_type\": \"llama\", " + std::string(kRequired) + ", \"num_hidden_layers\": 1e9}")
                  .find("num_hidden_layers"),
              std::string::npos);
    EXPECT_NE(errorOf("{\"model_type\": \"llama\", " + std::string(kRequired) + ", \"num_hidden_layers\": 100000}")
                  .find("'num_hidden_layers' must be an integer from 1 to 4096"),
              std::string::npos);
}
