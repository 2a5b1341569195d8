// The app's file code and value parsing, without running the binary.
#include "cli/value_parse.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "io/target_file.h"
#include "loralab/csv.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stb_image_write.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {

struct ScratchDir {
    fs::path path;
    ScratchDir() {
        std::string pattern = (fs::temp_directory_path() / "loralab-io-XXXXXX").string();
        path = mkdtemp(pattern.data());
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::size_t count() const {
        return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), {}));
    }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

loralab::SafetensorsFile sample() {
    loralab::Matrix a(2, 3);
    a << 1, 2, 3, 4, 5, 6;
    loralab::Matrix b(3, 1);
    b << -1.5f, 0.25f, 1e-20f;
    loralab::SafetensorsFile f;
    f.tensors["a"] = loralab::toTensor(a);
    f.tensors["b"] = loralab::toTensor(b);
    f.metadata["format"] = "pt";
    return f;
}

void putU64(std::string& bytes, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<char>(v >> (8 * i));
}

// A file with a hand-written header and `dataBytes` zero bytes of data.
std::string handMade(const std::string& header, std::size_t dataBytes) {
    std::string bytes(8, '\0');
    putU64(bytes, header.size());
    return bytes + header + std::string(dataBytes, '\0');
}

}  // namespace

// ---- safetensors ----------------------------------------------------------------------------

TEST(Safetensors, TensorIsRowMajor) {
    loralab::Matrix m(2, 3);
    m << 1, 2, 3, 4, 5, 6;
    const loralab::Tensor t = loralab::toTensor(m);
    EXPECT_EQ(t.shape, (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(t.data, (std::vector<float>{1, 2, 3, 4, 5, 6}));
    EXPECT_TRUE(loralab::toMatrix(t).isApprox(m));
}

TEST(Safetensors, RoundTripKeepsValuesAndMetadata) {
    const auto f = sample();
    const std::string bytes = loralab::encodeSafetensors(f);
    std::uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= std::uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
    EXPECT_EQ(n % 8, 0u);  // data stays aligned
    EXPECT_EQ(bytes.size(), 8 + n + 4 * (6 + 3));
    // Little-endian float32: 1.0f is 00 00 80 3f, first in "a" (names sort, "a" < "b").
    EXPECT_EQ(bytes.substr(8 + n, 4), std::string("\x00\x00\x80\x3f", 4));
    const auto back = loralab::decodeSafetensors(bytes, "mem");
    EXPECT_EQ(back.tensors.at("a").data, f.tensors.at("a").data);
    EXPECT_EQ(back.tensors.at("b").data, f.tensors.at("b").data);
    EXPECT_EQ(back.tensors.at("b").shape, (std::vector<std::int64_t>{3, 1}));
    EXPECT_EQ(back.metadata.at("format"), "pt");
}

TEST(Safetensors, RejectsMalformedFiles) {
    const std::string good = R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    EXPECT_NO_THROW(loralab::decodeSafetensors(handMade(good, 8), "ok"));
    const std::vector<std::pair<std::string, std::string>> cases{
        {std::string("\x05\x00\x00", 3), "too short"},
        {handMade(good, 4), "outside"},
        {handMade(good, 12), "covers"},
        {handMade("{not json", 0), "not valid JSON"},
        {handMade(R"({"x":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", 4), "F16"},
        {handMade(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}})", 8), "shape needs"},
        {handMade(R"({"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8), "larger than the file"},
        {handMade(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                  R"("y":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 8), "overlaps"},
        {handMade(R"({"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4), "non-integer"},
        {handMade(R"([1,2])", 0), "not a JSON object"},
    };
    for (const auto& [bytes, expected] : cases) {
        try {
            loralab::decodeSafetensors(bytes, "bad.safetensors");
            ADD_FAILURE() << "accepted; expected an error with: " << expected;
        } catch (const loralab::InputError& e) {
            EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("bad.safetensors"), std::string::npos);
        }
    }
    std::string hugeHeader(8, '\0');
    putU64(hugeHeader, ~0ULL);
    EXPECT_THROW(loralab::decodeSafetensors(hugeHeader, "x"), loralab::InputError);
}

TEST(Safetensors, AdapterConfigFields) {
    loralab::Factors f;
    f.B = loralab::Matrix::Zero(5, 3);
    f.A = loralab::Matrix::Zero(3, 7);
    f.alpha = 6;
    f.rslora = true;
    const auto j = nlohmann::json::parse(loralab::adapterConfigJson("v_proj", f));
    EXPECT_EQ(j["peft_type"], "LORA");
    EXPECT_EQ(j["r"], 3);
    EXPECT_EQ(j["lora_alpha"], 6);
    EXPECT_TRUE(j["lora_alpha"].is_number_integer());
    EXPECT_EQ(j["use_rslora"], true);
    EXPECT_EQ(j["target_modules"], nlohmann::json::array({"v_proj"}));
    EXPECT_EQ(j["init_lora_weights"], true);
    f.alpha = 2.5;
    EXPECT_EQ(nlohmann::json::parse(loralab::adapterConfigJson("v", f))["lora_alpha"], 2.5);
}

TEST(Safetensors, ModuleNames) {
    EXPECT_TRUE(loralab::isValidModuleName("layers.0.self_attn.q_proj"));
    EXPECT_FALSE(loralab::isValidModuleName(""));
    EXPECT_FALSE(loralab::isValidModuleName("a b"));
    EXPECT_FALSE(loralab::isValidModuleName("../x"));
    EXPECT_EQ(loralab::adapterTensorName("q", 'B'), "base_model.model.q.lora_B.weight");
}

// ---- atomic files -----------------------------------------------------------------------------

TEST(AtomicFile, CommitWritesUncommittedLeavesNothing) {
    ScratchDir dir;
    const fs::path target = dir.path / "out.txt";
    {
        loralab::OutputFile f(target.string());
        f.write("hello");
        f.flush();
        EXPECT_FALSE(fs::exists(target));  // not visible before commit
        EXPECT_EQ(dir.count(), 1u);        // only the temporary
        f.commit();
    }
    EXPECT_EQ(slurp(target), "hello");
    {
        loralab::OutputFile f(target.string());
        f.write("half of a new versi");
        f.flush();
    }  // abandoned: the old file stays, the temporary is gone
    EXPECT_EQ(slurp(target), "hello");
    EXPECT_EQ(dir.count(), 1u);
}

TEST(AtomicFile, ErrorsNameThePath) {
    ScratchDir dir;
    const std::string missing = (dir.path / "nope" / "x.csv").string();
    try {
        loralab::OutputFile f(missing);
        ADD_FAILURE() << "opened a file in a missing folder";
    } catch (const loralab::IoError& e) {
        EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    }
    EXPECT_THROW(loralab::writeFileAtomic(dir.path.string(), "x"), loralab::OutputPathError);
    EXPECT_EQ(dir.count(), 0u);
    EXPECT_THROW(loralab::ensureDirectory(""), loralab::IoError);
    loralab::writeFileAtomic((dir.path / "file").string(), "x");
    EXPECT_THROW(loralab::ensureDirectory((dir.path / "file").string()), loralab::IoError);
    EXPECT_NO_THROW(loralab::ensureDirectory((dir.path / "a" / "b").string()));
    EXPECT_TRUE(fs::is_directory(dir.path / "a" / "b"));
}

// ---- pictures -----------------------------------------------------------------------------------

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

// ---- command-line values ------------------------------------------------------------------------

TEST(ValueParse, IntegersAreStrict) {
    long long v = 0;
    EXPECT_EQ(loralab::cli::parseInteger("4096", v), "");
    EXPECT_EQ(v, 4096);
    EXPECT_EQ(loralab::cli::parseInteger("-7", v), "");
    EXPECT_EQ(v, -7);
    for (const char* bad : {"", "abc", "4k", " 5", "5 ", "1e3", "2.5", "0x10", "-", "nan", "1,2"})
        EXPECT_NE(loralab::cli::parseInteger(bad, v), "") << bad;
    EXPECT_NE(loralab::cli::parseInteger("99999999999999999999", v).find("too large"), std::string::npos);
}

TEST(ValueParse, RealsAreFinite) {
    double x = 0;
    EXPECT_EQ(loralab::cli::parseReal("1e-3", x), "");
    EXPECT_DOUBLE_EQ(x, 1e-3);
    EXPECT_EQ(loralab::cli::parseReal("-2.5", x), "");
    for (const char* bad : {"", "nan", "NaN", "inf", "-Infinity", "1e999", "0x1p3", "1.0f", " 1"})
        EXPECT_NE(loralab::cli::parseReal(bad, x), "") << bad;
}

TEST(ValueParse, IntegerLists) {
    std::vector<long long> v;
    EXPECT_EQ(loralab::cli::parseIntegerList("1,4,16", v), "");
    EXPECT_EQ(v, (std::vector<long long>{1, 4, 16}));
    for (const char* bad : {"", ",", "1,", ",1", "1,,2", "1;2", "a"})
        EXPECT_NE(loralab::cli::parseIntegerList(bad, v), "") << bad;
}
