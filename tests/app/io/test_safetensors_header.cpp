// safetensors headers (app/io/safetensors_header.h): every malformed header is refused with the
// file named and before anything is allocated for the data, and a header built for a file has
// exactly the size of the file the writer writes.
#include "io/safetensors_header.h"

#include "io/safetensors.h"
#include "loralab/csv.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

using namespace loralab;

namespace {

std::string withLength(const std::string& header, std::uint64_t length, std::size_t dataBytes) {
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<char>(length >> (8 * i));
    return bytes + header + std::string(dataBytes, '\0');
}

std::string file(const std::string& header, std::size_t dataBytes) {
    return withLength(header, header.size(), dataBytes);
}

std::string errorOf(const std::string& bytes) {
    try {
        parseSafetensorsHeader(bytes, bytes.size(), "m.safetensors");
    } catch (const InputError& e) {
        return e.what();
    }
    return "accepted";
}

}  // namespace

TEST(SafetensorsHeader, ListsTensorsWithoutTheirData) {
    const std::string bytes = file(R"({"__metadata__":{"format":"pt"},)"
                                   R"("w":{"dtype":"BF16","shape":[3,4],"data_offsets":[8,32]},)"
                                   R"("i":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})",
                                   32);
    const SafetensorsHeader h = parseSafetensorsHeader(bytes, bytes.size(), "m");
    ASSERT_EQ(h.tensors.size(), 2u);
    EXPECT_EQ(h.tensors[0].name, "i");  // sorted by name
    const TensorInfo* w = h.find("w");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->dtype, "BF16");
    EXPECT_EQ(w->elements, 12);
    EXPECT_EQ(w->shape, (std::vector<std::int64_t>{3, 4}));
    EXPECT_EQ(h.metadata.at("format"), "pt");
    EXPECT_EQ(h.dataBytes, 32u);
    EXPECT_EQ(h.find("nope"), nullptr);
}

TEST(SafetensorsHeader, RefusesEveryMalformedHeaderInOneLine) {
    const std::string t = R"("dtype":"F32","shape":[2],"data_offsets":[0,8])";
    const std::vector<std::pair<std::string, std::string>> cases{
        {std::string(5, '\0'), "too short"},
        {withLength("{}", 1u << 30, 0), "header length"},         // past the end of the file
        {withLength("{}", ~0ULL, 0), "header length"},             // absurd
        {withLength("{}", 200u << 20, 200), "header length"},      // over 100 MiB
        {file("{\"x\":{" + t + "}", 8), "not valid JSON"},
        {file("[]", 0), "not a JSON object"},
        {file(R"({"x":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}})", 8), "unknown dtype"},
        {file(R"({"x":{"dtype":3,"shape":[2],"data_offsets":[0,8]}})", 8), "not a string"},
        {file(R"({"x":{"dtype":"F32","shape":[2]}})", 8), "needs dtype, shape and data_offsets"},
        {file(R"({"x":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}})", 8), "non-negative integer"},
        {file(R"({"x":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", 8),
         "needs more bytes"},  // 2^64 values: the product overflows
        {file(R"({"x":{"dtype":"F32","shape":[18446744073709551615],"data_offsets":[0,8]}})", 8),
         "needs more bytes"},
        {file(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,80]}})", 8), "outside"},
        {file(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8), "outside"},
        {file(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", 8), "[begin, end]"},
        {file(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
              R"("y":{"dtype":"F32","shape":[2],"data_offsets":[2,10]}})", 12), "overlaps"},
        {file(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8), "gap"},
        {file(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 8), "covers 4 of 8"},
        {file(R"({"__metadata__":{"a":1}})", 0), "not a string"},
    };
    for (const auto& [bytes, expected] : cases) {
        const std::string e = errorOf(bytes);
        EXPECT_NE(e.find(expected), std::string::npos) << "expected '" << expected << "', got: " << e;
        EXPECT_NE(e.find("m.safetensors"), std::string::npos) << e;
        EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    }
}

TEST(SafetensorsHeader, BuiltHeaderHasTheWrittenFilesSize) {
    SafetensorsFile f;
    Matrix a(3, 5), b(7, 2);
    a.setConstant(1);
    b.setConstant(2);
    f.tensors["base_model.model.q_proj.lora_A.weight"] = toTensor(a);
    f.tensors["base_model.model.q_proj.lora_B.weight"] = toTensor(b);
    f.metadata["format"] = "pt";
    const std::string bytes = encodeSafetensors(f);
    const std::vector<TensorEntry> entries{{"base_model.model.q_proj.lora_B.weight", "F32", {7, 2}},
                                           {"base_model.model.q_proj.lora_A.weight", "F32", {3, 5}}};
    EXPECT_EQ(safetensorsFileBytes(entries, f.metadata), static_cast<std::int64_t>(bytes.size()));
    // In bf16 the data halves and the header differs only in the dtype names (same length).
    std::vector<TensorEntry> half = entries;
    for (TensorEntry& e : half) e.dtype = "BF16";
    const std::int64_t headerBytes = static_cast<std::int64_t>(encodeSafetensorsHeader(half, f.metadata).size());
    EXPECT_EQ(safetensorsFileBytes(half, f.metadata), headerBytes + 2 * (15 + 14));
    EXPECT_EQ(headerBytes % 8, 0);
    EXPECT_THROW(encodeSafetensorsHeader({{"x", "Q4", {1}}}, {}), std::invalid_argument);
    EXPECT_THROW(encodeSafetensorsHeader({{"x", "F32", {1}}, {"x", "F32", {1}}}, {}), std::invalid_argument);
}

TEST(SafetensorsHeader, ReadsOnlyTheHeaderOfAFile) {
    const std::string path = ::testing::TempDir() + "/loralab_header_only.safetensors";
    {
        // A header that promises 1 GiB of data, and a file that is 1 GiB long but sparse: the
        // header is read and checked without the data being touched.
        const std::string header = R"({"w":{"dtype":"F32","shape":[16384,16384],"data_offsets":[0,1073741824]}})";
        std::ofstream out(path, std::ios::binary);
        out << withLength(header, header.size(), 0);
        out.seekp(static_cast<std::streamoff>(8 + header.size() + (1u << 30) - 1));
        out.put('\0');
    }
    const SafetensorsHeader h = readSafetensorsHeader(path);
    EXPECT_EQ(h.find("w")->elements, 16384LL * 16384);
    std::remove(path.c_str());
    EXPECT_THROW(readSafetensorsHeader(path), InputError);  // gone: named, not a crash
}
