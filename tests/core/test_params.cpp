// Parameter and memory accounting: closed forms at d = k = 4096, every preset's base total
// (computed from its shapes) against the figure its authors publish, peft's trainable %, module
// parsing and its errors.
#include "loralab/params.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <stdexcept>
#include <string>

using namespace loralab;

namespace {

// The message of the std::invalid_argument that `f` throws ("" and a test failure if none).
template <class F>
std::string invalidArgumentMessage(F f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected std::invalid_argument";
    return {};
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

}  // namespace

// ---- one layer ---------------------------------------------------------------------------------

TEST(LayerCounts, Rank8At4096) {
    const LayerCounts c = layerCounts(4096, 4096, 8);
    EXPECT_EQ(c.full, 16777216);
    EXPECT_EQ(c.lora, 65536);
    EXPECT_DOUBLE_EQ(c.ratio, 256.0);
    EXPECT_NEAR(c.trainablePercent, 100.0 * 65536.0 / (16777216.0 + 65536.0), 1e-12);
}

TEST(LayerCounts, Rank16At4096) {
    const LayerCounts c = layerCounts(4096, 4096, 16);
    EXPECT_EQ(c.full, 16777216);
    EXPECT_EQ(c.lora, 131072);
    EXPECT_DOUBLE_EQ(c.ratio, 128.0);
}

TEST(LayerCounts, RectangularAndFullRank) {
    const LayerCounts c = layerCounts(11008, 4096, 1);
    EXPECT_EQ(c.full, 11008LL * 4096);
    EXPECT_EQ(c.lora, 11008 + 4096);
    // r = min(d, k) is allowed (LoRA then has more parameters than the matrix: ratio < 1).
    const LayerCounts full = layerCounts(3, 5, 3);
    EXPECT_EQ(full.lora, 24);
    EXPECT_DOUBLE_EQ(full.ratio, 15.0 / 24.0);
}

TEST(LayerCounts, LargeSizesDoNotOverflow) {
    const std::int64_t d = std::int64_t{1} << 20;
    const LayerCounts c = layerCounts(d, d, 1024);
    EXPECT_EQ(c.full, std::int64_t{1} << 40);
    EXPECT_EQ(c.lora, std::int64_t{1} << 31);
}

TEST(LayerCounts, RejectsBadShapesNamingTheValue) {
    EXPECT_TRUE(contains(invalidArgumentMessage([] { layerCounts(0, 4, 1); }), "d = 0"));
    EXPECT_TRUE(contains(invalidArgumentMessage([] { layerCounts(4, -3, 1); }), "k = -3"));
    EXPECT_TRUE(contains(invalidArgumentMessage([] { layerCounts(4, 4, 0); }), "rank = 0"));
    const std::string tooBig = invalidArgumentMessage([] { layerCounts(4, 6, 5); });
    EXPECT_TRUE(contains(tooBig, "rank = 5")) << tooBig;
    EXPECT_TRUE(contains(tooBig, "1..4")) << tooBig;
    EXPECT_TRUE(contains(invalidArgumentMessage([] { layerCounts(std::int64_t{1} << 40, 4, 1); }),
                         "allowed 1.."));
}

// ---- memory ------------------------------------------------------------------------------------

TEST(Memory, BytesPerPrecision) {
    EXPECT_EQ(bytesPer(Precision::Fp32), 4);
    EXPECT_EQ(bytesPer(Precision::Bf16), 2);
}

TEST(Memory, FullFineTuningIsFourCopies) {
    // Llama-2-7B in fp32 with Adam: weights + gradients + m + v = 16 bytes per parameter.
    const std::int64_t n = 6738415616;
    const TrainingMemory m = fullFineTuneMemory(n, Precision::Fp32);
    EXPECT_EQ(m.weights, 4 * n);
    EXPECT_EQ(m.gradients, 4 * n);
    EXPECT_EQ(m.adamState, 8 * n);
    EXPECT_EQ(m.total(), 16 * n);
    EXPECT_EQ(fullFineTuneMemory(n, Precision::Bf16).total(), 8 * n);
}

TEST(Memory, LoraKeepsTheBaseFrozen) {
    const std::int64_t base = 6738415616, trainable = 4194304;
    const TrainingMemory m = loraMemory(base, trainable, Precision::Bf16);
    EXPECT_EQ(m.weights, 2 * (base + trainable));
    EXPECT_EQ(m.gradients, 2 * trainable);
    EXPECT_EQ(m.adamState, 4 * trainable);
    EXPECT_EQ(m.total(), 2 * base + 8 * trainable);
    EXPECT_LT(m.total(), fullFineTuneMemory(base, Precision::Bf16).total() / 3);
}

TEST(Memory, RejectsNonPositiveCounts) {
    EXPECT_TRUE(contains(invalidArgumentMessage([] { fullFineTuneMemory(0, Precision::Fp32); }),
                         "baseParams = 0"));
    EXPECT_TRUE(contains(invalidArgumentMessage([] { loraMemory(10, -1, Precision::Fp32); }),
                         "trainable = -1"));
    EXPECT_THROW(fullFineTuneMemory(std::int64_t{1} << 62, Precision::Fp32),
                 std::invalid_argument);
}

// ---- presets: base totals from shapes against the published figures ---------------------------

TEST(Presets, RequiredNamesExist) {
    for (const char* name : {"llama-2-7b", "llama-3-8b", "qwen2-0.5b", "gpt-3-175b"})
        EXPECT_EQ(findModel(name).name, name);
}

TEST(Presets, NamesAreUnique) {
    std::set<std::string> names;
    for (const ModelPreset& m : modelPresets()) EXPECT_TRUE(names.insert(m.name).second) << m.name;
}

TEST(Presets, ExactPublishedTotals) {
    // Counts published with the weights (safetensors totals / model cards).
    const struct {
        const char* name;
        std::int64_t published;
    } cases[] = {
        {"llama-2-7b", 6738415616},  {"llama-2-13b", 13015864320}, {"llama-2-70b", 68976648192},
        {"llama-3-8b", 8030261248},  {"mistral-7b", 7241732096},   {"qwen2-0.5b", 494032768},
        {"qwen2-1.5b", 1543714304},  {"gpt-2", 124439808},
    };
    for (const auto& c : cases) {
        const ModelPreset& m = findModel(c.name);
        EXPECT_EQ(m.publishedParams, c.published) << c.name;
        EXPECT_EQ(baseParams(m), c.published) << c.name;
    }
}

TEST(Presets, Gpt3IsWithinHalfAPercentOf175B) {
    // The paper gives only "175B"; the shapes give 174,604,259,328.
    const ModelPreset& m = findModel("gpt-3-175b");
    const double n = static_cast<double>(baseParams(m));
    EXPECT_EQ(baseParams(m), 174604259328);
    EXPECT_LT(std::abs(n - 175e9) / 175e9, 0.005);
}

TEST(Presets, EveryPresetMatchesItsPublishedFigure) {
    for (const ModelPreset& m : modelPresets()) {
        const double n = static_cast<double>(baseParams(m));
        const double pub = static_cast<double>(m.publishedParams);
        EXPECT_LT(std::abs(n - pub) / pub, 0.005) << m.name << ": " << baseParams(m);
    }
}

TEST(Presets, HandComputedLlama2Breakdown) {
    // Independent sum: embeddings + head, 32 × (4 attention + 3 MLP matrices + 2 norms), norm.
    const std::int64_t h = 4096, f = 11008, v = 32000;
    const std::int64_t expected = 2 * v * h + 32 * (4 * h * h + 3 * h * f + 2 * h) + h;
    EXPECT_EQ(baseParams(findModel("llama-2-7b")), expected);
}

TEST(Presets, TyingAndBiasesChangeTheCount) {
    ModelPreset m = findModel("qwen2-0.5b");
    const std::int64_t tied = baseParams(m);
    m.tiedEmbeddings = false;
    EXPECT_EQ(baseParams(m) - tied, m.vocab * m.hidden);
    m.qkvBias = false;
    EXPECT_EQ(baseParams(m) - tied, m.vocab * m.hidden - m.layers * (896 + 2 * 128));
}

TEST(Presets, UnknownNameListsTheChoices) {
    const std::string msg = invalidArgumentMessage([] { findModel("llama-9b"); });
    EXPECT_TRUE(contains(msg, "llama-9b")) << msg;
    for (const ModelPreset& m : modelPresets()) EXPECT_TRUE(contains(msg, m.name)) << msg;
}

TEST(Presets, InconsistentPresetIsRejected) {
    ModelPreset m = findModel("llama-3-8b");
    m.kvHeads = 7;  // 32 heads cannot share 7 KV heads
    EXPECT_TRUE(contains(invalidArgumentMessage([&] { baseParams(m); }), "kvHeads = 7"));
    m = findModel("llama-3-8b");
    m.hidden = 0;
    EXPECT_TRUE(contains(invalidArgumentMessage([&] { baseParams(m); }), "hidden = 0"));
}

// ---- modules -----------------------------------------------------------------------------------

TEST(Modules, ShapesWithGroupedQueryAttention) {
    const ModelPreset& l3 = findModel("llama-3-8b");
    EXPECT_EQ(moduleShape(l3, Module::Q).out, 4096);
    EXPECT_EQ(moduleShape(l3, Module::K).out, 1024);  // 8 KV heads × 128
    EXPECT_EQ(moduleShape(l3, Module::V).in, 4096);
    EXPECT_EQ(moduleShape(l3, Module::Down).in, 14336);
    EXPECT_EQ(moduleShape(l3, Module::Down).out, 4096);
    const ModelPreset& qw = findModel("qwen2-0.5b");
    EXPECT_EQ(moduleShape(qw, Module::K).out, 128);  // 2 × 64
    EXPECT_EQ(moduleShape(qw, Module::O).in, 896);
    EXPECT_THROW(moduleShape(findModel("gpt-3-175b"), Module::Gate), std::invalid_argument);
}

TEST(Modules, NamesRoundTrip) {
    const ModelPreset& m = findModel("llama-2-7b");
    for (Module mod : parseModules("all-linear", m))
        EXPECT_EQ(parseModules(moduleName(mod), m), std::vector<Module>{mod});
}

TEST(Modules, ParsesListsInCanonicalOrder) {
    const ModelPreset& m = findModel("llama-2-7b");
    EXPECT_EQ(parseModules("q,v", m), (std::vector<Module>{Module::Q, Module::V}));
    EXPECT_EQ(parseModules(" v , q ", m), (std::vector<Module>{Module::Q, Module::V}));
    EXPECT_EQ(parseModules("all-linear", m).size(), 7u);
    EXPECT_EQ(parseModules("all-linear", findModel("gpt-3-175b")),
              (std::vector<Module>{Module::Q, Module::K, Module::V, Module::O, Module::Up,
                                   Module::Down}));
}

TEST(Modules, BadListsThrowListingWhatIsAllowed) {
    const ModelPreset& llama = findModel("llama-2-7b");
    const ModelPreset& gpt3 = findModel("gpt-3-175b");
    struct Case {
        const ModelPreset* model;
        const char* list;
        const char* says;
    } cases[] = {
        {&llama, "", "empty"},
        {&llama, "  ", "empty"},
        {&llama, "q,,v", "empty entry"},
        {&llama, "q,v,", "empty entry"},
        {&llama, "q,x", "unknown module 'x'"},
        {&llama, "Q", "unknown module 'Q'"},
        {&llama, "q,q", "listed twice"},
        {&llama, "q,all-linear", "cannot be combined"},
        {&gpt3, "q,gate", "'gate' does not exist"},
    };
    for (const Case& c : cases) {
        const std::string msg = invalidArgumentMessage([&] { parseModules(c.list, *c.model); });
        EXPECT_TRUE(contains(msg, c.says)) << "'" << c.list << "': " << msg;
        EXPECT_TRUE(contains(msg, "allowed: q,k,v,o,")) << msg;
        EXPECT_TRUE(contains(msg, "all-linear")) << msg;
    }
    EXPECT_FALSE(contains(invalidArgumentMessage([&] { parseModules("x", gpt3); }), "gate"));
}

// ---- whole-model counts ------------------------------------------------------------------------

TEST(ModelCounts, Llama2QvRank8MatchesPeft) {
    // peft's print_trainable_parameters on Llama-2-7B, r = 8, q_proj + v_proj:
    // "trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622"
    const ModelPreset& m = findModel("llama-2-7b");
    const ModelCounts c = modelCounts(m, parseModules("q,v", m), 8);
    EXPECT_EQ(c.base, 6738415616);
    EXPECT_EQ(c.trainable, 4194304);
    EXPECT_EQ(c.base + c.trainable, 6742609920);
    EXPECT_EQ(c.fullTargeted, 32LL * 2 * 4096 * 4096);
    EXPECT_NEAR(c.trainablePercent, 0.0622, 5e-5);
    EXPECT_DOUBLE_EQ(c.ratio, 4096.0 * 4096.0 / (8.0 * 8192.0));
}

TEST(ModelCounts, GroupedQueryAttentionShrinksKV) {
    const ModelPreset& m = findModel("llama-3-8b");
    const ModelCounts c = modelCounts(m, parseModules("k", m), 16);
    EXPECT_EQ(c.trainable, 32LL * 16 * (4096 + 1024));
    EXPECT_EQ(c.fullTargeted, 32LL * 4096 * 1024);
}

TEST(ModelCounts, AllLinearSumsEveryMatrix) {
    const ModelPreset& m = findModel("qwen2-0.5b");
    const ModelCounts c = modelCounts(m, parseModules("all-linear", m), 8);
    const std::int64_t perLayer = 8 * ((896 + 896) * 2 + (896 + 128) * 2 + (896 + 4864) * 3);
    EXPECT_EQ(c.trainable, 24 * perLayer);
    // all-linear covers every weight matrix but the embeddings, norms and biases.
    const std::int64_t rest = 151936LL * 896 + 24 * (2 * 896 + 896 + 2 * 128) + 896;
    EXPECT_EQ(c.fullTargeted + rest, c.base);
}

TEST(ModelCounts, RejectsBadRankAndModules) {
    const ModelPreset& m = findModel("qwen2-0.5b");
    const std::string msg = invalidArgumentMessage([&] { modelCounts(m, {Module::K}, 129); });
    EXPECT_TRUE(contains(msg, "rank = 129")) << msg;
    EXPECT_TRUE(contains(msg, "1..128")) << msg;
    EXPECT_THROW(modelCounts(m, {Module::Q}, 0), std::invalid_argument);
    EXPECT_THROW(modelCounts(m, {}, 8), std::invalid_argument);
    EXPECT_THROW(modelCounts(m, {Module::Q, Module::Q}, 8), std::invalid_argument);
    EXPECT_THROW(modelCounts(findModel("gpt-2"), {Module::Gate}, 8), std::invalid_argument);
}

// ---- mixed precision and QLoRA ----------------------------------------------------------------

// Mixed precision keeps 16 bytes per trainable parameter (ZeRO's 2 + 2 + 4 + 8) and 2 per frozen.
TEST(TrainingMemory, MixedPrecisionSixteenBytesPerTrainedParameter) {
    EXPECT_EQ(mixedFullFineTuneMemory(1000).total(), 16000);
    const TrainingMemory m = mixedLoraMemory(1000, 10);
    EXPECT_EQ(m.weights, 2 * 1000 + 6 * 10);
    EXPECT_EQ(m.gradients, 2 * 10);
    EXPECT_EQ(m.adamState, 8 * 10);
    EXPECT_EQ(m.total(), 2 * 1000 + 16 * 10);
}

// NF4 with double quantization: 4 bits per value, an 8-bit scale per 64 values, an fp32 scale
// per 256 blocks: 4 + 8/64 + 32/16384 = 4.126953125 bits per value.
TEST(TrainingMemory, Nf4BytesWithDoubleQuantization) {
    const std::int64_t n = 4096LL * 4096;
    EXPECT_EQ(nf4Bytes(n), n / 2 + n / 64 + 4 * (n / 64 / 256));
    EXPECT_DOUBLE_EQ(8.0 * static_cast<double>(nf4Bytes(n)) / static_cast<double>(n), 4.126953125);
    EXPECT_EQ(nf4Bytes(1), 1 + 1 + 4);    // one code byte, one block scale, one second-level scale
    EXPECT_EQ(nf4Bytes(65), 33 + 2 + 4);  // two blocks
    EXPECT_EQ(nf4Bytes(0), 0);
    const TrainingMemory q = qloraMemory(nf4Bytes(n), 100, 64);
    EXPECT_EQ(q.weights, nf4Bytes(n) + 2 * 100 + 2 * 64);  // bf16 rest and bf16 adapters
    EXPECT_EQ(q.gradients, 2 * 64);
    EXPECT_EQ(q.adamState, 8 * 64);  // fp32 moments
    EXPECT_THROW(qloraMemory(nf4Bytes(n), 0, 0), std::invalid_argument);  // nothing trains
    EXPECT_THROW(qloraMemory(-1, 0, 1), std::invalid_argument);
}
