// PNG writing behind the GL seam (app/gui/screenshot.h): rows flipped from GL's order, written
// atomically, errors that name the path, and timestamped names that never overwrite.
#include "png_checks.h"
#include "screenshot.h"

#include "temp_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

namespace loralab::gui {
namespace {

namespace fs = std::filesystem;

using guitest::tempDir;

TEST(Screenshot, WritesPngFlippedFromGlOrder) {
    const fs::path dir = tempDir("png");
    Image img;
    img.width = 3;
    img.height = 2;
    // GL order: row 0 is the BOTTOM row. Bottom red, top blue.
    img.rgba = {255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255,
                0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255};
    const std::string path = (dir / "x.png").string();
    std::string error;
    ASSERT_TRUE(writePng(path, img, error)) << error;
    guitest::Png png;
    ASSERT_TRUE(guitest::loadPng(path, png, error)) << error;
    EXPECT_EQ(png.width, 3);
    EXPECT_EQ(png.height, 2);
    EXPECT_EQ(png.rgba[2], 255);  // top-left pixel of the file: blue
    EXPECT_EQ(png.rgba[0], 0);
    EXPECT_EQ(png.rgba[3 * 4 + 0], 255);  // bottom-left: red
    // No temp file left behind.
    int files = 0;
    for (const auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
    EXPECT_EQ(files, 1);
    fs::remove_all(dir);
}

TEST(Screenshot, ErrorsNameThePath) {
    Image img;
    img.width = img.height = 1;
    img.rgba = {1, 2, 3, 255};
    std::string error;
    EXPECT_FALSE(writePng("/nonexistent-dir/x.png", img, error));
    EXPECT_NE(error.find("/nonexistent-dir"), std::string::npos) << error;
    Image empty;
    EXPECT_FALSE(writePng("/tmp/empty.png", empty, error));
}

TEST(Screenshot, TimestampedName) {
    const fs::path dir = tempDir("names");
    const std::string p = timestampedPath(dir.string(), 0);
    EXPECT_TRUE(std::regex_match(fs::path(p).filename().string(), std::regex(R"(loralab-\d{8}-\d{6}\.png)"))) << p;
    std::ofstream(p) << "taken";
    const std::string second = timestampedPath(dir.string(), 0);
    EXPECT_EQ(second, p.substr(0, p.size() - 4) + "-2.png");
    fs::remove_all(dir);
}

}  // namespace
}  // namespace loralab::gui
