// The safetensors format (app/io/safetensors.h): row-major tensors, exact little-endian bytes,
// and every malformed header refused with the file named.
#include "io/safetensors.h"

#include "loralab/csv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace {

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
        {handMade(good, 4), "needs more bytes"},
        {handMade(good, 12), "covers"},
        {handMade("{not json", 0), "not valid JSON"},
        {handMade(R"({"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", 8), "I64"},
        {handMade(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}})", 8), "needs 4"},
        {handMade(R"({"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8), "needs more bytes"},
        {handMade(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                  R"("y":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 8), "overlaps"},
        {handMade(R"({"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4), "not a non-negative integer"},
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

// F16 and BF16 tensors, little-endian, read as float: 1.0 is 00 3C in fp16 and 80 3F in bf16.
TEST(Safetensors, ReadsF16AndBf16) {
    const std::string header =
        R"({"b":{"dtype":"BF16","shape":[1,3],"data_offsets":[0,6]},)"
        R"("h":{"dtype":"F16","shape":[2,2],"data_offsets":[6,14]}})";
    std::string bytes = handMade(header, 0);
    // bf16: 1.0, -2.0, 3.140625 (0x4049)
    bytes += std::string("\x80\x3F\x00\xC0\x49\x40", 6);
    // fp16 row-major: 1.0, 2^-24 (the smallest subnormal), 65504 (the largest), -0.5
    bytes += std::string("\x00\x3C\x01\x00\xFF\x7B\x00\xB8", 8);
    const loralab::SafetensorsFile f = loralab::decodeSafetensors(bytes, "mem");
    EXPECT_EQ(f.tensors.at("b").data, (std::vector<float>{1.0f, -2.0f, 3.140625f}));
    const loralab::Matrix h = loralab::toMatrix(f.tensors.at("h"));
    EXPECT_EQ(h(0, 0), 1.0f);
    EXPECT_EQ(h(0, 1), std::ldexp(1.0f, -24));
    EXPECT_EQ(h(1, 0), 65504.0f);
    EXPECT_EQ(h(1, 1), -0.5f);
}

// One tensor by name from a file on disk: only that tensor, F32/F16/BF16, 2-D.
TEST(Safetensors, ReadsOneMatrixByName) {
    const std::string path = ::testing::TempDir() + "/loralab_one_matrix.safetensors";
    loralab::writeSafetensors(path, sample());
    const loralab::Matrix a = loralab::readSafetensorsMatrix(path, "a");
    ASSERT_EQ(a.rows(), 2);
    ASSERT_EQ(a.cols(), 3);
    EXPECT_EQ(a(1, 2), 6.0f);
    try {
        loralab::readSafetensorsMatrix(path, "missing");
        ADD_FAILURE() << "a missing tensor was accepted";
    } catch (const loralab::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("'a', 'b'"), std::string::npos) << e.what();  // what exists
    }
    std::remove(path.c_str());
}
