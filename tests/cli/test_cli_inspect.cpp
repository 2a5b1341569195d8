// loralab --inspect: an adapter folder's table and JSON, a resize written as a peft adapter and
// read back, a .safetensors file's tensor list, and malformed files refused in one line.
#include "run_binary.h"

#include "../app/file_fixtures.h"
#include "io/adapter_reader.h"

#include "dense_reference.h"

#include <gtest/gtest.h>

#include <Eigen/SVD>

#include <filesystem>

using loralab::Matrix;
using loralab::MatrixD;
using loralab::test::parseJsonObject;
using loralab::test::runLoralab;
using loralab::test::TempDir;

namespace {

// Two modules in BF16, one with a rank from rank_pattern.
void writeFixture(const std::string& dir) {
    using loralab::test::randomMatrix;
    const std::string p = "base_model.model.model.layers.0.self_attn.";
    loralab::test::writeAdapterFolder(dir,
                                      {{p + "q_proj", randomMatrix(32, 6, 1), randomMatrix(6, 20, 2)},
                                       {p + "v_proj", randomMatrix(32, 2, 3), randomMatrix(2, 20, 4)}},
                                      "BF16",
                                      R"({"peft_type": "LORA", "r": 6, "lora_alpha": 12, "use_rslora": false,
                                          "rank_pattern": {"v_proj": 2}, "target_modules": ["q_proj", "v_proj"]})");
}

}  // namespace

TEST(CliInspect, AdapterJsonHasEveryModuleWithDescendingSingularValues) {
    TempDir dir;
    writeFixture(dir.file("ad"));
    const auto r = runLoralab({"--inspect", dir.file("ad"), "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    ASSERT_EQ(j["modules"].size(), 2u);
    const auto& q = j["modules"][0];
    EXPECT_EQ(q["name"], "base_model.model.model.layers.0.self_attn.q_proj");
    EXPECT_EQ(q["r"], 6);
    EXPECT_EQ(q["d"], 32);
    EXPECT_EQ(q["k"], 20);
    EXPECT_DOUBLE_EQ(q["scale"].get<double>(), 2.0);
    EXPECT_EQ(q["dtype"], "BF16");
    ASSERT_EQ(q["singular_values"].size(), 6u);
    for (std::size_t i = 0; i + 1 < 6; ++i)
        EXPECT_GE(q["singular_values"][i].get<double>(), q["singular_values"][i + 1].get<double>());
    const auto& v = j["modules"][1];
    EXPECT_EQ(v["r"], 2);
    EXPECT_DOUBLE_EQ(v["scale"].get<double>(), 6.0);
    // ‖ΔW‖_F against the product formed from the BF16 factors.
    loralab::AdapterFolder folder(dir.file("ad"));
    Matrix B, A;
    folder.load(0, B, A);
    EXPECT_NEAR(q["frobenius_norm"].get<double>(), (2.0 * B.cast<double>() * A.cast<double>()).norm(), 1e-4);
}

TEST(CliInspect, ReadableTable) {
    TempDir dir;
    writeFixture(dir.file("ad"));
    const auto r = runLoralab({"--inspect", dir.file("ad")});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    for (const char* word : {"base_model.model.model.layers.0.self_attn.q_proj", "r90", "r99", "32 x 20", "2 modules"})
        EXPECT_NE(r.out.find(word), std::string::npos) << word << "\n" << r.out;
}

TEST(CliInspect, ResizeWritesTheBestRankRAdapter) {
    TempDir dir;
    writeFixture(dir.file("ad"));
    const auto r = runLoralab({"--inspect", dir.file("ad"), "--resize-rank", "3", "--export-adapter", dir.file("r3"),
                               "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    EXPECT_EQ(j["resize_rank"], 3);
    EXPECT_EQ(j["modules"][0]["resized_r"], 3);
    EXPECT_EQ(j["modules"][1]["resized_r"], 2);  // already below R
    const auto config = nlohmann::json::parse(loralab::test::readFile(dir.file("r3/adapter_config.json")));
    EXPECT_EQ(config["r"], 3);
    EXPECT_EQ(config["rank_pattern"]["v_proj"], 2);
    EXPECT_EQ(config["target_modules"], nlohmann::json::array({"q_proj", "v_proj"}));
    // The written adapter reads back in F32 with the relative error Eckart–Young allows.
    loralab::AdapterFolder before(dir.file("ad")), after(dir.file("r3"));
    Matrix B0, A0, B1, A1;
    before.load(0, B0, A0);
    after.load(0, B1, A1);
    EXPECT_EQ(after.modules()[0].dtype, "F32");
    const MatrixD dw = before.modules()[0].scale * B0.cast<double>() * A0.cast<double>();
    const MatrixD kept = after.modules()[0].scale * B1.cast<double>() * A1.cast<double>();
    const Eigen::VectorXd sigma = loralab::test::jacobiSvd(dw, false).sigma;
    const double expected = sigma.tail(sigma.size() - 3).norm() / dw.norm();
    EXPECT_NEAR((dw - kept).norm() / dw.norm(), expected, 1e-5);
    EXPECT_NEAR(j["modules"][0]["relative_error"].get<double>(), expected, 1e-5);
    // Without --json the errors are printed per module.
    const auto text = runLoralab({"--inspect", dir.file("ad"), "--resize-rank", "1"});
    ASSERT_EQ(text.exitCode, 0) << text.err;
    EXPECT_NE(text.out.find("rel. error"), std::string::npos) << text.out;
}

TEST(CliInspect, ListsTheTensorsOfASafetensorsFile) {
    TempDir dir;
    loralab::test::writeBytes(dir.file("m.safetensors"),
                              loralab::test::safetensorsBytes({{"w.weight", "F16", Matrix::Zero(3, 7)},
                                                               {"v.weight", "BF16", Matrix::Zero(2, 2)}}));
    auto r = runLoralab({"--inspect", dir.file("m.safetensors")});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("w.weight"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[3, 7]"), std::string::npos) << r.out;
    r = runLoralab({"--inspect", dir.file("m.safetensors"), "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    EXPECT_EQ(j["params"], 25);
    EXPECT_EQ(j["tensors"][1]["dtype"], "F16");
}

TEST(CliInspect, BadInputExitsTwoInOneLine) {
    TempDir dir;
    writeFixture(dir.file("ad"));
    loralab::test::writeBytes(dir.file("trunc.safetensors"), std::string("\xff\xff\xff\0\0\0\0\0{}", 10));
    const std::string header = R"({"x":{"dtype":"Q4","shape":[2],"data_offsets":[0,2]}})";
    std::string bytes(8, '\0');
    bytes[0] = static_cast<char>(header.size());
    loralab::test::writeBytes(dir.file("dtype.safetensors"), bytes + header + "  ");
    std::filesystem::create_directories(dir.file("empty"));
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"--inspect", dir.file("trunc.safetensors")}, "header length"},
        {{"--inspect", dir.file("dtype.safetensors")}, "unknown dtype"},
        {{"--inspect", dir.file("empty")}, "no adapter_config.json"},
        {{"--inspect", dir.file("none")}, "no such file"},
        {{"--inspect"}, "--inspect: missing value"},
        {{"--inspect", dir.file("ad"), "--export-adapter", dir.file("x")}, "--resize-rank"},
        {{"--inspect", dir.file("ad"), "--resize-rank", "0"}, "--resize-rank"},
        {{"--inspect", dir.file("ad"), "--resize-rank", "2", "--export-adapter", dir.file("ad")},
         "is the adapter being read"},
        {{"--inspect", dir.file("ad"), "--rank", "2"}, "--rank"},
        {{"--inspect", dir.file("ad"), "--params"}, "cannot be combined"},
    };
    for (const auto& [args, expected] : cases) {
        const auto r = runLoralab(args);
        EXPECT_EQ(r.exitCode, 2) << args.back() << " " << r.err;
        EXPECT_EQ(loralab::test::countLines(r.err), 1) << r.err;
        EXPECT_NE(r.err.find(expected), std::string::npos) << "expected '" << expected << "' in " << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
    }
    // The adapter being read is left as it was.
    EXPECT_TRUE(std::filesystem::exists(dir.file("ad/adapter_model.safetensors")));
}

TEST(CliInspect, HelpShowsTheModeAndItsOptions) {
    const auto r = runLoralab({"--inspect", "--help"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    for (const char* word : {"--resize-rank", "--export-adapter", "--json", "adapter_config.json"})
        EXPECT_NE(r.out.find(word), std::string::npos) << word << "\n" << r.out;
}
