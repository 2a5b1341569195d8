// loralab --headless: fits reach their closed-form floors, the JSON is exactly the contract,
// the curve file has every step, divergence exits 1 with a usable message.
#include "run_binary.h"
#include "svd_floor.h"

#include "loralab/target.h"

#include <gtest/gtest.h>

#include <Eigen/SVD>

#include <cmath>
#include <sstream>

using loralab::test::floorOf;
using loralab::test::parseJsonObject;
using loralab::test::readFile;
using loralab::test::runLoralab;
using loralab::test::TempDir;

namespace {

struct CurveRow {
    long long step;
    double loss, floor;
    long long rank;
};

std::vector<CurveRow> readCurve(const std::string& path, std::string& header) {
    std::istringstream in(readFile(path));
    std::getline(in, header);
    std::vector<CurveRow> rows;
    std::string line;
    while (std::getline(in, line)) {
        CurveRow r{};
        char c1, c2, c3;
        std::istringstream fields(line);
        fields >> r.step >> c1 >> r.loss >> c2 >> r.floor >> c3 >> r.rank;
        EXPECT_TRUE(fields && c1 == ',' && c2 == ',' && c3 == ',') << "bad row: " << line;
        rows.push_back(r);
    }
    return rows;
}

}  // namespace

TEST(CliHeadless, JsonHasExactlyTheContractKeysInOrder) {
    const auto r = runLoralab({"--headless", "--steps", "50", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    const auto ordered = nlohmann::ordered_json::parse(r.out);
    std::vector<std::string> keys;  // in the order printed
    for (const auto& item : ordered.items()) keys.push_back(item.key());
    EXPECT_EQ(keys, (std::vector<std::string>{"d", "k", "rank", "alpha", "scale", "target",
                                              "method", "lr_ratio", "optimizer", "lr", "steps", "seed", "initial_loss",
                                              "final_loss", "floor", "final_over_floor",
                                              "trainable_params", "full_params", "diverged", "base",
                                              "base_dtype", "quantization_error"}));
    // The documented defaults.
    EXPECT_EQ(j["d"], 32);
    EXPECT_EQ(j["k"], 32);
    EXPECT_EQ(j["rank"], 4);
    EXPECT_EQ(j["alpha"], 4.0);
    EXPECT_EQ(j["scale"], 1.0);
    EXPECT_EQ(j["target"], "full");
    EXPECT_EQ(j["method"], "lora");
    EXPECT_EQ(j["lr_ratio"], 1.0);
    EXPECT_EQ(j["optimizer"], "adam");
    EXPECT_EQ(j["steps"], 50);
    EXPECT_EQ(j["seed"], 1);
    EXPECT_EQ(j["diverged"], false);
}

TEST(CliHeadless, LowRankTargetFitsToNearZero) {
    const auto r = runLoralab(
        {"--headless", "--target", "lowrank", "--target-rank", "3", "--rank", "3", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    const double initial = j["initial_loss"];
    const double final = j["final_loss"];
    EXPECT_NEAR(initial, 1.0, 0.3);  // unit-RMS target, ΔW = 0 at init
    EXPECT_LT(final, 1e-4 * initial) << r.out;
    EXPECT_LT(j["floor"].get<double>(), 1e-9);
    EXPECT_TRUE(j["final_over_floor"].is_null());  // the floor is zero: no meaningful ratio
}

TEST(CliHeadless, FullRankTargetStopsWithinOnePercentOfItsFloor) {
    const auto r = runLoralab({"--headless", "--target", "full", "--d", "32", "--k", "24",
                               "--rank", "4", "--seed", "7", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    loralab::TargetSpec spec;
    spec.kind = loralab::TargetKind::Full;
    spec.d = 32;
    spec.k = 24;
    spec.seed = 7;
    const Eigen::MatrixXd T = loralab::makeTarget(spec).cast<double>();
    const double floor = floorOf(T, 4);
    EXPECT_NEAR(j["floor"].get<double>(), floor, 1e-5 * floor);
    EXPECT_NEAR(j["initial_loss"].get<double>(), T.squaredNorm() / T.size(), 1e-5);
    EXPECT_GE(j["final_loss"].get<double>(), floor * (1 - 1e-5));  // nothing beats Eckart–Young
    EXPECT_LT(j["final_loss"].get<double>(), floor * 1.01);
    EXPECT_NEAR(j["final_over_floor"].get<double>(), j["final_loss"].get<double>() / floor, 1e-4);
    EXPECT_EQ(j["trainable_params"], 4 * (32 + 24));
    EXPECT_EQ(j["full_params"], 32 * 24);
}

TEST(CliHeadless, RsLoraScale) {
    const auto r = runLoralab(
        {"--headless", "--rank", "4", "--alpha", "8", "--rslora", "--steps", "10", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    EXPECT_DOUBLE_EQ(j["alpha"].get<double>(), 8.0);
    EXPECT_DOUBLE_EQ(j["scale"].get<double>(), 4.0);  // 8/√4

    const auto plain = parseJsonObject(runLoralab({"--headless", "--rank", "4", "--alpha", "8",
                                                   "--steps", "10", "--json"}));
    EXPECT_DOUBLE_EQ(plain["scale"].get<double>(), 2.0);  // 8/4
}

TEST(CliHeadless, ReadableSummaryAndPlainProgress) {
    const auto r = runLoralab({"--headless", "--steps", "200"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("final loss"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("floor"), std::string::npos) << r.out;
    // stderr is a pipe here: plain lines (no carriage returns), one per 10 % plus the last.
    EXPECT_EQ(r.err.find('\r'), std::string::npos);
    EXPECT_NE(r.err.find("step 200/200"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("steps/s"), std::string::npos) << r.err;
    EXPECT_LE(loralab::test::countLines(r.err), 11) << r.err;
}

TEST(CliHeadless, CurveHasEveryStep) {
    TempDir dir;
    const std::string path = dir.file("curve.csv");
    const auto r = runLoralab({"--headless", "--steps", "300", "--curve", path, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    std::string header;
    const auto rows = readCurve(path, header);
    EXPECT_EQ(header, "step,loss,floor,rank");
    ASSERT_EQ(rows.size(), 301u);  // the loss before each of the 300 updates, and after the last
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i].step, static_cast<long long>(i));
        EXPECT_TRUE(std::isfinite(rows[i].loss));
        EXPECT_NEAR(rows[i].floor, j["floor"].get<double>(), 1e-7);
        EXPECT_EQ(rows[i].rank, 4);
    }
    EXPECT_NEAR(rows.front().loss, j["initial_loss"].get<double>(), 1e-6);
    EXPECT_NEAR(rows.back().loss, j["final_loss"].get<double>(), 1e-6);
    EXPECT_LT(rows.back().loss, rows.front().loss);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"curve.csv"});  // no temporary left
}

TEST(CliHeadless, DivergenceExitsOneAndKeepsTheFiniteCurve) {
    TempDir dir;
    const std::string path = dir.file("curve.csv");
    const auto r = runLoralab({"--headless", "--optimizer", "sgd", "--lr", "1000", "--steps",
                               "2000", "--curve", path, "--json"});
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_NE(r.err.find("diverged at step"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--lr 100"), std::string::npos) << r.err;  // lr/10 suggested
    const auto j = parseJsonObject(r);
    EXPECT_EQ(j["diverged"], true);
    const long long at = std::stoll(r.err.substr(r.err.find("diverged at step") + 17));
    std::string header;
    const auto rows = readCurve(path, header);
    EXPECT_EQ(header, "step,loss,floor,rank");
    ASSERT_FALSE(rows.empty());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i].step, static_cast<long long>(i));
        EXPECT_TRUE(std::isfinite(rows[i].loss)) << "row " << i;
    }
    EXPECT_LT(rows.back().step, at);
    EXPECT_GE(rows.back().step, at - 1);
}

TEST(CliHeadless, HelpListsScenarioFlagsWithDefaults) {
    const auto r = runLoralab({"--headless", "--help"});
    EXPECT_EQ(r.exitCode, 0);
    for (const char* flag : {"--d", "--k", "--rank", "--alpha", "--rslora", "--init", "--target",
                             "--target-rank", "--target-file", "--optimizer", "--lr", "--steps",
                             "--seed", "--threads", "--json", "--curve", "--screenshot",
                             "--export-adapter", "--module-name"})
        EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
    EXPECT_NE(r.out.find("=2000"), std::string::npos) << r.out;  // default steps
    EXPECT_NE(r.out.find("=adam"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("--batch"), std::string::npos) << "a bench flag in headless help";
}

// Past the dense threshold the floor comes from a partial spectrum: the same value as a dense
// SVD to 1e-6, for a full-rank target and for a low-rank one whose floor is ~1e-15 of ‖T‖².
TEST(CliHeadless, PartialSpectrumFloorsMatchADenseSvd) {
    for (const char* kind : {"full", "lowrank"}) {
        std::vector<std::string> args{"--headless", "--target", kind, "--d", "300", "--k", "280",
                                      "--rank", "5", "--steps", "3", "--json"};
        if (std::string(kind) == "lowrank") args.insert(args.end(), {"--target-rank", "3"});
        const auto r = runLoralab(args);
        ASSERT_EQ(r.exitCode, 0) << r.err;
        const auto j = parseJsonObject(r);
        loralab::TargetSpec spec;
        spec.kind = loralab::parseTargetKind(kind);
        spec.d = 300;
        spec.k = 280;
        spec.targetRank = 3;
        spec.seed = 1;
        const Eigen::MatrixXd T = loralab::makeTarget(spec).cast<double>();
        const double floor = floorOf(T, 5);
        EXPECT_NEAR(j["floor"].get<double>(), floor, 1e-6 * floor) << kind;
        if (spec.kind == loralab::TargetKind::LowRank) {
            EXPECT_LT(floor, 1e-12) << kind;
        }
    }
}

// A size that cannot fit is refused before anything is allocated: exit 2, one line naming the
// size and the estimate against what is available, nothing on stdout.
TEST(CliHeadless, RefusesWhatCannotFitInMemory) {
    const auto r = runLoralab({"--headless", "--d", "1000000", "--k", "1000000", "--rank", "16",
                               "--json"});
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(loralab::test::countLines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("--headless"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("1000000x1000000"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("needs an estimated"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("MemAvailable"), std::string::npos) << r.err;
    const auto at = r.err.find("estimated ");
    ASSERT_NE(at, std::string::npos);
    EXPECT_GE(std::stod(r.err.substr(at + 10)), 3600.0) << r.err;  // GiB: T alone is 3725
    // A bad rank is still reported as such, not as memory.
    const auto bad = runLoralab({"--headless", "--d", "1000000", "--k", "8", "--rank", "9"});
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_NE(bad.err.find("rank"), std::string::npos) << bad.err;
    EXPECT_EQ(bad.err.find("estimated"), std::string::npos) << bad.err;
}

// Past the 4096 of the sizes the tool used to cap at, and still a second or so: a tall
// 8192 x 300 layer.
TEST(CliHeadless, AcceptsSizesPast4096) {
    const auto r = runLoralab({"--headless", "--d", "8192", "--k", "300", "--rank", "4",
                               "--steps", "2", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    EXPECT_EQ(j["d"], 8192);
    EXPECT_GT(j["floor"].get<double>(), 0.9);  // a Gaussian target: rank 4 reaches little
    EXPECT_LT(j["floor"].get<double>(), 1.0);
}
