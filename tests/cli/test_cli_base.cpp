// The frozen base on the command line: --base, --base-file (CSV, .safetensors), --base-dtype,
// --export-merged, --steps 0, the JSON fields, and bad base files (one line, exit 2).
#include "run_binary.h"
#include "svd_floor.h"

#include "io/safetensors.h"
#include "loralab/base.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

using loralab::test::floorOf;
using loralab::test::parseJsonObject;
using loralab::test::runLoralab;
using loralab::test::TempDir;
using loralab::test::writeFile;

namespace {

Eigen::MatrixXd wave(int d, int k, double phase) {
    Eigen::MatrixXd M(d, k);
    for (int i = 0; i < d; ++i)
        for (int j = 0; j < k; ++j) M(i, j) = std::sin(0.9 * i + 0.4 * j * j + phase) * (1 + 0.1 * j);
    return M;
}

std::string csv(const Eigen::MatrixXd& M) {
    std::string out;
    char buf[64];
    for (Eigen::Index i = 0; i < M.rows(); ++i) {
        for (Eigen::Index j = 0; j < M.cols(); ++j) {
            std::snprintf(buf, sizeof buf, "%s%.9g", j ? "," : "", M(i, j));
            out += buf;
        }
        out += '\n';
    }
    return out;
}

Eigen::MatrixXd readMerged(const std::string& path, const std::string& name) {
    const loralab::SafetensorsFile f = loralab::readSafetensors(path);
    EXPECT_EQ(f.tensors.size(), 1u);
    return loralab::toMatrix(f.tensors.at(name)).cast<double>();
}

// One line on stderr, naming `what`, and exit 2.
void expectInputError(const loralab::test::RunResult& r, const std::string& what) {
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_EQ(loralab::test::countLines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
}

}  // namespace

TEST(CliBase, BaseNoneIsTheFitWithoutABase) {
    const std::vector<std::string> args = {"--headless", "--d", "20", "--k", "12", "--rank", "3",
                                           "--steps", "200", "--json"};
    auto with = args;
    with.insert(with.end(), {"--base", "none"});
    const auto a = runLoralab(args), b = runLoralab(with);
    ASSERT_EQ(a.exitCode, 0) << a.err;
    EXPECT_EQ(a.out, b.out);  // every digit of every loss
    // An fp32 base adds nothing to fit: the losses and floor are the same bits.
    auto fp32 = args;
    fp32.insert(fp32.end(), {"--base", "gaussian", "--base-dtype", "fp32"});
    const auto c = runLoralab(fp32);
    const auto ja = parseJsonObject(a), jc = parseJsonObject(c);
    EXPECT_EQ(ja["final_loss"].get<double>(), jc["final_loss"].get<double>());
    EXPECT_EQ(ja["floor"].get<double>(), jc["floor"].get<double>());
    EXPECT_EQ(ja["base"], "none");
    EXPECT_EQ(ja["quantization_error"].get<double>(), 0.0);
    EXPECT_EQ(jc["base"], "gaussian");
    EXPECT_EQ(jc["quantization_error"].get<double>(), 0.0);
}

TEST(CliBase, Nf4BaseFromCsvAtStepZeroIsTheDefinition) {
    TempDir dir;
    const Eigen::MatrixXd W0 = wave(6, 30, 0.2);  // 180 values: blocks cross row ends
    writeFile(dir.file("w0.csv"), csv(W0));
    const auto r = runLoralab({"--headless", "--target", "lowrank", "--target-rank", "2", "--rank", "2",
                               "--base-file", dir.file("w0.csv"), "--base-dtype", "nf4", "--steps",
                               "0", "--json", "--export-merged", dir.file("m.safetensors")});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    EXPECT_EQ(j["d"], 6);  // the shape comes from the base file
    EXPECT_EQ(j["k"], 30);
    EXPECT_EQ(j["steps"], 0);
    EXPECT_EQ(j["base"], "file");
    EXPECT_EQ(j["base_dtype"], "nf4");
    EXPECT_EQ(j["initial_loss"].get<double>(), j["final_loss"].get<double>());
    // B = 0 at step 0, so the merged weight is W0ₛ: each value the nearest NF4 level times its
    // row-major block's absmax.
    const Eigen::MatrixXd Ws = readMerged(dir.file("m.safetensors"), "layer.weight");
    const Eigen::MatrixXf W0f = W0.cast<float>();
    const auto& levels = loralab::nf4Levels();
    double err = 0;
    for (int p = 0; p < 180; ++p) {
        float c = 0;
        for (int q = p / 64 * 64; q < std::min(180, p / 64 * 64 + 64); ++q) c = std::max(c, std::fabs(W0f(q / 30, q % 30)));
        float best = levels[0];
        for (float l : levels)
            if (std::fabs(W0f(p / 30, p % 30) / c - l) < std::fabs(W0f(p / 30, p % 30) / c - best)) best = l;
        EXPECT_FLOAT_EQ(static_cast<float>(Ws(p / 30, p % 30)), best * c) << "position " << p;
        err += std::pow(W0f(p / 30, p % 30) - Ws(p / 30, p % 30), 2);
    }
    EXPECT_NEAR(j["quantization_error"].get<double>(), err / 180, 1e-9);
    // 180 codes of 4 bits and 3 fp32 block scales (the last block holds 52 values).
    const auto text = runLoralab({"--headless", "--target", "lowrank", "--target-rank", "2", "--rank", "2",
                                  "--base-file", dir.file("w0.csv"), "--base-dtype", "nf4", "--steps", "0"});
    EXPECT_NE(text.out.find("nf4: 102 bytes"), std::string::npos) << text.out;
}

TEST(CliBase, MergedWeightAndFloorWithATargetFile) {
    TempDir dir;
    const Eigen::MatrixXd T = wave(10, 14, 1.0), W0 = wave(10, 14, 2.5) * 3;
    writeFile(dir.file("t.csv"), csv(T));
    writeFile(dir.file("w0.csv"), csv(W0));
    const auto r0 = runLoralab({"--headless", "--target-file", dir.file("t.csv"), "--base-file",
                                dir.file("w0.csv"), "--base-dtype", "nf4", "--rank", "2", "--steps", "0",
                                "--json", "--export-merged", dir.file("w0s.safetensors")});
    ASSERT_EQ(r0.exitCode, 0) << r0.err;
    const Eigen::MatrixXd W0s = readMerged(dir.file("w0s.safetensors"), "layer.weight");
    // The floor is the Eckart–Young floor of T_eff = T + (W0 − W0ₛ), from a dense SVD here.
    const Eigen::MatrixXd Teff = T.cast<float>().cast<double>() + W0.cast<float>().cast<double>() - W0s;
    EXPECT_NEAR(parseJsonObject(r0)["floor"].get<double>(), floorOf(Teff, 2), 1e-6);

    const auto r = runLoralab({"--headless", "--target-file", dir.file("t.csv"), "--base-file",
                               dir.file("w0.csv"), "--base-dtype", "nf4", "--rank", "2", "--steps", "300",
                               "--json", "--export-merged", dir.file("m.safetensors"), "--export-adapter",
                               dir.file("ad"), "--module-name", "q_proj"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Eigen::MatrixXd M = readMerged(dir.file("m.safetensors"), "q_proj.weight");
    const auto ad = loralab::readSafetensors(dir.file("ad/adapter_model.safetensors"));
    const Eigen::MatrixXd A = loralab::toMatrix(ad.tensors.at("base_model.model.q_proj.lora_A.weight")).cast<double>();
    const Eigen::MatrixXd B = loralab::toMatrix(ad.tensors.at("base_model.model.q_proj.lora_B.weight")).cast<double>();
    const auto j = parseJsonObject(r);
    EXPECT_LT((M - (W0s + j["scale"].get<double>() * B * A)).cwiseAbs().maxCoeff(), 1e-5);
    // The loss is measured against W* = W0 + T.
    const Eigen::MatrixXd Wstar = W0.cast<float>().cast<double>() + T.cast<float>().cast<double>();
    EXPECT_NEAR(j["final_loss"].get<double>(), (M - Wstar).squaredNorm() / M.size(), 1e-5);
}

TEST(CliBase, SafetensorsBaseByTensorName) {
    TempDir dir;
    loralab::SafetensorsFile f;
    f.tensors["model.q.weight"] = loralab::toTensor(wave(8, 12, 0.3).cast<float>());
    f.tensors["model.bias"] = loralab::Tensor{{3}, {1, 2, 3}};
    loralab::writeSafetensors(dir.file("m.safetensors"), f);
    const auto ok = runLoralab({"--headless", "--base-file", dir.file("m.safetensors"), "--base-tensor",
                                "model.q.weight", "--base-dtype", "bf16", "--steps", "5", "--json"});
    ASSERT_EQ(ok.exitCode, 0) << ok.err;
    EXPECT_EQ(parseJsonObject(ok)["d"], 8);
    EXPECT_GT(parseJsonObject(ok)["quantization_error"].get<double>(), 0.0);
    expectInputError(runLoralab({"--headless", "--base-file", dir.file("m.safetensors"), "--base-tensor",
                                 "model.k.weight"}), "model.q.weight");
    expectInputError(runLoralab({"--headless", "--base-file", dir.file("m.safetensors"), "--base-tensor",
                                 "model.bias"}), "needs 2");
    expectInputError(runLoralab({"--headless", "--base-file", dir.file("m.safetensors")}), "--base-tensor");
}

TEST(CliBase, BadBaseFilesAndShapesAreOneLineExitTwo) {
    TempDir dir;
    writeFile(dir.file("t.csv"), csv(wave(4, 5, 0)));
    writeFile(dir.file("w.csv"), csv(wave(4, 6, 0)));
    writeFile(dir.file("bad.csv"), "1,2\n3\n");
    writeFile(dir.file("nan.csv"), "1,nan\n3,4\n");
    writeFile(dir.file("junk.safetensors"), "not a safetensors file at all");
    expectInputError(runLoralab({"--headless", "--target-file", dir.file("t.csv"), "--base-file",
                                 dir.file("w.csv")}), "same shape");
    expectInputError(runLoralab({"--headless", "--d", "4", "--k", "5", "--base-file", dir.file("w.csv")}),
                     "--d/--k");
    expectInputError(runLoralab({"--headless", "--base-file", dir.file("bad.csv")}), "bad.csv:2");
    expectInputError(runLoralab({"--headless", "--base-file", dir.file("nan.csv")}), "nan.csv");
    expectInputError(runLoralab({"--headless", "--base-file", dir.file("junk.safetensors"), "--base-tensor",
                                 "w"}), "junk.safetensors");
    expectInputError(runLoralab({"--headless", "--base-file", dir.file("missing.csv")}), "missing.csv");
    expectInputError(runLoralab({"--headless", "--base", "file"}), "--base-file");
    expectInputError(runLoralab({"--headless", "--base", "gaussian", "--base-file", dir.file("w.csv")}),
                     "--base file");
    expectInputError(runLoralab({"--headless", "--base-dtype", "nf4"}), "--base-dtype");
    expectInputError(runLoralab({"--headless", "--base", "gaussian", "--base-dtype", "int4"}), "int4");
    expectInputError(runLoralab({"--headless", "--base", "gaussian", "--double-quant"}), "nf4");
    expectInputError(runLoralab({"--headless", "--base-file", dir.file("w.csv"), "--rank", "5"}), "--rank");
    expectInputError(runLoralab({"--headless", "--base-file", dir.file("w.csv"), "--export-merged",
                                 dir.file("w.csv")}), "overwrite");
}
