// loralab --params --config and --weights: real models' counts from their config.json (written
// here as the releases ship them) and from safetensors headers, peft's module matching, the
// memory table with mixed precision and QLoRA, and the adapter file's exact size.
#include "run_binary.h"

#include "../app/file_fixtures.h"

#include <gtest/gtest.h>

#include <filesystem>

using loralab::test::parseJsonObject;
using loralab::test::runLoralab;
using loralab::test::TempDir;

namespace {

// The fields of each release's config.json that the counts depend on (plus model_type).
struct Published {
    const char* name;
    const char* config;
    std::int64_t params;  // as published
};

const std::vector<Published>& published() {
    static const std::vector<Published> models{
        // meta-llama/Llama-2-7b-hf: 6,738,415,616 (Hugging Face's count of its safetensors).
        {"llama-2-7b",
         R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
             "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32,
             "num_key_value_heads": 32, "vocab_size": 32000, "tie_word_embeddings": false})",
         6738415616},
        // mistralai/Mistral-7B-v0.1: 7,241,732,096 (Hugging Face's count; its config has no head_dim).
        {"mistral-7b",
         R"({"model_type": "mistral", "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
             "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 32000,
             "tie_word_embeddings": false, "sliding_window": 4096})",
         7241732096},
        // Qwen/Qwen2-0.5B: 494,032,768 (q, k, v biases; tied embeddings).
        {"qwen2-0.5b",
         R"({"model_type": "qwen2", "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
             "num_attention_heads": 14, "num_key_value_heads": 2, "vocab_size": 151936,
             "tie_word_embeddings": true})",
         494032768},
        // google/gemma-2b: 2,506,172,416 on Hugging Face, of which 1,981,622,272 are not the
        // embedding (Gemma report, arXiv:2403.08295, Table 2); tied by default, head_dim 256.
        {"gemma-2b",
         R"({"model_type": "gemma", "hidden_size": 2048, "intermediate_size": 16384, "num_hidden_layers": 18,
             "num_attention_heads": 8, "num_key_value_heads": 1, "head_dim": 256, "vocab_size": 256000})",
         2506172416},
        // microsoft/Phi-3-mini-4k-instruct: 3,821,079,552 (fused qkv_proj and gate_up_proj).
        {"phi-3-mini",
         R"({"model_type": "phi3", "hidden_size": 3072, "intermediate_size": 8192, "num_hidden_layers": 32,
             "num_attention_heads": 32, "num_key_value_heads": 32, "vocab_size": 32064,
             "tie_word_embeddings": false})",
         3821079552},
        // TinyLlama/TinyLlama-1.1B (arXiv:2401.02385): 1,100,048,384; a llama config with
        // grouped-query attention and no head_dim.
        {"tinyllama-1.1b",
         R"({"model_type": "llama", "hidden_size": 2048, "intermediate_size": 5632, "num_hidden_layers": 22,
             "num_attention_heads": 32, "num_key_value_heads": 4, "vocab_size": 32000,
             "tie_word_embeddings": false, "attention_bias": false})",
         1100048384},
    };
    return models;
}

}  // namespace

TEST(CliModels, ConfigCountsMatchPublishedCounts) {
    TempDir dir;
    for (const Published& m : published()) {
        const std::string folder = dir.file(m.name);
        std::filesystem::create_directories(folder);
        loralab::test::writeFile(folder + "/config.json", m.config);
        // The folder and the file both work; phi3 defaults to its fused qkv_proj.
        for (const std::string& path : {folder, folder + "/config.json"}) {
            const auto r = runLoralab({"--params", "--config", path, "--json"});
            ASSERT_EQ(r.exitCode, 0) << m.name << ": " << r.err;
            const auto j = parseJsonObject(r);
            EXPECT_EQ(j["base_params"].get<std::int64_t>(), m.params) << m.name;
        }
    }
}

// peft on Llama-2-7b, r = 8, all-linear: "trainable params: 19,988,480".
TEST(CliModels, ConfigModulesAsPeftAndTheMemoryTable) {
    TempDir dir;
    loralab::test::writeFile(dir.file("config.json"), published()[0].config);
    auto r = runLoralab({"--params", "--config", dir.file("config.json"), "--modules", "all-linear", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto j = parseJsonObject(r);
    EXPECT_EQ(j["trainable_params"].get<std::int64_t>(), 19988480);
    EXPECT_EQ(j["matched_modules"], 224);
    // The same as the built-in preset, to the byte.
    const auto preset = parseJsonObject(runLoralab({"--params", "--model", "llama-2-7b", "--modules", "all-linear", "--json"}));
    EXPECT_EQ(j["memory_bytes"], preset["memory_bytes"]);
    EXPECT_EQ(j["adapter_file_bytes"], preset["adapter_file_bytes"]);
    // Memory: QLoRA's base is the 224 linear weights in NF4 (4.127 bits), the rest (embeddings,
    // head, norms: 262,410,240 values) in bf16; bf16 adapters and gradients, fp32 Adam moments.
    const std::int64_t linear = 6738415616LL - 262410240LL;
    const std::int64_t perMatrixNf4 = [](std::int64_t n) { return n / 2 + n / 64 + 4 * (n / 64 / 256); }(4096LL * 4096);
    const std::int64_t mlpNf4 = [](std::int64_t n) { return n / 2 + n / 64 + 4 * ((n / 64 + 255) / 256); }(4096LL * 11008);
    EXPECT_EQ(32 * (4 * 4096LL * 4096 + 3 * 4096LL * 11008), linear);
    const auto& q = j["memory_bytes"]["qlora"]["lora"];
    EXPECT_EQ(q["weights"].get<std::int64_t>(), 32 * (4 * perMatrixNf4 + 3 * mlpNf4) + 2 * 262410240LL + 2 * 19988480LL);
    EXPECT_EQ(q["gradients"].get<std::int64_t>(), 2 * 19988480LL);
    EXPECT_EQ(q["adam_state"].get<std::int64_t>(), 8 * 19988480LL);
    EXPECT_EQ(q["total"].get<std::int64_t>(),
              q["weights"].get<std::int64_t>() + q["gradients"].get<std::int64_t>() + q["adam_state"].get<std::int64_t>());
    EXPECT_EQ(j["memory_bytes"]["mixed"]["lora"]["total"].get<std::int64_t>(), 2 * 6738415616LL + 16 * 19988480LL);
    EXPECT_EQ(j["activations_counted"], false);
    // Short names, full names and suffixes.
    for (const char* modules : {"q,v", "q_proj,v_proj", "self_attn.q_proj,self_attn.v_proj"}) {
        r = runLoralab({"--params", "--config", dir.file("config.json"), "--modules", modules, "--json"});
        ASSERT_EQ(r.exitCode, 0) << r.err;
        EXPECT_EQ(parseJsonObject(r)["trainable_params"].get<std::int64_t>(), 4194304) << modules;
    }
    // The readable table names each precision and what is not counted.
    r = runLoralab({"--params", "--config", dir.path()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    for (const char* word : {"6,738,415,616", "QLoRA (NF4 base)", "mixed fp16/bf16", "Activations are not counted",
                             "adapter file"})
        EXPECT_NE(r.out.find(word), std::string::npos) << word << "\n" << r.out;
}

// The adapter file's size is exact: --headless --export-adapter writes that many bytes.
TEST(CliModels, AdapterFileBytesIsTheExportedFilesSize) {
    TempDir dir;
    const auto exported = runLoralab({"--headless", "--d", "40", "--k", "24", "--rank", "5", "--steps", "1",
                                      "--export-adapter", dir.file("a")});
    ASSERT_EQ(exported.exitCode, 0) << exported.err;
    const auto r = runLoralab({"--params", "--d", "40", "--k", "24", "--rank", "5", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    EXPECT_EQ(j["adapter_file_bytes"].get<std::int64_t>(),
              static_cast<std::int64_t>(std::filesystem::file_size(dir.file("a/adapter_model.safetensors"))));
    EXPECT_EQ(j["adapter_file_bytes"].get<std::int64_t>() - j["adapter_file_bytes_bf16"].get<std::int64_t>(),
              2 * 5 * (40 + 24));
}

TEST(CliModels, WeightsCountsFromHeadersOfAFileAndAnIndex) {
    TempDir dir;
    using loralab::Matrix;
    using loralab::test::safetensorsBytes;
    loralab::test::writeBytes(dir.file("a.safetensors"),
                              safetensorsBytes({{"model.embed_tokens.weight", "BF16", Matrix::Zero(50, 8)},
                                                {"model.layers.0.self_attn.q_proj.weight", "BF16", Matrix::Zero(8, 8)},
                                                {"model.layers.0.self_attn.v_proj.weight", "BF16", Matrix::Zero(4, 8)}}));
    loralab::test::writeBytes(dir.file("b.safetensors"),
                              safetensorsBytes({{"model.layers.1.self_attn.q_proj.weight", "F32", Matrix::Zero(8, 8)},
                                                {"model.layers.1.self_attn.v_proj.weight", "F32", Matrix::Zero(4, 8)},
                                                {"model.layers.1.mlp.down_proj.weight", "F32", Matrix::Zero(8, 16)},
                                                {"lm_head.weight", "F32", Matrix::Zero(50, 8)}}));
    loralab::test::writeFile(dir.file("model.safetensors.index.json"),
                             R"({"weight_map": {"model.embed_tokens.weight": "a.safetensors",
                                 "model.layers.0.self_attn.q_proj.weight": "a.safetensors",
                                 "model.layers.0.self_attn.v_proj.weight": "a.safetensors",
                                 "model.layers.1.self_attn.q_proj.weight": "b.safetensors",
                                 "model.layers.1.self_attn.v_proj.weight": "b.safetensors",
                                 "model.layers.1.mlp.down_proj.weight": "b.safetensors",
                                 "lm_head.weight": "b.safetensors"}})");
    auto r = runLoralab({"--params", "--weights", dir.file("model.safetensors.index.json"), "--rank", "2", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto j = parseJsonObject(r);
    EXPECT_EQ(j["base_params"].get<std::int64_t>(), 400 + 64 + 32 + 64 + 32 + 128 + 400);
    EXPECT_EQ(j["files"], 2);
    EXPECT_EQ(j["trainable_params"].get<std::int64_t>(), 2 * 2 * (16 + 12));  // q (8×8), v (4×8), 2 layers
    r = runLoralab({"--params", "--weights", dir.path(), "--rank", "2", "--modules", "all-linear", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    j = parseJsonObject(r);
    EXPECT_EQ(j["matched_modules"], 5);  // no embeddings, no head
    EXPECT_EQ(j["trainable_params"].get<std::int64_t>(), 2 * (2 * 16 + 2 * 12 + 24));
    r = runLoralab({"--params", "--weights", dir.file("a.safetensors"), "--rank", "2", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parseJsonObject(r)["base_params"].get<std::int64_t>(), 400 + 64 + 32);
}

TEST(CliModels, BadModelInputsExitTwoInOneLine) {
    TempDir dir;
    loralab::test::writeFile(dir.file("bert.json"), R"({"model_type": "bert", "hidden_size": 8})");
    loralab::test::writeFile(dir.file("short.json"), R"({"model_type": "llama", "hidden_size": 8})");
    loralab::test::writeFile(dir.file("phi.json"), published()[4].config);
    loralab::test::writeFile(dir.file("bad.safetensors"), std::string("\x10\0\0\0\0\0\0\0{\"x\":", 13));
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"--params", "--config", dir.file("bert.json")}, "model_type 'bert' is not supported"},
        {{"--params", "--config", dir.file("short.json")}, "missing required field 'intermediate_size'"},
        {{"--params", "--config", dir.file("phi.json"), "--modules", "q,v"}, "--modules: 'q' (q_proj) matches no"},
        {{"--params", "--config", dir.file("phi.json"), "--rank", "5000"}, "--rank: 5000 is larger than"},
        {{"--params", "--config", dir.path()}, "no config.json"},
        {{"--params", "--weights", dir.file("bad.safetensors")}, "bad.safetensors"},
        {{"--params", "--weights", dir.file("none.safetensors")}, "no such file"},
        {{"--params", "--config", dir.file("phi.json"), "--weights", dir.file("x")}, "give one"},
        {{"--params", "--config", dir.file("phi.json"), "--d", "8"}, "--d/--k"},
    };
    for (const auto& [args, expected] : cases) {
        const auto r = runLoralab(args);
        EXPECT_EQ(r.exitCode, 2) << args[2] << " " << r.err;
        EXPECT_EQ(loralab::test::countLines(r.err), 1) << r.err;
        EXPECT_NE(r.err.find(expected), std::string::npos) << "expected '" << expected << "' in " << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
    }
}
