// DoRA, PiSSA and VeRA adapters (app/io/peft_variants.h): the files read back and recombined as
// peft combines them, over the original base, give the trained method's effective weight.
#include "io/peft_variants.h"

#include "io/peft_adapter.h"
#include "io/safetensors.h"

#include "loralab/rng.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace loralab {
namespace {

Matrix gaussian(Index rows, Index cols, std::uint64_t seed) {
    Matrix m(rows, cols);
    Rng(seed).fillNormal(m);
    return m;
}

struct Written {
    SafetensorsFile tensors;
    nlohmann::json config;
};

// A method moved away from its init (so every tensor matters), written and read back.
Written writeTrained(Method& m, const fs::path& dir) {
    for (std::size_t b = 0; b < m.blockCount(); ++b)
        m.block(b) += 0.3f * gaussian(m.block(b).rows(), m.block(b).cols(), 50 + b);
    writeMethodAdapter(dir.string(), "q_proj", m);
    std::ifstream in(dir / kAdapterConfigFile);
    std::stringstream text;
    text << in.rdbuf();
    return {readSafetensors((dir / kAdapterWeightsFile).string()), nlohmann::json::parse(text.str())};
}

Matrix column(const Tensor& t) {
    EXPECT_EQ(t.shape.size(), 1u);
    return Eigen::Map<const Matrix>(t.data.data(), static_cast<Index>(t.data.size()), 1);
}

class PeftVariants : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "loralab-variants-XXXXXX").string();
        m_dir = mkdtemp(pattern.data());
    }
    void TearDown() override { fs::remove_all(m_dir); }

    std::unique_ptr<Method> method(MethodKind kind, bool rslora = false) {
        MethodConfig c;
        c.kind = kind;
        c.rank = 3;
        c.alpha = 6.0;
        c.rslora = rslora;
        c.threads = 1;
        return makeMethod(c, m_problem);
    }
    const Matrix W0 = gaussian(9, 7, 1);
    std::shared_ptr<const MethodProblem> m_problem = makeProblem(W0, W0 + gaussian(9, 7, 2));
    fs::path m_dir;
};

TEST_F(PeftVariants, DoraIsLoraWithUseDoraAndTheMagnitudeVector) {
    auto m = method(MethodKind::Dora);
    const Written w = writeTrained(*m, m_dir);
    EXPECT_EQ(w.config["peft_type"], "LORA");
    EXPECT_EQ(w.config["use_dora"], true);
    ASSERT_EQ(w.tensors.tensors.size(), 3u);
    const Matrix A = toMatrix(w.tensors.tensors.at(adapterTensorName("q_proj", 'A')));
    const Matrix B = toMatrix(w.tensors.tensors.at(adapterTensorName("q_proj", 'B')));
    const Matrix mag = column(w.tensors.tensors.at("base_model.model.q_proj.lora_magnitude_vector"));
    const double s = w.config["lora_alpha"].get<double>() / w.config["r"].get<double>();
    const Matrix V = W0 + static_cast<float>(s) * B * A;
    const Matrix scale = mag.array() / V.rowwise().norm().array();
    const Matrix peft = scale.col(0).asDiagonal() * V;
    EXPECT_LT((peft - m->effectiveWeight()).cwiseAbs().maxCoeff(), 1e-5f);
}

TEST_F(PeftVariants, PissaIsARank2rLoraForTheOriginalBase) {
    for (bool rslora : {false, true}) {
        auto m = method(MethodKind::Pissa, rslora);
        const Written w = writeTrained(*m, m_dir / (rslora ? "rs" : "plain"));
        EXPECT_EQ(w.config["r"], 6);
        EXPECT_EQ(w.config["init_lora_weights"], true);  // plain LoRA: loads on the original W0
        const double r = 6.0, alpha = w.config["lora_alpha"].get<double>();
        const double s = rslora ? alpha / std::sqrt(r) : alpha / r;
        EXPECT_NEAR(s, m->scale(), 1e-12);
        const Matrix A = toMatrix(w.tensors.tensors.at(adapterTensorName("q_proj", 'A')));
        const Matrix B = toMatrix(w.tensors.tensors.at(adapterTensorName("q_proj", 'B')));
        const Matrix peft = W0 + static_cast<float>(s) * B * A;
        EXPECT_LT((peft - m->effectiveWeight()).cwiseAbs().maxCoeff(), 1e-4f) << rslora;
    }
}

TEST_F(PeftVariants, VeraSavesTheLambdasAndTheProjections) {
    auto m = method(MethodKind::Vera);
    const Written w = writeTrained(*m, m_dir);
    EXPECT_EQ(w.config["peft_type"], "VERA");
    EXPECT_EQ(w.config["save_projection"], true);
    EXPECT_EQ(w.config["d_initial"], 0.1);
    EXPECT_EQ(w.config["r"], 3);
    const auto& t = w.tensors.tensors;
    const Matrix lb = column(t.at("base_model.model.q_proj.vera_lambda_b"));
    const Matrix ld = column(t.at("base_model.model.q_proj.vera_lambda_d"));
    const Matrix A = toMatrix(t.at("base_model.vera_A"));
    const Matrix B = toMatrix(t.at("base_model.vera_B"));
    ASSERT_EQ(A.rows(), 3);
    ASSERT_EQ(B.cols(), 3);
    const Matrix peft = W0 + (lb.col(0).asDiagonal() * B * ld.col(0).asDiagonal()) * A;
    EXPECT_LT((peft - m->effectiveWeight()).cwiseAbs().maxCoeff(), 1e-5f);
}

TEST_F(PeftVariants, FullFineTuningHasNoAdapter) {
    auto m = method(MethodKind::Full);
    EXPECT_THROW(writeMethodAdapter(m_dir.string(), "q_proj", *m), std::invalid_argument);
    EXPECT_FALSE(fs::exists(m_dir / kAdapterWeightsFile));
}

}  // namespace
}  // namespace loralab
