// The peft adapter export (app/io/peft_adapter.h): the config's fields as peft reads them, the
// tensor names, module-name rules, and the written files read back as peft would.
#include "io/peft_adapter.h"

#include "io/safetensors.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

namespace fs = std::filesystem;

TEST(PeftAdapter, AdapterConfigFields) {
    loralab::Factors f;
    f.B = loralab::Matrix::Zero(5, 3);
    f.A = loralab::Matrix::Zero(3, 7);
    f.alpha = 6;
    f.rslora = true;
    const auto j = nlohmann::json::parse(loralab::adapterConfigJson("v_proj", f));
    EXPECT_EQ(j["peft_type"], "LORA");
    EXPECT_EQ(j["r"], 3);
    EXPECT_EQ(j["lora_alpha"], 6);
    EXPECT_TRUE(j["lora_alpha"].is_number_integer());
    EXPECT_EQ(j["use_rslora"], true);
    EXPECT_EQ(j["target_modules"], nlohmann::json::array({"v_proj"}));
    EXPECT_EQ(j["init_lora_weights"], true);
    f.alpha = 2.5;
    EXPECT_EQ(nlohmann::json::parse(loralab::adapterConfigJson("v", f))["lora_alpha"], 2.5);
}

TEST(PeftAdapter, ModuleNames) {
    EXPECT_TRUE(loralab::isValidModuleName("layers.0.self_attn.q_proj"));
    EXPECT_FALSE(loralab::isValidModuleName(""));
    EXPECT_FALSE(loralab::isValidModuleName("a b"));
    EXPECT_FALSE(loralab::isValidModuleName("../x"));
    EXPECT_EQ(loralab::adapterTensorName("q", 'B'), "base_model.model.q.lora_B.weight");
}

TEST(PeftAdapter, WrittenFilesReadBackWithTheFactorsUnchanged) {
    std::string pattern = (fs::temp_directory_path() / "loralab-adapter-XXXXXX").string();
    const fs::path dir = mkdtemp(pattern.data());
    loralab::Factors f;
    f.B = loralab::Matrix::Random(6, 2);
    f.A = loralab::Matrix::Random(2, 5);
    f.alpha = 4;
    loralab::writeAdapter((dir / "out").string(), "q_proj", f);
    const loralab::SafetensorsFile file =
        loralab::readSafetensors((dir / "out" / loralab::kAdapterWeightsFile).string());
    ASSERT_EQ(file.tensors.size(), 2u);
    EXPECT_EQ(loralab::toMatrix(file.tensors.at(loralab::adapterTensorName("q_proj", 'A'))), f.A);
    EXPECT_EQ(loralab::toMatrix(file.tensors.at(loralab::adapterTensorName("q_proj", 'B'))), f.B);
    std::ifstream in(dir / "out" / loralab::kAdapterConfigFile);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), loralab::adapterConfigJson("q_proj", f));
    EXPECT_THROW(loralab::writeAdapter((dir / "bad").string(), "a b", f), std::invalid_argument);
    EXPECT_FALSE(fs::exists(dir / "bad"));
    fs::remove_all(dir);
}

// adapterFileBytes builds the header the writer builds: its size is the written file's, in
// fp32, and bf16 differs only by the halved data.
TEST(PeftAdapter, FileSizeIsTheWrittenFilesSize) {
    std::string pattern = (fs::temp_directory_path() / "loralab-adapter-size-XXXXXX").string();
    const fs::path dir = mkdtemp(pattern.data());
    for (auto [d, k, r] : {std::tuple<int, int, int>{6, 5, 2}, {64, 48, 8}, {1000, 3, 3}}) {
        loralab::Factors f;
        f.B = loralab::Matrix::Random(d, r);
        f.A = loralab::Matrix::Random(r, k);
        f.alpha = 8;
        loralab::writeAdapter(dir.string(), "self_attn.q_proj", f);
        const std::vector<loralab::LinearModule> module{{"self_attn.q_proj", d, k, false}};
        const auto written = static_cast<std::int64_t>(fs::file_size(dir / loralab::kAdapterWeightsFile));
        EXPECT_EQ(loralab::adapterFileBytes(module, r, "F32"), written) << d << "x" << k << " r " << r;
        EXPECT_EQ(loralab::adapterFileBytes(module, r, "BF16"), written - 2LL * r * (d + k));
    }
    fs::remove_all(dir);
}
