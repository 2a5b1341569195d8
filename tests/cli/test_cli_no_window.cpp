// A build without the window (LORALAB_BUILD_GUI=OFF): the window and --screenshot are usage
// errors (exit 2, one line, before any work), while presets still parse and the other modes run.
#include "run_binary.h"

#include <gtest/gtest.h>

using loralab::test::countLines;
using loralab::test::runLoralab;
using loralab::test::TempDir;

namespace {

void expectNoWindowError(const loralab::test::RunResult& r, const char* mustMention) {
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_EQ(countLines(r.err), 1) << r.err;  // no progress: refused before training
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_NE(r.err.find("LORALAB_BUILD_GUI=OFF"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(mustMention), std::string::npos) << r.err;
}

}  // namespace

TEST(CliNoWindow, TheWindowIsAUsageError) {
    expectNoWindowError(runLoralab({}), "--headless");
    expectNoWindowError(runLoralab({"--rank", "3", "--steps", "10"}), "--headless");
    expectNoWindowError(runLoralab({"--preset", "Identity: the worst case"}), "--headless");
}

TEST(CliNoWindow, ScreenshotsAreRefusedBeforeTraining) {
    TempDir dir;
    expectNoWindowError(runLoralab({"--screenshot", dir.file("w.png")}), "--screenshot");
    expectNoWindowError(runLoralab({"--headless", "--steps", "50", "--screenshot", dir.file("h.png"),
                                    "--curve", dir.file("c.csv")}),
                        "--screenshot");
    EXPECT_TRUE(dir.entries().empty());
}

TEST(CliNoWindow, PresetNamesAreStillCheckedAndTheOtherModesRun) {
    const auto bad = runLoralab({"--preset", "nope"});
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_NE(bad.err.find("Rank-1 outer product"), std::string::npos) << bad.err;
    EXPECT_EQ(runLoralab({"--headless", "--steps", "3", "--d", "8", "--k", "8", "--rank", "2"}).exitCode, 0);
    EXPECT_EQ(runLoralab({"--params", "--d", "64", "--k", "64", "--rank", "4"}).exitCode, 0);
}
