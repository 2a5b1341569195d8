// PNG files (app/io/png_file.h): encodePng's bytes decode (stb_image, an independent reader) to
// the same pixels with row 0 at the top; sizes that do not match the pixels are refused; and
// writePngFile goes through the one output path (a folder is a usage error, a missing folder a
// failed write naming the path). Destination kinds are covered in test_output_file.cpp.
#include "io/png_file.h"

#include "io/output_file.h"

#include <gtest/gtest.h>

#include <stb_image.h>

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace {

// 4×2 RGBA: every byte different, so any flip, swap or shift shows.
std::vector<std::uint8_t> pixels() {
    std::vector<std::uint8_t> rgba(4 * 2 * 4);
    for (std::size_t i = 0; i < rgba.size(); ++i) rgba[i] = static_cast<std::uint8_t>(7 * i + 1);
    return rgba;
}

}  // namespace

TEST(PngFile, EncodedBytesDecodeToTheSamePixelsTopRowFirst) {
    const std::string png = loralab::encodePng(4, 2, pixels());
    ASSERT_EQ(png.substr(1, 3), "PNG");
    int w = 0, h = 0, c = 0;
    stbi_uc* px = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(png.data()),
                                        static_cast<int>(png.size()), &w, &h, &c, 4);
    ASSERT_NE(px, nullptr) << stbi_failure_reason();
    EXPECT_EQ(w, 4);
    EXPECT_EQ(h, 2);
    EXPECT_EQ(c, 4);
    EXPECT_EQ(std::vector<std::uint8_t>(px, px + 32), pixels());
    stbi_image_free(px);
}

TEST(PngFile, SizesThatDoNotMatchThePixelsAreRefused) {
    EXPECT_THROW(loralab::encodePng(3, 2, pixels()), std::invalid_argument);
    EXPECT_THROW(loralab::encodePng(0, 0, {}), std::invalid_argument);
    EXPECT_THROW(loralab::encodePng(-4, -2, pixels()), std::invalid_argument);
}

TEST(PngFile, WritesGoThroughTheOneOutputPath) {
    std::string pattern = (fs::temp_directory_path() / "loralab-png-XXXXXX").string();
    const fs::path dir = mkdtemp(pattern.data());
    EXPECT_THROW(loralab::writePngFile(dir.string(), 4, 2, pixels()), loralab::OutputPathError);
    const std::string missing = (dir / "no" / "x.png").string();
    try {
        loralab::writePngFile(missing, 4, 2, pixels());
        ADD_FAILURE() << "wrote into a missing folder";
    } catch (const loralab::IoError& e) {
        EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    }
    loralab::writePngFile((dir / "x.png").string(), 4, 2, pixels());
    EXPECT_EQ(fs::file_size(dir / "x.png"), loralab::encodePng(4, 2, pixels()).size());
    fs::remove_all(dir);
}
