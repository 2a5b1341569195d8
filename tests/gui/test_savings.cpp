// The parameter-savings counter (app/gui/savings.h) against the core and closed forms.
#include "savings.h"

#include "loralab/params.h"

#include <gtest/gtest.h>

#include <tuple>

namespace loralab::gui {
namespace {

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

}  // namespace
}  // namespace loralab::gui
