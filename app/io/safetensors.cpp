#include "io/safetensors.h"

#include "io/atomic_file.h"
#include "loralab/input_error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace loralab {

namespace {

using nlohmann::json;

constexpr std::uint64_t kMaxHeaderBytes = 100u * 1024u * 1024u;  // as the reference reader

void putU64le(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}

std::uint64_t getU64le(const std::string& in) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
    return v;
}

void putF32le(std::string& out, float f) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &f, sizeof bits);
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xffu));
}

float getF32le(const unsigned char* p) {
    std::uint32_t bits = 0;
    for (int i = 0; i < 4; ++i) bits |= static_cast<std::uint32_t>(p[i]) << (8 * i);
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

std::uint64_t elementCount(const std::vector<std::int64_t>& shape) {
    std::uint64_t n = 1;
    for (std::int64_t s : shape) n *= static_cast<std::uint64_t>(s);
    return n;
}

}  // namespace

Tensor toTensor(const Matrix& m) {
    Tensor t;
    t.shape = {static_cast<std::int64_t>(m.rows()), static_cast<std::int64_t>(m.cols())};
    t.data.resize(static_cast<std::size_t>(m.size()));
    std::size_t i = 0;
    for (Index r = 0; r < m.rows(); ++r)
        for (Index c = 0; c < m.cols(); ++c) t.data[i++] = m(r, c);
    return t;
}

Matrix toMatrix(const Tensor& t) {
    if (t.shape.size() != 2)
        throw std::invalid_argument("tensor: expected 2 dimensions, got " +
                                    std::to_string(t.shape.size()));
    if (elementCount(t.shape) != t.data.size())
        throw std::invalid_argument("tensor: data size does not match its shape");
    Matrix m(t.shape[0], t.shape[1]);
    std::size_t i = 0;
    for (Index r = 0; r < m.rows(); ++r)
        for (Index c = 0; c < m.cols(); ++c) m(r, c) = t.data[i++];
    return m;
}

std::string encodeSafetensors(const SafetensorsFile& file) {
    json header = json::object();
    std::uint64_t offset = 0;
    for (const auto& [name, tensor] : file.tensors) {
        if (name.empty() || name == "__metadata__")
            throw std::invalid_argument("safetensors: invalid tensor name '" + name + "'");
        for (std::int64_t s : tensor.shape)
            if (s < 0) throw std::invalid_argument("safetensors: negative dimension in " + name);
        if (elementCount(tensor.shape) != tensor.data.size())
            throw std::invalid_argument("safetensors: " + name + " has " +
                                        std::to_string(tensor.data.size()) +
                                        " values, its shape needs " +
                                        std::to_string(elementCount(tensor.shape)));
        const std::uint64_t bytes = 4u * tensor.data.size();
        header[name] = {{"dtype", "F32"}, {"shape", tensor.shape},
                        {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    if (!file.metadata.empty()) header["__metadata__"] = file.metadata;
    std::string text = header.dump();
    while (text.size() % 8 != 0) text.push_back(' ');  // keeps the data 8-byte aligned

    std::string out;
    out.reserve(8 + text.size() + offset);
    putU64le(out, text.size());
    out += text;
    for (const auto& entry : file.tensors)
        for (float v : entry.second.data) putF32le(out, v);
    return out;
}

SafetensorsFile decodeSafetensors(const std::string& bytes, const std::string& source) {
    auto bad = [&](const std::string& what) { return InputError(source + ": " + what); };
    if (bytes.size() < 8) throw bad("too short for a safetensors file (" +
                                    std::to_string(bytes.size()) + " bytes)");
    const std::uint64_t headerLen = getU64le(bytes);
    if (headerLen > kMaxHeaderBytes || headerLen > bytes.size() - 8)
        throw bad("header length " + std::to_string(headerLen) + " exceeds the file (" +
                  std::to_string(bytes.size()) + " bytes)");
    json header;
    try {
        header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(headerLen));
    } catch (const json::parse_error& e) {
        throw bad(std::string("header is not valid JSON: ") + e.what());
    }
    if (!header.is_object()) throw bad("header is not a JSON object");

    const std::uint64_t dataSize = bytes.size() - 8 - headerLen;
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data()) + 8 + headerLen;
    SafetensorsFile file;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            if (!entry.is_object()) throw bad("__metadata__ is not an object");
            for (const auto& [key, value] : entry.items()) {
                if (!value.is_string()) throw bad("__metadata__." + key + " is not a string");
                file.metadata[key] = value.get<std::string>();
            }
            continue;
        }
        if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
            !entry.contains("data_offsets"))
            throw bad(name + ": needs dtype, shape and data_offsets");
        if (entry["dtype"] != "F32")
            throw bad(name + ": dtype " + entry["dtype"].dump() + " not supported (only F32)");
        Tensor t;
        const json& shape = entry["shape"];
        const json& offsets = entry["data_offsets"];
        if (!shape.is_array()) throw bad(name + ": shape is not an array");
        for (const json& s : shape) {
            if (!s.is_number_unsigned()) throw bad(name + ": shape has a non-integer entry");
            t.shape.push_back(s.get<std::int64_t>());
        }
        if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
            !offsets[1].is_number_unsigned())
            throw bad(name + ": data_offsets must be [begin, end]");
        const auto begin = offsets[0].get<std::uint64_t>();
        const auto end = offsets[1].get<std::uint64_t>();
        if (begin > end || end > dataSize)
            throw bad(name + ": data_offsets [" + std::to_string(begin) + ", " +
                      std::to_string(end) + "] outside the " + std::to_string(dataSize) +
                      " data bytes");
        std::uint64_t count = 1;
        for (std::int64_t s : t.shape) {
            if (s != 0 && count > (dataSize / 4) / static_cast<std::uint64_t>(s))
                throw bad(name + ": shape larger than the file");
            count *= static_cast<std::uint64_t>(s);
        }
        if (end - begin != 4 * count)
            throw bad(name + ": data_offsets span " + std::to_string(end - begin) +
                      " bytes, shape needs " + std::to_string(4 * count));
        t.data.resize(count);
        for (std::uint64_t i = 0; i < count; ++i) t.data[i] = getF32le(data + begin + 4 * i);
        ranges.emplace_back(begin, end);
        file.tensors.emplace(name, std::move(t));
    }
    // The data region must be covered exactly once, with no gaps or overlaps.
    std::sort(ranges.begin(), ranges.end());
    std::uint64_t at = 0;
    for (const auto& [begin, end] : ranges) {
        if (begin != at) throw bad("tensor data overlaps or leaves a gap at byte " + std::to_string(at));
        at = end;
    }
    if (at != dataSize)
        throw bad("tensor data covers " + std::to_string(at) + " of " + std::to_string(dataSize) +
                  " bytes");
    return file;
}

SafetensorsFile readSafetensors(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open safetensors file");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return decodeSafetensors(buffer.str(), path);
}

void writeSafetensors(const std::string& path, const SafetensorsFile& file) {
    writeFileAtomic(path, encodeSafetensors(file));
}

}  // namespace loralab
