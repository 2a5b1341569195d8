// Target files (app/io/target_file.h): pictures become grayscale in [0, 1]; oversized or unknown
// pictures, JPEG Huffman tables stb_image would overrun and PNG chunks longer than the file,
// are refused before decoding. CSV
// targets are checked through the binary (tests/cli/test_cli_files.cpp) and the core's CSV
// reader in tests/core.
#include "io/target_file.h"

#include "../file_fixtures.h"
#include "loralab/csv.h"

#include <gtest/gtest.h>

#include <stb_image_write.h>

#include <cstdio>
#include <string>

namespace {

void appendBytes(void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

}  // namespace

TEST(TargetFile, PngPixelsBecomeUnitGray) {
    const unsigned char gray[6] = {0, 51, 102, 153, 204, 255};  // 3 wide, 2 high
    std::string png;
    ASSERT_NE(stbi_write_png_to_func(appendBytes, &png, 3, 2, 1, gray, 3), 0);
    const loralab::Matrix T = loralab::decodePicture(png, "mem.png");
    ASSERT_EQ(T.rows(), 2);
    ASSERT_EQ(T.cols(), 3);
    EXPECT_FLOAT_EQ(T(0, 0), 0.0f);
    EXPECT_FLOAT_EQ(T(0, 1), 0.2f);
    EXPECT_FLOAT_EQ(T(1, 0), 0.6f);
    EXPECT_FLOAT_EQ(T(1, 2), 1.0f);

    const unsigned char rgb[6] = {255, 255, 255, 0, 0, 0};  // white, black
    std::string color;
    ASSERT_NE(stbi_write_png_to_func(appendBytes, &color, 2, 1, 3, rgb, 6), 0);
    const loralab::Matrix C = loralab::decodePicture(color, "rgb.png");
    EXPECT_FLOAT_EQ(C(0, 0), 1.0f);
    EXPECT_FLOAT_EQ(C(0, 1), 0.0f);
}

TEST(TargetFile, OversizedPictureRefusedFromItsHeader) {
    const unsigned char gray[40] = {};
    std::string png;
    ASSERT_NE(stbi_write_png_to_func(appendBytes, &png, 20, 2, 1, gray, 20), 0);
    try {
        loralab::decodePicture(png, "wide.png", 16);
        ADD_FAILURE() << "accepted a 20-pixel-wide picture with a limit of 16";
    } catch (const loralab::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("20x2"), std::string::npos) << e.what();
    }
    EXPECT_THROW(loralab::decodePicture("GIF89a....", "x.gif"), loralab::InputError);
}

// A weight of a .safetensors file as the target: any of F32, F16, BF16, read as stored.
TEST(TargetFile, SafetensorsTensorByName) {
    const std::string path = ::testing::TempDir() + "/loralab_target.safetensors";
    const loralab::Matrix w = loralab::test::randomMatrix(6, 4, 9);
    loralab::test::writeBytes(path, loralab::test::safetensorsBytes(
                                        {{"model.layers.0.self_attn.q_proj.weight", "BF16", w},
                                         {"model.norm.weight", "F32", loralab::Matrix::Ones(1, 4)},
                                         {"big", "F16", loralab::Matrix::Zero(2, 9)}}));
    const loralab::Matrix T = loralab::loadTargetFile(path, "model.layers.0.self_attn.q_proj.weight");
    EXPECT_EQ(T, loralab::test::roundedTo(w, "BF16"));
    auto errorOf = [&](const std::string& tensor, loralab::Index maxDim = 8) {
        try {
            loralab::loadTargetFile(path, tensor, maxDim);
        } catch (const loralab::InputError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(errorOf("").find("needs --tensor"), std::string::npos);
    EXPECT_NE(errorOf("nope").find("no tensor 'nope'"), std::string::npos);
    EXPECT_NE(errorOf("big").find("1 to 8"), std::string::npos) << errorOf("big");
    EXPECT_NE(errorOf("big").find("2x9"), std::string::npos) << errorOf("big");
    EXPECT_EQ(loralab::loadTargetFile(path, "big").cols(), 9);
    std::remove(path.c_str());
}

// stb_image 2.27 allocates an IDAT chunk's declared length before reading it: a chunk that
// declares more bytes than the file has is refused first (found by fuzz_picture: 2 GiB).
TEST(TargetFile, PngChunkLongerThanTheFileIsRefusedBeforeStbReadsIt) {
    const unsigned char gray[6] = {0, 51, 102, 153, 204, 255};
    std::string png;
    ASSERT_NE(stbi_write_png_to_func(appendBytes, &png, 3, 2, 1, gray, 3), 0);
    const auto idat = png.find("IDAT");
    ASSERT_NE(idat, std::string::npos);
    png[idat - 4] = '\x40';  // the length's high byte: 1 GiB and more
    try {
        loralab::decodePicture(png, "long.png");
        ADD_FAILURE() << "accepted an IDAT chunk longer than the file";
    } catch (const loralab::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("long.png: corrupt PNG (chunk 'IDAT' declares 10737"),
                  std::string::npos) << e.what();
    }
}

TEST(TargetFile, JpegWithAnOverfullHuffmanTableIsRefusedBeforeStbReadsIt) {
    const unsigned char gray[64] = {10, 200, 30, 40};
    std::string jpeg;
    ASSERT_NE(stbi_write_jpg_to_func(appendBytes, &jpeg, 8, 8, 1, gray, 90), 0);
    EXPECT_NO_THROW(loralab::decodePicture(jpeg, "good.jpg"));
    // stb_image 2.27 writes past its tables when one table declares more than 256 codes.
    const auto dht = jpeg.find("\xff\xc4");
    ASSERT_NE(dht, std::string::npos);
    for (std::size_t i = 0; i < 16; ++i) jpeg[dht + 5 + i] = '\x20';  // 16 × 32 = 512 codes
    try {
        loralab::decodePicture(jpeg, "evil.jpg");
        ADD_FAILURE() << "accepted a Huffman table of 512 codes";
    } catch (const loralab::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("evil.jpg: corrupt JPEG (a Huffman table with 512 codes"),
                  std::string::npos) << e.what();
    }
    // A table cut by the end of the file: stb reads the missing counts as zeros, and so must
    // the check (255 + 255 = 510 codes).
    const std::string cut("\xff\xd8\xff\xc4\x01\x00\x00\xff\xff", 9);
    try {
        loralab::decodePicture(cut, "cut.jpg");
        ADD_FAILURE() << "accepted a cut Huffman table of 510 codes";
    } catch (const loralab::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("510 codes"), std::string::npos) << e.what();
    }
}
