#include "io/safetensors_header.h"

#include "loralab/csv.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace loralab {

namespace {

using nlohmann::json;

// As the reference implementation: a larger header is refused before it is read.
constexpr std::uint64_t kMaxHeaderBytes = 100u * 1024u * 1024u;

std::uint64_t getU64le(const std::string& in) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[static_cast<std::size_t>(i)])) << (8 * i);
    return v;
}

void putU64le(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}

// A JSON value for a message: one short line. Lists and objects are not dumped whole: a
// malformed header can nest them deeper than a recursive dump should go.
std::string shown(const json& value) {
    if (value.is_array()) {
        std::string s = "[";
        for (std::size_t i = 0; i < value.size() && i < 4; ++i)
            s += (i ? ", " : "") + (value[i].is_primitive() ? shown(value[i]) : std::string("…"));
        return s + (value.size() > 4 ? ", …]" : "]");
    }
    if (value.is_object()) return "{…}";
    std::string s = value.dump(-1, ' ', true, json::error_handler_t::replace);
    return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

// A tensor name for a message, cut short and on one line (a header can hold any string).
std::string messageName(const std::string& name) {
    std::string s = name.size() > 80 ? name.substr(0, 77) + "..." : name;
    for (char& c : s)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return s;
}

TensorInfo parseEntry(const std::string& name, const json& entry, std::uint64_t dataBytes,
                      const std::string& source) {
    auto bad = [&](const std::string& what) {
        return InputError(source + ": tensor '" + messageName(name) + "': " + what);
    };
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
        !entry.contains("data_offsets"))
        throw bad("needs dtype, shape and data_offsets");
    TensorInfo t;
    t.name = name;
    const json& dtype = entry["dtype"];
    if (!dtype.is_string()) throw bad("dtype " + shown(dtype) + " is not a string");
    t.dtype = dtype.get<std::string>();
    t.dtypeBytes = dtypeBytes(t.dtype);
    if (t.dtypeBytes == 0)
        throw bad("unknown dtype " + shown(dtype) +
                  "; known: F64, F32, F16, BF16, F8_E4M3, F8_E5M2, F8_E8M0, C64, I64, I32, I16, "
                  "I8, U64, U32, U16, U8, BOOL");
    const json& shape = entry["shape"];
    if (!shape.is_array()) throw bad("shape is not a list");
    // Checked products: a header may claim any shape; the bytes it needs must exist.
    std::uint64_t count = 1;
    bool overflow = false;
    for (const json& s : shape) {
        if (!s.is_number_unsigned())
            throw bad("shape " + shown(shape) + " has an entry that is not a non-negative integer");
        const auto dim = s.get<std::uint64_t>();
        if (dim > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            overflow = true;
        else if (dim != 0 && count > std::numeric_limits<std::uint64_t>::max() / dim)
            overflow = true;
        else
            count *= dim;
        t.shape.push_back(static_cast<std::int64_t>(
            std::min<std::uint64_t>(dim, std::numeric_limits<std::int64_t>::max())));
    }
    if (std::find(t.shape.begin(), t.shape.end(), 0) != t.shape.end()) {
        count = 0;
        overflow = false;
    }
    const auto width = static_cast<std::uint64_t>(t.dtypeBytes);
    if (overflow || count > dataBytes / width)
        throw bad("shape " + shown(shape) + " needs more bytes than the file's " +
                  std::to_string(dataBytes) + " data bytes");
    t.elements = static_cast<std::int64_t>(count);
    const json& offsets = entry["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned())
        throw bad("data_offsets " + shown(offsets) + " is not [begin, end]");
    t.begin = offsets[0].get<std::uint64_t>();
    t.end = offsets[1].get<std::uint64_t>();
    if (t.begin > t.end || t.end > dataBytes)
        throw bad("data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) +
                  "] outside the " + std::to_string(dataBytes) + " data bytes");
    if (t.end - t.begin != count * width)
        throw bad("data_offsets span " + std::to_string(t.end - t.begin) + " bytes, shape " +
                  shown(shape) + " of " + t.dtype + " needs " + std::to_string(count * width));
    return t;
}

}  // namespace

const TensorInfo* SafetensorsHeader::find(const std::string& name) const {
    const auto it = std::lower_bound(tensors.begin(), tensors.end(), name,
                                     [](const TensorInfo& t, const std::string& n) { return t.name < n; });
    return it != tensors.end() && it->name == name ? &*it : nullptr;
}

int dtypeBytes(const std::string& dtype) {
    static const std::map<std::string, int> sizes{
        {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E4M3", 1}, {"F8_E5M2", 1}, {"F8_E8M0", 1},
        {"I16", 2},  {"U16", 2}, {"F16", 2}, {"BF16", 2},    {"I32", 4},     {"U32", 4},
        {"F32", 4},  {"I64", 8}, {"U64", 8}, {"F64", 8},     {"C64", 8}};
    const auto it = sizes.find(dtype);
    return it == sizes.end() ? 0 : it->second;
}

SafetensorsHeader parseSafetensorsHeader(const std::string& prefix, std::uint64_t fileBytes,
                                         const std::string& source) {
    auto bad = [&](const std::string& what) { return InputError(source + ": " + what); };
    if (fileBytes < 8 || prefix.size() < 8)
        throw bad("too short for a safetensors file (" + std::to_string(fileBytes) + " bytes)");
    const std::uint64_t n = getU64le(prefix);
    if (n > kMaxHeaderBytes || n > fileBytes - 8)
        throw bad("header length " + std::to_string(n) + " exceeds the file (" +
                  std::to_string(fileBytes) + " bytes) or 100 MiB; not a safetensors file?");
    if (prefix.size() < 8 + n) throw bad("header cut short");
    json header;
    try {
        header = json::parse(prefix.begin() + 8, prefix.begin() + 8 + static_cast<std::ptrdiff_t>(n));
    } catch (const json::exception& e) {
        // nlohmann's message is one line: "[json.exception.parse_error.101] parse error at …".
        throw bad(std::string("header is not valid JSON: ") + e.what());
    }
    if (!header.is_object()) throw bad("header is not a JSON object");

    SafetensorsHeader h;
    h.dataOffset = 8 + n;
    h.dataBytes = fileBytes - 8 - n;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            if (!entry.is_object()) throw bad("__metadata__ is not an object");
            for (const auto& [key, value] : entry.items()) {
                if (!value.is_string()) throw bad("__metadata__." + key + " is not a string");
                h.metadata[key] = value.get<std::string>();
            }
            continue;
        }
        h.tensors.push_back(parseEntry(name, entry, h.dataBytes, source));
    }
    // The data must be covered exactly once: sorted by offset, each tensor starts where the
    // previous one ended.
    std::vector<const TensorInfo*> byOffset;
    for (const TensorInfo& t : h.tensors) byOffset.push_back(&t);
    std::sort(byOffset.begin(), byOffset.end(), [](const TensorInfo* a, const TensorInfo* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    std::uint64_t at = 0;
    for (const TensorInfo* t : byOffset) {
        if (t->begin < at)
            throw bad("tensor '" + messageName(t->name) + "' overlaps another at byte " + std::to_string(t->begin));
        if (t->begin > at) throw bad("tensor data leaves a gap at byte " + std::to_string(at));
        at = t->end;
    }
    if (at != h.dataBytes)
        throw bad("tensor data covers " + std::to_string(at) + " of " + std::to_string(h.dataBytes) +
                  " bytes");
    std::sort(h.tensors.begin(), h.tensors.end(),
              [](const TensorInfo& a, const TensorInfo& b) { return a.name < b.name; });
    return h;
}

SafetensorsHeader readSafetensorsHeader(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw InputError(path + ": is a folder, not a .safetensors file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open: " + std::strerror(errno));
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) throw InputError(path + ": cannot read its size: " + ec.message());
    std::string prefix(8, '\0');
    if (size >= 8 && in.read(prefix.data(), 8)) {
        const std::uint64_t n = getU64le(prefix);
        if (n <= kMaxHeaderBytes && n <= size - 8) {
            prefix.resize(8 + n);
            if (!in.read(prefix.data() + 8, static_cast<std::streamsize>(n)))
                throw InputError(path + ": cannot read the header: " + std::strerror(errno));
        }
    }
    return parseSafetensorsHeader(prefix, size, path);
}

std::string encodeSafetensorsHeader(const std::vector<TensorEntry>& tensors,
                                    const std::map<std::string, std::string>& metadata) {
    std::vector<const TensorEntry*> sorted;
    for (const TensorEntry& t : tensors) sorted.push_back(&t);
    std::sort(sorted.begin(), sorted.end(),
              [](const TensorEntry* a, const TensorEntry* b) { return a->name < b->name; });
    json header = json::object();
    std::uint64_t offset = 0;
    for (const TensorEntry* t : sorted) {
        if (t->name.empty() || t->name == "__metadata__")
            throw std::invalid_argument("safetensors: invalid tensor name '" + t->name + "'");
        if (header.contains(t->name))
            throw std::invalid_argument("safetensors: tensor '" + t->name + "' given twice");
        const int width = dtypeBytes(t->dtype);
        if (width == 0) throw std::invalid_argument("safetensors: unknown dtype '" + t->dtype + "'");
        std::uint64_t count = 1;
        for (std::int64_t s : t->shape) {
            if (s < 0) throw std::invalid_argument("safetensors: negative dimension in " + t->name);
            count *= static_cast<std::uint64_t>(s);
        }
        const std::uint64_t bytes = count * static_cast<std::uint64_t>(width);
        header[t->name] = {{"dtype", t->dtype}, {"shape", t->shape},
                           {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::string text = header.dump();
    while (text.size() % 8 != 0) text.push_back(' ');  // keeps the data 8-byte aligned
    std::string out;
    out.reserve(8 + text.size());
    putU64le(out, text.size());
    return out + text;
}

std::int64_t safetensorsFileBytes(const std::vector<TensorEntry>& tensors,
                                  const std::map<std::string, std::string>& metadata) {
    std::int64_t bytes = static_cast<std::int64_t>(encodeSafetensorsHeader(tensors, metadata).size());
    for (const TensorEntry& t : tensors) {
        std::int64_t n = dtypeBytes(t.dtype);
        for (std::int64_t s : t.shape) n *= s;
        bytes += n;
    }
    return bytes;
}

}  // namespace loralab
