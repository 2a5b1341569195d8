// model_tensors.h: decoder layouts against the exact parameter counts their authors publish,
// presets against baseParams, peft's module matching, and LoRA counts against closed forms.
#include "loralab/model_tensors.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>

using namespace loralab;

namespace {

std::int64_t total(const std::vector<NamedShape>& tensors) {
    std::int64_t n = 0;
    for (const NamedShape& t : tensors) n += elementCount(t.shape);
    return n;
}

DecoderShapes decoder(std::int64_t hidden, std::int64_t intermediate, std::int64_t layers, std::int64_t heads,
                      std::int64_t kvHeads, std::int64_t headDim, std::int64_t vocab, bool tied) {
    DecoderShapes d;
    d.hidden = hidden;
    d.intermediate = intermediate;
    d.layers = layers;
    d.heads = heads;
    d.kvHeads = kvHeads;
    d.headDim = headDim;
    d.vocab = vocab;
    d.tiedEmbeddings = tied;
    return d;
}

std::string errorOf(const std::vector<LinearModule>& linear, const std::string& list) {
    try {
        selectModules(linear, list);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    ADD_FAILURE() << "accepted '" << list << "'";
    return {};
}

}  // namespace

// The totals each release publishes (the exact element count of its checkpoint), from the
// shapes in that release's config.json.
TEST(ModelTensors, DecodersMatchPublishedCounts) {
    // meta-llama/Llama-2-7b-hf: 6,738,415,616 (Hugging Face's count of its safetensors).
    EXPECT_EQ(total(decoderTensors(decoder(4096, 11008, 32, 32, 32, 128, 32000, false))), 6738415616);
    // mistralai/Mistral-7B-v0.1: 7,241,732,096 (grouped-query attention, 8 KV heads).
    EXPECT_EQ(total(decoderTensors(decoder(4096, 14336, 32, 32, 8, 128, 32000, false))), 7241732096);
    // TinyLlama/TinyLlama-1.1B (Zhang et al. 2024, arXiv:2401.02385): 1,100,048,384.
    EXPECT_EQ(total(decoderTensors(decoder(2048, 5632, 22, 32, 4, 64, 32000, false))), 1100048384);
    // Qwen/Qwen2-0.5B: 494,032,768 (q, k, v biases, tied embeddings).
    DecoderShapes qwen2 = decoder(896, 4864, 24, 14, 2, 64, 151936, true);
    qwen2.qkvBias = true;
    EXPECT_EQ(total(decoderTensors(qwen2)), 494032768);
    // google/gemma-2b: the Gemma report (arXiv:2403.08295, Table 2) lists 524,550,144
    // embedding and 1,981,622,272 non-embedding parameters.
    EXPECT_EQ(total(decoderTensors(decoder(2048, 16384, 18, 8, 1, 256, 256000, true))),
              std::int64_t{524550144} + 1981622272);
    // microsoft/Phi-3-mini-4k-instruct: 3,821,079,552 (fused qkv_proj and gate_up_proj).
    DecoderShapes phi3 = decoder(3072, 8192, 32, 32, 32, 96, 32064, false);
    phi3.fusedProjections = true;
    EXPECT_EQ(total(decoderTensors(phi3)), 3821079552);
}

TEST(ModelTensors, NamesAndBiasesAsTransformersSavesThem) {
    DecoderShapes d = decoder(8, 16, 2, 4, 2, 2, 10, false);
    d.qkvBias = d.oBias = d.mlpBias = true;
    const std::vector<NamedShape> t = decoderTensors(d);
    auto shapeOf = [&](const std::string& name) {
        for (const NamedShape& s : t)
            if (s.name == name) return s.shape;
        ADD_FAILURE() << "no tensor " << name;
        return std::vector<std::int64_t>{};
    };
    EXPECT_EQ(shapeOf("model.layers.1.self_attn.k_proj.weight"), (std::vector<std::int64_t>{4, 8}));
    EXPECT_EQ(shapeOf("model.layers.1.self_attn.o_proj.bias"), (std::vector<std::int64_t>{8}));
    EXPECT_EQ(shapeOf("model.layers.0.mlp.down_proj.weight"), (std::vector<std::int64_t>{8, 16}));
    EXPECT_EQ(shapeOf("lm_head.weight"), (std::vector<std::int64_t>{10, 8}));
    // Per layer: q 8·8 + k, v 2·(4·8) + o 8·8 + 3·16·8 MLP + biases 8+4+4+8+16+16+8 + 2 norms of 8.
    const std::int64_t perLayer = 64 + 64 + 64 + 384 + 64 + 16;
    EXPECT_EQ(total(t), 2 * perLayer + 10 * 8 * 2 + 8);
    DecoderShapes phi = d;
    phi.fusedProjections = true;
    const std::vector<NamedShape> f = decoderTensors(phi);
    bool fused = false;
    for (const NamedShape& s : f)
        if (s.name == "model.layers.0.self_attn.qkv_proj.weight") fused = s.shape == std::vector<std::int64_t>{16, 8};
    EXPECT_TRUE(fused);
    EXPECT_EQ(total(f), total(t));  // fusing moves parameters, it does not add any
    d.kvHeads = 3;
    EXPECT_THROW(decoderTensors(d), std::invalid_argument);
}

TEST(ModelTensors, PresetsSumToBaseParams) {
    for (const ModelPreset& m : modelPresets()) EXPECT_EQ(total(presetTensors(m)), baseParams(m)) << m.name;
}

TEST(ModelTensors, AllLinearIsTheDecoderLayersLinearWeights) {
    const std::vector<LinearModule> linear = linearModules(decoderTensors(decoder(8, 16, 3, 4, 4, 2, 10, false)));
    ASSERT_EQ(linear.size(), 3u * 7 + 2);  // 7 per layer, the embeddings, the head
    const ModuleSelection all = selectModules(linear, "all-linear");
    EXPECT_EQ(all.modules.size(), 21u);
    for (const LinearModule& m : all.modules) {
        EXPECT_EQ(m.name.find("embed"), std::string::npos);
        EXPECT_NE(m.name, "lm_head");
    }
    // The head can still be named on its own, as peft allows.
    EXPECT_EQ(selectModules(linear, "lm_head").modules.size(), 1u);
}

TEST(ModelTensors, ModulesMatchAsPeftTargetModules) {
    const std::vector<LinearModule> linear = linearModules(decoderTensors(decoder(8, 16, 3, 4, 4, 2, 10, false)));
    const ModuleSelection qv = selectModules(linear, "q, v");
    EXPECT_EQ(qv.keys, (std::vector<std::string>{"q_proj", "v_proj"}));
    EXPECT_EQ(qv.modules.size(), 6u);
    EXPECT_EQ(selectModules(linear, "q_proj,v_proj").modules.size(), 6u);   // full names
    EXPECT_EQ(selectModules(linear, "self_attn.o_proj").modules.size(), 3u);  // a dotted suffix
    EXPECT_EQ(selectModules(linear, "model.layers.1.mlp.up_proj").modules.size(), 1u);
    // "proj" alone is no module's name or '.'-suffix: peft would not match it either.
    EXPECT_NE(errorOf(linear, "proj").find("matches no linear module"), std::string::npos);
    EXPECT_NE(errorOf(linear, "q,q_proj").find("listed twice"), std::string::npos);
    EXPECT_NE(errorOf(linear, "q,all-linear").find("all-linear"), std::string::npos);
    EXPECT_NE(errorOf(linear, " ").find("empty"), std::string::npos);
    EXPECT_NE(errorOf(linear, "q,,v").find("empty entry"), std::string::npos);
    // The message lists what exists, e.g. for phi3's fused modules.
    DecoderShapes phi = decoder(8, 16, 1, 4, 4, 2, 10, false);
    phi.fusedProjections = true;
    const std::string e = errorOf(linearModules(decoderTensors(phi)), "q");
    EXPECT_NE(e.find("(q_proj)"), std::string::npos) << e;
    EXPECT_NE(e.find("qkv_proj"), std::string::npos) << e;
}

TEST(ModelTensors, CountsMatchThePresetCountsAndPeft) {
    const ModelPreset& llama = findModel("llama-2-7b");
    const std::vector<NamedShape> t = presetTensors(llama);
    const ModuleSelection all = selectModules(linearModules(t), "all-linear");
    const ModelCounts c = tensorCounts(t, all.modules, 8);
    // peft: "trainable params: 19,988,480 || all params: 6,758,404,096".
    EXPECT_EQ(c.trainable, 19988480);
    EXPECT_EQ(c.base + c.trainable, 6758404096);
    const ModelCounts ref = modelCounts(llama, parseModules("all-linear", llama), 8);
    EXPECT_EQ(c.fullTargeted, ref.fullTargeted);
    EXPECT_DOUBLE_EQ(c.trainablePercent, ref.trainablePercent);
    try {
        tensorCounts(t, all.modules, 5000);
        ADD_FAILURE() << "rank 5000 accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).rfind("rank:", 0), 0u) << e.what();
        EXPECT_NE(std::string(e.what()).find("4096"), std::string::npos) << e.what();
    }
}

TEST(ModelTensors, QloraBaseQuantizesTheLayersLinearWeightsOnly) {
    const DecoderShapes d = decoder(64, 128, 2, 4, 4, 16, 100, false);
    const std::vector<NamedShape> t = decoderTensors(d);
    const QloraBase q = qloraBase(t);
    // 2 layers × (4 attention 64×64 + 3 MLP 64×128) weights, each in NF4.
    const std::int64_t attention = nf4Bytes(64 * 64), mlp = nf4Bytes(64 * 128);
    EXPECT_EQ(q.nf4Bytes, 2 * (4 * attention + 3 * mlp));
    EXPECT_EQ(q.bf16Params, 2 * 100 * 64 + 2 * 2 * 64 + 64);  // embeddings, head, norms
}

TEST(ModelTensors, ElementCountRefusesOverflowAndNegatives) {
    EXPECT_EQ(elementCount({}), 1);
    EXPECT_EQ(elementCount({3, 0, 5}), 0);
    EXPECT_THROW(elementCount({-1, 2}), std::invalid_argument);
    EXPECT_THROW(elementCount({std::int64_t{1} << 40, std::int64_t{1} << 40}), std::invalid_argument);
}
