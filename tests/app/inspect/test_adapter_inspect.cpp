// What --inspect reports and writes (app/inspect/adapter_inspect.h), against a dense double
// SVD of each ΔW formed explicitly: singular values, ‖ΔW‖_F, energy ranks, and the resized
// adapter's ΔW_R against Eckart–Young, read back through the reader with its new config.
#include "inspect/adapter_inspect.h"

#include "../file_fixtures.h"

#include "dense_reference.h"

#include <gtest/gtest.h>

#include <Eigen/SVD>

#include <cmath>
#include <filesystem>

using namespace loralab;
using namespace loralab::test;

namespace {

struct Fixture {
    std::string dir;
    std::vector<FixtureModule> modules;
};

// Three modules with different shapes, ranks (one from rank_pattern) and scales.
Fixture makeAdapter(const std::string& name, const std::string& dtype, bool rslora) {
    Fixture f;
    f.dir = ::testing::TempDir() + "/loralab_inspect_" + name;
    std::filesystem::remove_all(f.dir);
    const std::string p = "base_model.model.model.layers.";
    f.modules = {{p + "0.self_attn.q_proj", randomMatrix(24, 8, 1), randomMatrix(8, 16, 2)},
                 {p + "0.mlp.down_proj", randomMatrix(16, 8, 3), randomMatrix(8, 40, 4)},
                 {p + "1.self_attn.q_proj", randomMatrix(24, 3, 5), randomMatrix(3, 16, 6)}};
    writeAdapterFolder(f.dir, f.modules, dtype,
                       std::string(R"({"peft_type": "LORA", "r": 8, "lora_alpha": 16, "use_rslora": )") +
                           (rslora ? "true" : "false") +
                           R"(, "rank_pattern": {"layers.1.self_attn.q_proj": 3}, "alpha_pattern": {"down_proj": 4},
                              "target_modules": ["q_proj", "down_proj"]})");
    for (FixtureModule& m : f.modules) {
        m.B = roundedTo(m.B, dtype);
        m.A = roundedTo(m.A, dtype);
    }
    return f;
}

double scaleOf(double alpha, Index r, bool rslora) {
    return alpha / (rslora ? std::sqrt(static_cast<double>(r)) : static_cast<double>(r));
}

}  // namespace

TEST(AdapterInspect, NumbersMatchADenseSvdOfEachDeltaW) {
    for (const char* dtype : {"F32", "BF16"}) {
        for (bool rslora : {false, true}) {
            const Fixture f = makeAdapter(std::string("numbers_") + dtype + (rslora ? "_rs" : ""), dtype, rslora);
            AdapterFolder adapter(f.dir);
            const std::vector<ModuleReport> reports = inspectAdapter(adapter, 0, nullptr);
            ASSERT_EQ(reports.size(), 3u);
            // Natural order: layers.0.mlp.down_proj, layers.0.self_attn.q_proj, layers.1.self_attn.q_proj.
            const FixtureModule* expected[] = {&f.modules[1], &f.modules[0], &f.modules[2]};
            const double alphas[] = {4, 16, 16};
            for (std::size_t i = 0; i < 3; ++i) {
                const ModuleReport& r = reports[i];
                const FixtureModule& m = *expected[i];
                ASSERT_EQ(r.module.name, m.name);
                const double s = scaleOf(alphas[i], m.B.cols(), rslora);
                EXPECT_NEAR(r.module.scale, s, 1e-15);
                const MatrixD dw = s * m.B.cast<double>() * m.A.cast<double>();
                const VectorD ref = loralab::test::jacobiSvd(dw, false).sigma;
                ASSERT_EQ(r.sigma.size(), m.B.cols());
                for (Index j = 0; j + 1 < r.sigma.size(); ++j) EXPECT_GE(r.sigma[j], r.sigma[j + 1]);
                EXPECT_LT((r.sigma - ref.head(m.B.cols())).cwiseAbs().maxCoeff(), 1e-5 * ref[0]);
                EXPECT_NEAR(r.frobenius, dw.norm(), 1e-5 * dw.norm());
                // The energy ranks from the dense spectrum.
                const double total = ref.squaredNorm();
                Index r90 = 0, r99 = 0;
                double kept = 0;
                for (Index j = 0; j < ref.size(); ++j) {
                    kept += ref[j] * ref[j];
                    if (!r90 && kept >= 0.90 * total) r90 = j + 1;
                    if (!r99 && kept >= 0.99 * total) r99 = j + 1;
                }
                EXPECT_EQ(r.rank90, r90);
                EXPECT_EQ(r.rank99, r99);
            }
            std::filesystem::remove_all(f.dir);
        }
    }
}

TEST(AdapterInspect, ResizeIsTheEckartYoungBestAndReadsBack) {
    for (bool rslora : {false, true}) {
        const Fixture f = makeAdapter(std::string("resize") + (rslora ? "_rs" : ""), "F32", rslora);
        AdapterFolder adapter(f.dir);
        const Index R = 5;
        SafetensorsFile resized;
        const std::vector<ModuleReport> reports = inspectAdapter(adapter, R, &resized);
        const std::string out = f.dir + "_r5";
        std::filesystem::remove_all(out);
        std::filesystem::create_directories(out);
        writeSafetensors(out + "/adapter_model.safetensors", resized);
        writeBytes(out + "/adapter_config.json", resizedConfigJson(adapter, R));
        // The reader checks every module's rank against the new config (r = 5, the rank-3 module
        // keeps its own entry).
        AdapterFolder back(out);
        ASSERT_EQ(back.modules().size(), 3u);
        EXPECT_EQ(back.config().r, R);
        const FixtureModule* expected[] = {&f.modules[1], &f.modules[0], &f.modules[2]};
        const double alphas[] = {4, 16, 16};
        for (std::size_t i = 0; i < 3; ++i) {
            const FixtureModule& m = *expected[i];
            const Index newRank = std::min<Index>(R, m.B.cols());
            EXPECT_EQ(back.modules()[i].name, m.name);  // same keys
            EXPECT_EQ(back.modules()[i].r, newRank);
            EXPECT_EQ(reports[i].resizedRank, newRank);
            const MatrixD dw = scaleOf(alphas[i], m.B.cols(), rslora) * m.B.cast<double>() * m.A.cast<double>();
            Matrix b, a;
            back.load(i, b, a);
            const MatrixD kept = back.modules()[i].scale * b.cast<double>() * a.cast<double>();
            const VectorD ref = loralab::test::jacobiSvd(dw, false).sigma;
            const double tail = ref.tail(ref.size() - newRank).norm();
            EXPECT_NEAR((dw - kept).norm(), tail, 1e-5 * dw.norm()) << m.name;
            EXPECT_NEAR(reports[i].relativeError, tail / dw.norm(), 1e-6) << m.name;
        }
        std::filesystem::remove_all(f.dir);
        std::filesystem::remove_all(out);
    }
}

TEST(AdapterInspect, ResizedConfigKeepsEveryFieldAndCapsThePatterns) {
    const Fixture f = makeAdapter("config", "F32", false);
    AdapterFolder adapter(f.dir);
    const nlohmann::json j = nlohmann::json::parse(resizedConfigJson(adapter, 2));
    EXPECT_EQ(j["r"], 2);
    EXPECT_EQ(j["lora_alpha"], 16);
    EXPECT_EQ(j["alpha_pattern"]["down_proj"], 4);
    EXPECT_EQ(j["target_modules"], nlohmann::json::array({"q_proj", "down_proj"}));
    EXPECT_EQ(j["rank_pattern"]["layers.1.self_attn.q_proj"], 2);  // capped at R
    std::filesystem::remove_all(f.dir);
}
