// The command line's window paths, run through the binary: the GUI mode's input checks before a
// window opens (a bad target file, a folder given as the screenshot), and --headless
// --screenshot, which renders the panels offscreen (EGL surfaceless, no X server), also from a
// target read on standard input. Built only with the GUI (LORALAB_BUILD_GUI).
#include "run_binary.h"

#include <gtest/gtest.h>

#include <stb_image.h>

#include <cmath>
#include <set>

using loralab::test::readFile;
using loralab::test::runLoralab;
using loralab::test::TempDir;
using loralab::test::writeFile;

TEST(CliWindow, GuiModeRefusesABadTargetFileBeforeOpeningAWindow) {
    TempDir dir;
    const std::string path = dir.file("ragged.csv");
    writeFile(path, "1,2\n3\n");
    const auto r = runLoralab({"--target-file", path});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find(path + ":2:"), std::string::npos) << r.err;
    EXPECT_EQ(loralab::test::countLines(r.err), 1) << r.err;
}

// The window makes --headless's memory check before it opens (no display is needed to be
// refused), counting two fits: the one shown and the one being built.
TEST(CliWindow, RefusesWhatCannotFitBeforeItOpens) {
    const auto r = runLoralab({"--d", "1000000", "--k", "1000000", "--rank", "16"});
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_EQ(loralab::test::countLines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("the window"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("1000000x1000000"), std::string::npos) << r.err;
    const auto at = r.err.find("estimated ");
    ASSERT_NE(at, std::string::npos);
    EXPECT_GE(std::stod(r.err.substr(at + 10)), 2 * 3600.0) << r.err;  // GiB: two T of 3725
}

TEST(CliWindow, HeadlessScreenshotIsARealPicture) {
    TempDir dir;
    const std::string path = dir.file("shot.png");
    const auto r = runLoralab({"--headless", "--steps", "100", "--screenshot", path});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    int width = 0, height = 0, channels = 0;
    unsigned char* pixels = stbi_load(path.c_str(), &width, &height, &channels, 3);
    ASSERT_NE(pixels, nullptr) << stbi_failure_reason();
    EXPECT_GE(width, 320);
    EXPECT_GE(height, 200);
    // Not blank: many distinct colours, and a real spread of brightness.
    std::set<int> colours;
    double sum = 0, sumSq = 0;
    const std::size_t n = static_cast<std::size_t>(width) * height;
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned char* p = pixels + 3 * i;
        colours.insert(p[0] << 16 | p[1] << 8 | p[2]);
        const double y = (p[0] + p[1] + p[2]) / 3.0;
        sum += y;
        sumSq += y * y;
    }
    stbi_image_free(pixels);
    const double mean = sum / n;
    EXPECT_GT(colours.size(), 50u);
    EXPECT_GT(std::sqrt(sumSq / n - mean * mean), 10.0);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"shot.png"});
}

TEST(CliWindow, ScreenshotIntoMissingFolderFailsBeforeTraining) {
    TempDir dir;
    const std::string path = dir.file("missing/shot.png");
    const auto r = runLoralab({"--headless", "--screenshot", path});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    EXPECT_EQ(loralab::test::countLines(r.err), 1) << r.err;
}

TEST(CliWindow, TargetFromStdinAlsoDrawsTheScreenshot) {
    TempDir dir;
    const std::string csv = "1,0,0\n0,2,0\n0,0,3\n";
    loralab::test::RunOptions options;
    options.stdinData = &csv;
    const auto r = runLoralab({"--headless", "--target-file", "-", "--rank", "1", "--steps", "3",
                               "--screenshot", dir.file("shot.png")}, options);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(readFile(dir.file("shot.png")).substr(1, 3), "PNG");
}

TEST(CliWindow, FolderGivenAsAScreenshotIsAUsageError) {
    TempDir dir;
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--headless", "--steps", "5", "--screenshot", dir.path()},
          std::vector<std::string>{"--screenshot", dir.path()}}) {
        const auto r = runLoralab(args);
        EXPECT_EQ(r.exitCode, 2) << args[0] << ": " << r.err;
        EXPECT_EQ(loralab::test::countLines(r.err), 1) << r.err;
        EXPECT_NE(r.err.find(dir.path()), std::string::npos) << r.err;
    }
    EXPECT_TRUE(dir.entries().empty());
}
