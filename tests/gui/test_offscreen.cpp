// renderOffscreen(): the real panels rendered through EGL (Mesa surfaceless, no X server) into a
// PNG. Checks the file's size and that the ΔW heatmap area is coloured, not blank.
#include "gui.h"
#include "offscreen.h"
#include "png_checks.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace loralab {
namespace {

namespace fs = std::filesystem;

TEST(Offscreen, ScreenshotOfATrainedScenario) {
    const fs::path dir = fs::temp_directory_path() / ("loralab_offscreen_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    GuiOptions o;
    o.scenario.d = 24;
    o.scenario.k = 24;
    o.scenario.rank = 3;
    o.scenario.target = TargetKind::Full;
    o.scenario.steps = 200;
    o.scenarioGiven = true;
    o.frames = 3;
    o.screenshotPath = (dir / "offscreen.png").string();
    testing::internal::CaptureStderr();
    const int code = renderOffscreen(o);
    const std::string log = testing::internal::GetCapturedStderr();
    ASSERT_EQ(code, 0) << log;
    guitest::Png png;
    std::string error;
    ASSERT_TRUE(guitest::loadPng(o.screenshotPath, png, error)) << error;
    EXPECT_EQ(png.width, 1600);
    EXPECT_EQ(png.height, 1000);
    int x = 0, y = 0, w = 0, h = 0;
    ASSERT_TRUE(guitest::parseDeltaWRect(log, x, y, w, h)) << log;
    EXPECT_GE(w, 100);
    EXPECT_GE(h, 100);
    const guitest::RegionStats s = guitest::regionStats(png, x, y, w, h);
    EXPECT_GE(s.distinctColors, 50);
    EXPECT_GE(s.reddish, s.pixels / 20);
    EXPECT_GE(s.bluish, s.pixels / 20);
    // The top-left corner of the same image (menu bar) is not heatmap-coloured: the check can fail.
    const guitest::RegionStats menu = guitest::regionStats(png, 0, 0, 40, 10);
    EXPECT_EQ(menu.reddish, 0);
    fs::remove_all(dir);
}

TEST(Offscreen, UnwritablePathFailsWithExitCode1) {
    GuiOptions o;
    o.scenario.d = 4;
    o.scenario.k = 4;
    o.scenario.rank = 1;
    o.screenshotPath = "/nonexistent-dir/x.png";
    testing::internal::CaptureStderr();
    const int code = renderOffscreen(o);
    const std::string log = testing::internal::GetCapturedStderr();
    EXPECT_EQ(code, 1);
    EXPECT_NE(log.find("/nonexistent-dir"), std::string::npos) << log;
}

TEST(Offscreen, EdgeShapesKeepTheShortSideVisible) {
    // d = k = 2 at rank 1 and rank 2 = min(d, k); a tall thin 512×2 layer.
    const fs::path dir = fs::temp_directory_path() / ("loralab_edges_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    for (auto [d, k, r] : {std::tuple<int, int, int>{2, 2, 1}, {2, 2, 2}, {512, 2, 2}}) {
        GuiOptions o;
        o.scenario.d = d;
        o.scenario.k = k;
        o.scenario.rank = r;
        o.scenario.steps = 5;
        o.frames = 2;
        o.screenshotPath = (dir / "edge.png").string();
        testing::internal::CaptureStderr();
        const int code = renderOffscreen(o);
        const std::string log = testing::internal::GetCapturedStderr();
        EXPECT_EQ(code, 0) << d << "x" << k << " r" << r << ": " << log;
        int x = 0, y = 0, w = 0, h = 0;
        ASSERT_TRUE(guitest::parseDeltaWRect(log, x, y, w, h)) << log;
        EXPECT_GE(std::min(w, h), 60) << d << "x" << k;  // the short side stays visible
    }
    fs::remove_all(dir);
}

TEST(Offscreen, TinyWindowsSaveAPictureOfTheirOwnSize) {
    const fs::path dir = fs::temp_directory_path() / ("loralab_tiny_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    for (auto [w, h] : {std::pair<int, int>{640, 400}, {200, 120}, {8, 8}}) {
        GuiOptions o;
        o.scenario.d = 64;
        o.scenario.k = 64;
        o.scenario.rank = 64;  // rank min(d, k)
        o.frames = 3;
        const std::string path = (dir / "tiny.png").string();
        testing::internal::CaptureStderr();
        const int code = gui::runOffscreen(o, [&](gui::App& app, int frame, int frames) {
            if (frame == frames) app.requestScreenshot(path);
        }, w, h);
        const std::string log = testing::internal::GetCapturedStderr();
        ASSERT_EQ(code, 0) << w << "x" << h << ": " << log;
        guitest::Png png;
        std::string error;
        ASSERT_TRUE(guitest::loadPng(path, png, error)) << error;
        EXPECT_EQ(png.width, w);
        EXPECT_EQ(png.height, h);
    }
    fs::remove_all(dir);
}

TEST(Offscreen, ExportCurveSavesOnlyTheLossCurvePanel) {
    const fs::path dir = fs::temp_directory_path() / ("loralab_curve_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    GuiOptions o;
    o.scenario.d = 32;
    o.scenario.k = 32;
    o.scenario.rank = 2;
    o.scenario.steps = 150;
    o.frames = 4;
    const std::string curve = (dir / "curve.png").string();
    const std::string window = (dir / "window.png").string();
    testing::internal::CaptureStderr();
    const int code = gui::runOffscreen(o, [&](gui::App& app, int frame, int frames) {
        if (frame == 2) {
            app.setRank(6);  // a rank change, marked on the curve
            app.stepOnce();
        }
        if (frame == frames - 1) app.requestCurveExport(curve);
        if (frame == frames) app.requestScreenshot(window);
    });
    const std::string log = testing::internal::GetCapturedStderr();
    ASSERT_EQ(code, 0) << log;
    guitest::Png png, full;
    std::string error;
    ASSERT_TRUE(guitest::loadPng(curve, png, error)) << error;
    ASSERT_TRUE(guitest::loadPng(window, full, error)) << error;
    EXPECT_EQ(full.width, 1600);
    // The curve panel alone: smaller than the window, still big enough to read.
    EXPECT_LT(png.width, 1200);
    EXPECT_LT(png.height, 700);
    EXPECT_GT(png.width, 300);
    EXPECT_GT(png.height, 150);
    // It holds the orange loss curve (255, 190, 60) and no heatmap.
    long orange = 0;
    for (std::size_t i = 0; i + 3 < png.rgba.size(); i += 4)
        if (png.rgba[i] > 220 && png.rgba[i + 1] > 150 && png.rgba[i + 1] < 220 && png.rgba[i + 2] < 110) ++orange;
    EXPECT_GT(orange, 200);
    fs::remove_all(dir);
}

// --compare: the curve panel holds a curve per method in its colour (lora orange, full green,
// vera red), and the CSV export a column per method.
TEST(Offscreen, CompareDrawsACurvePerMethod) {
    const fs::path dir = fs::temp_directory_path() / ("loralab_compare_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    GuiOptions o;
    o.scenario.d = 24;
    o.scenario.k = 24;
    o.scenario.rank = 2;
    o.scenario.steps = 120;
    o.scenario.compare = {MethodKind::Lora, MethodKind::Full, MethodKind::Vera};
    o.frames = 3;
    const std::string curve = (dir / "curve.png").string(), csv = (dir / "curve.csv").string();
    testing::internal::CaptureStderr();
    const int code = gui::runOffscreen(o, [&](gui::App& app, int frame, int frames) {
        if (frame == frames - 1) {
            app.requestCurveExport(curve);
            app.exportCurveCsv(csv);
        }
    });
    const std::string log = testing::internal::GetCapturedStderr();
    ASSERT_EQ(code, 0) << log;
    guitest::Png png;
    std::string error;
    ASSERT_TRUE(guitest::loadPng(curve, png, error)) << error;
    auto count = [&](int r, int g, int b) {
        long n = 0;
        for (std::size_t i = 0; i + 3 < png.rgba.size(); i += 4)
            if (std::abs(png.rgba[i] - r) <= 12 && std::abs(png.rgba[i + 1] - g) <= 12 &&
                std::abs(png.rgba[i + 2] - b) <= 12)
                ++n;
        return n;
    };
    EXPECT_GT(count(255, 190, 60), 200) << "lora";
    EXPECT_GT(count(110, 220, 110), 200) << "full";
    EXPECT_GT(count(255, 110, 100), 200) << "vera";
    EXPECT_LT(count(235, 110, 235), 20) << "dora is not in the list";
    std::ifstream in(csv);
    std::string header;
    ASSERT_TRUE(std::getline(in, header)) << csv;
    EXPECT_EQ(header, "step,lora,full,vera,floor");
    fs::remove_all(dir);
}

}  // namespace
}  // namespace loralab
