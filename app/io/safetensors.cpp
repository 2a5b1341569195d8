#include "io/safetensors.h"

#include "io/atomic_file.h"
#include "loralab/half_float.h"
#include "loralab/input_error.h"

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace loralab {

namespace {

void putF32le(std::string& out, float f) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &f, sizeof bits);
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xffu));
}

std::uint64_t elementCount(const std::vector<std::int64_t>& shape) {
    std::uint64_t n = 1;
    for (std::int64_t s : shape) n *= static_cast<std::uint64_t>(s);
    return n;
}

// "'a', 'b', 'c' and 12 more": what a file does hold, for the message about a missing tensor.
std::string someNames(const SafetensorsHeader& h) {
    std::string out;
    const std::size_t shown = std::min<std::size_t>(h.tensors.size(), 3);
    for (std::size_t i = 0; i < shown; ++i) out += (i ? ", '" : "'") + h.tensors[i].name + "'";
    if (h.tensors.size() > shown) out += " and " + std::to_string(h.tensors.size() - shown) + " more";
    return h.tensors.empty() ? "no tensors" : out;
}

const TensorInfo& findTensor(const SafetensorsHeader& h, const std::string& name,
                             const std::string& path) {
    const TensorInfo* t = h.find(name);
    if (!t)
        throw InputError(path + ": no tensor '" + name + "'; it holds " + someNames(h) +
                         " (list them: loralab --inspect " + path + ")");
    return *t;
}

Tensor decodeTensor(const TensorInfo& info, const unsigned char* bytes, const std::string& source) {
    Tensor t;
    t.shape = info.shape;
    t.data = decodeFloats(bytes, static_cast<std::size_t>(info.elements), info.dtype,
                          source + ": tensor '" + info.name + "'");
    return t;
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
    // The row-major data read as a column-major cols×rows matrix is the transpose.
    return Eigen::Map<const Matrix>(t.data.data(), t.shape[1], t.shape[0]).transpose();
}

std::vector<float> decodeFloats(const unsigned char* p, std::size_t count, const std::string& dtype,
                                const std::string& what) {
    std::vector<float> out(count);
    if (dtype == "F32") {
        for (std::size_t i = 0; i < count; ++i, p += 4) {
            const std::uint32_t bits = static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
                                       static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
            std::memcpy(&out[i], &bits, sizeof bits);
        }
    } else if (dtype == "F16" || dtype == "BF16") {
        const bool half = dtype == "F16";
        for (std::size_t i = 0; i < count; ++i, p += 2) {
            const auto bits = static_cast<std::uint16_t>(p[0] | p[1] << 8);
            out[i] = half ? fp16ToFloat(bits) : bf16ToFloat(bits);
        }
    } else {
        throw InputError(what + ": dtype " + dtype + " is not supported here; allowed: F32, F16, BF16");
    }
    return out;
}

std::string encodeSafetensors(const SafetensorsFile& file) {
    std::vector<TensorEntry> entries;
    std::uint64_t dataBytes = 0;
    for (const auto& [name, tensor] : file.tensors) {
        for (std::int64_t s : tensor.shape)
            if (s < 0) throw std::invalid_argument("safetensors: negative dimension in " + name);
        if (elementCount(tensor.shape) != tensor.data.size())
            throw std::invalid_argument("safetensors: " + name + " has " +
                                        std::to_string(tensor.data.size()) +
                                        " values, its shape needs " +
                                        std::to_string(elementCount(tensor.shape)));
        entries.push_back({name, "F32", tensor.shape});
        dataBytes += 4u * tensor.data.size();
    }
    std::string out = encodeSafetensorsHeader(entries, file.metadata);
    out.reserve(out.size() + dataBytes);
    for (const auto& entry : file.tensors)  // name order, as the header lays them out
        for (float v : entry.second.data) putF32le(out, v);
    return out;
}

SafetensorsFile decodeSafetensors(const std::string& bytes, const std::string& source) {
    const SafetensorsHeader h = parseSafetensorsHeader(bytes, bytes.size(), source);
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data()) + h.dataOffset;
    SafetensorsFile file;
    file.metadata = h.metadata;
    for (const TensorInfo& info : h.tensors)
        file.tensors.emplace(info.name, decodeTensor(info, data + info.begin, source));
    return file;
}

SafetensorsFile readSafetensors(const std::string& path) {
    SafetensorsReader reader(path);
    SafetensorsFile file;
    file.metadata = reader.header().metadata;
    for (const TensorInfo& info : reader.header().tensors)
        file.tensors.emplace(info.name, reader.readTensor(info.name));
    return file;
}

void writeSafetensors(const std::string& path, const SafetensorsFile& file) {
    writeFileAtomic(path, encodeSafetensors(file));
}

SafetensorsReader::SafetensorsReader(const std::string& path)
    : m_path(path), m_header(readSafetensorsHeader(path)), m_in(path, std::ios::binary) {
    if (!m_in) throw InputError(path + ": cannot open: " + std::strerror(errno));
}

Tensor SafetensorsReader::readTensor(const std::string& name) {
    const TensorInfo& info = findTensor(m_header, name, m_path);
    if (info.dtype != "F32" && info.dtype != "F16" && info.dtype != "BF16")
        throw InputError(m_path + ": tensor '" + name + "': dtype " + info.dtype +
                         " is not supported here; allowed: F32, F16, BF16");
    std::string bytes(static_cast<std::size_t>(info.end - info.begin), '\0');
    m_in.clear();
    m_in.seekg(static_cast<std::streamoff>(m_header.dataOffset + info.begin));
    if (!m_in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
        throw InputError(m_path + ": tensor '" + name + "': the file ends before its data");
    return decodeTensor(info, reinterpret_cast<const unsigned char*>(bytes.data()), m_path);
}

Matrix SafetensorsReader::readMatrix(const std::string& name) {
    const TensorInfo& info = findTensor(m_header, name, m_path);
    if (info.shape.size() != 2)
        throw InputError(m_path + ": tensor '" + name + "' has " + std::to_string(info.shape.size()) +
                         " dimensions; a matrix needs 2");
    return toMatrix(readTensor(name));
}

Matrix readSafetensorsMatrix(const std::string& path, const std::string& name) {
    SafetensorsReader reader(path);
    return reader.readMatrix(name);
}

}  // namespace loralab
