// Target files (CSV, PNG, JPEG), the adapter export in peft's layout, and output faults.
#include "run_binary.h"
#include "svd_floor.h"
#include "../app/file_fixtures.h"

#include "io/peft_adapter.h"
#include "io/safetensors.h"

#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <stb_image_write.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

using loralab::test::fileExists;
using loralab::test::floorOf;
using loralab::test::parseJsonObject;
using loralab::test::readFile;
using loralab::test::runLoralab;
using loralab::test::TempDir;
using loralab::test::writeFile;

namespace {

// A d×k matrix with a known, non-symmetric pattern (so a transpose or a row/column mix-up shows).
Eigen::MatrixXd patternMatrix(int d, int k) {
    Eigen::MatrixXd T(d, k);
    for (int i = 0; i < d; ++i)
        for (int j = 0; j < k; ++j) T(i, j) = std::sin(0.7 * i + 0.3 * j * j) + 0.1 * i - 0.05 * j;
    return T;
}

std::string toCsv(const Eigen::MatrixXd& T) {
    std::string out = "# a pattern matrix\n";
    char buf[64];
    for (Eigen::Index i = 0; i < T.rows(); ++i) {
        for (Eigen::Index j = 0; j < T.cols(); ++j) {
            std::snprintf(buf, sizeof buf, "%s%.9g", j ? "," : "", T(i, j));
            out += buf;
        }
        out += '\n';
    }
    return out;
}

// Writes a width×height gray PNG and returns the pixels as the app should read them (/255).
Eigen::MatrixXd writePng(const std::string& path, int width, int height) {
    std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * height);
    Eigen::MatrixXd T(height, width);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const int v = (x * 13 + y * y * 7 + (x * y) % 5 * 20) % 256;
            pixels[static_cast<std::size_t>(y) * width + x] = static_cast<unsigned char>(v);
            T(y, x) = v / 255.0;
        }
    EXPECT_NE(stbi_write_png(path.c_str(), width, height, 1, pixels.data(), width), 0);
    return T;
}

}  // namespace

TEST(CliFiles, CsvTargetGivesItsShapeAndFloor) {
    TempDir dir;
    const Eigen::MatrixXd T = patternMatrix(7, 11);
    const std::string path = dir.file("target.csv");
    writeFile(path, toCsv(T));
    const auto r = runLoralab({"--headless", "--target-file", path, "--rank", "2", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    EXPECT_EQ(j["target"], "file");
    EXPECT_EQ(j["d"], 7);
    EXPECT_EQ(j["k"], 11);
    EXPECT_NEAR(j["floor"].get<double>(), floorOf(T, 2), 1e-5 * floorOf(T, 2));
    EXPECT_NEAR(j["initial_loss"].get<double>(), T.squaredNorm() / T.size(), 1e-5);
    EXPECT_LT(j["final_loss"].get<double>(), 1.01 * floorOf(T, 2));
}

// A real weight as the target: one 2-D tensor of a .safetensors file, here in F16.
TEST(CliFiles, SafetensorsTensorTargetGivesItsShapeAndFloor) {
    TempDir dir;
    const std::string path = dir.file("model.safetensors");
    const loralab::Matrix w = loralab::test::randomMatrix(9, 13, 4, 0.05f);
    loralab::test::writeBytes(path, loralab::test::safetensorsBytes(
                                        {{"model.layers.0.self_attn.q_proj.weight", "F16", w},
                                         {"model.layers.0.input_layernorm.weight", "F32", loralab::Matrix::Ones(1, 9)}}));
    const Eigen::MatrixXd T = loralab::test::roundedTo(w, "F16").cast<double>();
    auto r = runLoralab({"--headless", "--target-file", path, "--tensor", "model.layers.0.self_attn.q_proj.weight",
                         "--rank", "3", "--steps", "5", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    EXPECT_EQ(j["d"], 9);
    EXPECT_EQ(j["k"], 13);
    EXPECT_NEAR(j["floor"].get<double>(), floorOf(T, 3), 1e-5 * floorOf(T, 3));
    EXPECT_NEAR(j["initial_loss"].get<double>(), T.squaredNorm() / T.size(), 1e-6 * T.squaredNorm() / T.size());
    // Without --tensor, with a missing one, or --tensor on a CSV: exit 2, one line.
    for (const auto& [args, expected] :
         std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"--headless", "--target-file", path}, "needs --tensor NAME"},
             {{"--headless", "--target-file", path, "--tensor", "nope"}, "no tensor 'nope'"},
             {{"--headless", "--target-file", dir.file("t.csv"), "--tensor", "x"}, "--tensor applies"},
         }) {
        r = runLoralab(args);
        EXPECT_EQ(r.exitCode, 2) << r.err;
        EXPECT_EQ(loralab::test::countLines(r.err), 1) << r.err;
        EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    }
}

TEST(CliFiles, PngTargetIsGrayscaleInUnitRange) {
    TempDir dir;
    const std::string path = dir.file("picture.png");
    const Eigen::MatrixXd T = writePng(path, 16, 12);
    const auto r = runLoralab({"--headless", "--target", "file", "--target-file", path, "--rank",
                               "3", "--steps", "20", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    EXPECT_EQ(j["d"], 12);  // height
    EXPECT_EQ(j["k"], 16);  // width
    EXPECT_NEAR(j["floor"].get<double>(), floorOf(T, 3), 1e-5 * floorOf(T, 3));
    EXPECT_NEAR(j["initial_loss"].get<double>(), T.squaredNorm() / T.size(), 1e-6);
}

TEST(CliFiles, JpegTargetLoads) {
    TempDir dir;
    const std::string path = dir.file("photo.jpg");
    std::vector<unsigned char> rgb(20 * 10 * 3);
    for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<unsigned char>(i * 7 % 256);
    ASSERT_NE(stbi_write_jpg(path.c_str(), 20, 10, 3, rgb.data(), 95), 0);
    const auto r = runLoralab({"--headless", "--target-file", path, "--steps", "5", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    EXPECT_EQ(j["d"], 10);
    EXPECT_EQ(j["k"], 20);
    const double meanSquare = j["initial_loss"];  // mean of pixel² with pixels in [0, 1]
    EXPECT_GT(meanSquare, 0.0);
    EXPECT_LE(meanSquare, 1.0);
}

// The adapter read back: names, shapes, dtype, offsets, config; and s·B·A reproduces the
// reported final loss against the target (computed here from the CSV), which a transposed or
// column-major tensor could not.
TEST(CliFiles, AdapterExportReadsBackInPeftLayout) {
    TempDir dir;
    const Eigen::MatrixXd T = patternMatrix(6, 9);
    const std::string target = dir.file("t.csv");
    writeFile(target, toCsv(T));
    const std::string out = dir.file("adapter");
    const auto r = runLoralab({"--headless", "--target-file", target, "--rank", "2", "--alpha",
                               "3", "--steps", "400", "--export-adapter", out, "--module-name",
                               "q_proj", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);

    const std::string weights = out + "/adapter_model.safetensors";
    ASSERT_TRUE(fileExists(weights));
    // The raw layout, checked by hand: u64 LE header length, JSON header, then the data.
    const std::string bytes = readFile(weights);
    ASSERT_GE(bytes.size(), 8u);
    std::uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= std::uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
    ASSERT_LE(8 + n, bytes.size());
    const auto header = nlohmann::json::parse(bytes.substr(8, n));
    const std::string nameA = "base_model.model.q_proj.lora_A.weight";
    const std::string nameB = "base_model.model.q_proj.lora_B.weight";
    EXPECT_EQ(header[nameA]["dtype"], "F32");
    EXPECT_EQ(header[nameA]["shape"], nlohmann::json::array({2, 9}));
    EXPECT_EQ(header[nameB]["shape"], nlohmann::json::array({6, 2}));
    const auto offA = header[nameA]["data_offsets"].get<std::vector<std::uint64_t>>();
    const auto offB = header[nameB]["data_offsets"].get<std::vector<std::uint64_t>>();
    EXPECT_EQ(offA[1] - offA[0], 2u * 9 * 4);
    EXPECT_EQ(offB[1] - offB[0], 6u * 2 * 4);
    EXPECT_EQ(bytes.size(), 8 + n + 2 * 9 * 4 + 6 * 2 * 4);

    const auto file = loralab::readSafetensors(weights);
    ASSERT_EQ(file.tensors.size(), 2u);
    const Eigen::MatrixXd A = loralab::toMatrix(file.tensors.at(nameA)).cast<double>();
    const Eigen::MatrixXd B = loralab::toMatrix(file.tensors.at(nameB)).cast<double>();
    // A's first row, straight from the bytes: row-major means A(0, 1) follows A(0, 0).
    float a01 = 0;
    std::memcpy(&a01, bytes.data() + 8 + n + offA[0] + 4, 4);
    EXPECT_FLOAT_EQ(a01, static_cast<float>(A(0, 1)));

    const double s = 3.0 / 2.0;
    const double loss = (s * B * A - T).squaredNorm() / T.size();
    EXPECT_NEAR(loss, j["final_loss"].get<double>(), 1e-5 * std::max(1.0, loss));
    EXPECT_LT(loss, 0.9 * j["initial_loss"].get<double>());  // it learned something

    const auto config = nlohmann::json::parse(readFile(out + "/adapter_config.json"));
    EXPECT_EQ(config["peft_type"], "LORA");
    EXPECT_EQ(config["r"], 2);
    EXPECT_EQ(config["lora_alpha"], 3);
    EXPECT_EQ(config["target_modules"], nlohmann::json::array({"q_proj"}));
    EXPECT_EQ(config["use_rslora"], false);
    EXPECT_EQ(config["bias"], "none");
    EXPECT_EQ(config["lora_dropout"], 0.0);
    EXPECT_EQ(config["fan_in_fan_out"], false);
    EXPECT_TRUE(config["task_type"].is_null());
}

TEST(CliFiles, AdapterDefaultModuleNameIsLayer) {
    TempDir dir;
    const auto r = runLoralab({"--headless", "--steps", "3", "--export-adapter", dir.path()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto file = loralab::readSafetensors(dir.file("adapter_model.safetensors"));
    EXPECT_EQ(file.tensors.count("base_model.model.layer.lora_A.weight"), 1u);
    EXPECT_EQ(file.tensors.at("base_model.model.layer.lora_B.weight").shape,
              (std::vector<std::int64_t>{32, 4}));
    EXPECT_EQ(dir.entries(), (std::vector<std::string>{"adapter_config.json",
                                                       "adapter_model.safetensors"}));
}

// ---- bad files: one line naming the file (and line:column for CSV), exit 2 ----------------------

TEST(CliFiles, RaggedCsvNamesLineAndColumn) {
    TempDir dir;
    const std::string path = dir.file("ragged.csv");
    writeFile(path, "1,2,3\n4,5\n");
    const auto r = runLoralab({"--headless", "--target-file", path});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find(path + ":2:"), std::string::npos) << r.err;
    EXPECT_EQ(loralab::test::countLines(r.err), 1) << r.err;
}

TEST(CliFiles, NonNumberCellNamesLineAndColumn) {
    TempDir dir;
    const std::string path = dir.file("words.csv");
    writeFile(path, "1,2\n3,four\n");
    const auto r = runLoralab({"--headless", "--target-file", path});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find(path + ":2:3"), std::string::npos) << r.err;
}

TEST(CliFiles, CorruptPictureIsRefused) {
    TempDir dir;
    const std::string path = dir.file("broken.png");
    writeFile(path, std::string("\x89PNG\r\n\x1a\n", 8) + "this is not a PNG body");
    const auto r = runLoralab({"--headless", "--target-file", path});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    EXPECT_EQ(loralab::test::countLines(r.err), 1) << r.err;
}

TEST(CliFiles, TruncatedPictureIsRefused) {
    TempDir dir;
    const std::string good = dir.file("good.png");
    writePng(good, 40, 30);
    const std::string bytes = readFile(good);
    const std::string path = dir.file("cut.png");
    writeFile(path, bytes.substr(0, bytes.size() / 2));
    const auto r = runLoralab({"--headless", "--target-file", path});
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
}

TEST(CliFiles, MissingTargetFileIsBadInput) {
    const auto r = runLoralab({"--headless", "--target-file", "/nonexistent/target.csv"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("/nonexistent/target.csv"), std::string::npos) << r.err;
}

TEST(CliFiles, RankAboveTheFileShapeNamesRank) {
    TempDir dir;
    const std::string path = dir.file("small.csv");
    writeFile(path, "1,2,3\n4,5,6\n");
    const auto r = runLoralab({"--headless", "--target-file", path, "--rank", "3"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("--rank"), std::string::npos) << r.err;
}

// ---- outputs that cannot be written: exit 1, the path named, nothing half-written ----------------

TEST(CliFiles, CurveIntoMissingFolderFailsBeforeTraining) {
    TempDir dir;
    const std::string path = dir.file("no/such/folder/curve.csv");
    const auto r = runLoralab({"--headless", "--curve", path});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    EXPECT_EQ(loralab::test::countLines(r.err), 1) << r.err;  // failed before any progress
    EXPECT_TRUE(dir.entries().empty());
}

TEST(CliFiles, CurveOntoAFolderFails) {
    TempDir dir;
    const auto r = runLoralab({"--headless", "--steps", "5", "--curve", dir.path()});
    EXPECT_EQ(r.exitCode, 2);  // a folder given as a file is bad usage
    EXPECT_NE(r.err.find(dir.path()), std::string::npos) << r.err;
    EXPECT_TRUE(dir.entries().empty());
}

TEST(CliFiles, ExportIntoReadOnlyFolderLeavesNothing) {
    if (geteuid() == 0) GTEST_SKIP() << "root ignores folder permissions";
    TempDir dir;
    ASSERT_EQ(chmod(dir.path().c_str(), 0555), 0);
    const auto r = runLoralab({"--headless", "--steps", "5", "--export-adapter", dir.file("a")});
    chmod(dir.path().c_str(), 0755);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find(dir.file("a")), std::string::npos) << r.err;
    EXPECT_TRUE(dir.entries().empty());
}

TEST(CliFiles, CurveMayNotOverwriteTheTargetFile) {
    TempDir dir;
    const std::string path = dir.file("t.csv");
    writeFile(path, "1,2\n3,4\n");
    const auto r = runLoralab({"--headless", "--target-file", path, "--rank", "1", "--curve", path});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("--curve"), std::string::npos) << r.err;
    EXPECT_EQ(readFile(path), "1,2\n3,4\n");
}

TEST(CliFiles, ExportWhereAFileIsInTheWayFails) {
    TempDir dir;
    writeFile(dir.file("taken"), "x");
    const auto r = runLoralab({"--headless", "--steps", "5", "--export-adapter", dir.file("taken")});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find(dir.file("taken")), std::string::npos) << r.err;
    EXPECT_EQ(readFile(dir.file("taken")), "x");
}
