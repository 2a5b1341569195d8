#include "io/target_file.h"

#include "io/input_file.h"
#include "io/safetensors.h"
#include "loralab/csv.h"

#include <stb_image.h>

#include <cctype>
#include <cstring>
#include <limits>
#include <memory>

namespace loralab {

namespace {

bool startsWith(const std::string& s, const char* prefix, std::size_t n) {
    return s.size() >= n && std::memcmp(s.data(), prefix, n) == 0;
}

bool looksLikePicture(const std::string& bytes) {
    return startsWith(bytes, "\x89PNG\r\n\x1a\n", 8) || startsWith(bytes, "\xff\xd8\xff", 3);
}

std::string lowerExtension(const std::string& path) {
    const auto slash = path.find_last_of('/');
    const auto dot = path.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
    std::string ext = path.substr(dot + 1);
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

std::size_t be16(const std::string& b, std::size_t at) {
    return static_cast<std::size_t>(static_cast<unsigned char>(b[at])) << 8 |
           static_cast<unsigned char>(b[at + 1]);
}

// stb_image 2.27 (Debian 12) trusts the code counts of a JPEG Huffman table: more than 256
// codes in one table overrun its arrays (fixed upstream in 2.28). Such tables are refused here,
// before stb sees them. Walks every marker segment, also those between progressive scans.
void checkJpegHuffmanTables(const std::string& b, const std::string& source) {
    std::size_t at = 2;  // after SOI
    while (at + 4 <= b.size()) {
        const auto marker = static_cast<unsigned char>(b[at + 1]);
        if (static_cast<unsigned char>(b[at]) != 0xFF || marker == 0xFF) {
            ++at;  // entropy-coded data, or fill bytes before a marker
            continue;
        }
        if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            at += 2;  // stuffed 0xFF, TEM, RSTn: no length follows
            continue;
        }
        if (marker == 0xD9) return;  // EOI
        const std::size_t length = be16(b, at + 2);
        if (marker == 0xC4) {
            // As stb reads: tables while the declared length lasts, zeros past the file's end.
            auto byteAt = [&](std::size_t i) { return i < b.size() ? static_cast<unsigned char>(b[i]) : 0u; };
            for (std::size_t table = at + 4; table < at + 2 + length && table < b.size();) {
                std::size_t codes = 0;
                for (std::size_t i = 1; i <= 16; ++i) codes += byteAt(table + i);
                if (codes > 256)
                    throw InputError(source + ": corrupt JPEG (a Huffman table with " +
                                     std::to_string(codes) + " codes; at most 256)");
                table += 17 + codes;
            }
        }
        at += 2 + length;
    }
}

// stb_image 2.27 grows its IDAT buffer to a chunk's declared length before reading the chunk:
// a 100-byte file declaring a 1 GiB chunk makes it allocate 2 GiB, then fail. Chunks whose
// declared length runs past the file's end are refused here, before stb sees them.
void checkPngChunks(const std::string& b, const std::string& source) {
    std::size_t at = 8;  // after the signature
    while (at + 8 <= b.size()) {
        const std::size_t length = be16(b, at) << 16 | be16(b, at + 2);
        const std::string type = b.substr(at + 4, 4);
        if (length > b.size() - at - 8)
            throw InputError(source + ": corrupt PNG (chunk '" + type + "' declares " +
                             std::to_string(length) + " bytes; " + std::to_string(b.size() - at - 8) +
                             " remain)");
        if (type == "IEND") return;
        at += 12 + length;  // length, type, data, CRC
    }
}

// Larger files cannot hold a kMaxTargetFileDim² target in any sensible encoding.
constexpr std::uintmax_t kMaxTargetFileBytes = std::uintmax_t(1) << 30;

}  // namespace

Matrix decodePicture(const std::string& bytes, const std::string& source, Index maxDim) {
    if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw InputError(source + ": picture file too large");
    const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
    const int size = static_cast<int>(bytes.size());
    // stb_image knows many formats; only the two this program promises reach its decoders.
    if (!looksLikePicture(bytes))
        throw InputError(source + ": not a PNG or JPEG picture (its first bytes are neither)");
    if (startsWith(bytes, "\xff\xd8\xff", 3)) checkJpegHuffmanTables(bytes, source);
    else checkPngChunks(bytes, source);
    int width = 0, height = 0, channels = 0;
    // Check the dimensions before decoding, so an absurd header is refused before allocating.
    if (!stbi_info_from_memory(data, size, &width, &height, &channels))
        throw InputError(source + ": not a readable PNG or JPEG picture (" +
                         std::string(stbi_failure_reason()) + ")");
    if (width < 1 || height < 1 || width > maxDim || height > maxDim)
        throw InputError(source + ": picture is " + std::to_string(width) + "x" +
                         std::to_string(height) + " pixels; allowed: 1 to " +
                         std::to_string(maxDim) + " in each direction");
    std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
        stbi_load_from_memory(data, size, &width, &height, &channels, 1), stbi_image_free);
    if (!pixels)
        throw InputError(source + ": cannot decode picture (" +
                         std::string(stbi_failure_reason()) + ")");
    Matrix T(height, width);
    const stbi_uc* p = pixels.get();
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            T(y, x) = static_cast<float>(p[static_cast<std::size_t>(y) * width + x]) / 255.0f;
    return T;
}

bool isSafetensorsPath(const std::string& path) { return lowerExtension(path) == "safetensors"; }

namespace {

Matrix loadWeightTensor(const std::string& path, const std::string& tensor, Index maxDim) {
    if (tensor.empty())
        throw InputError(path + ": a .safetensors target needs --tensor NAME (list them: loralab --inspect " +
                         path + ")");
    SafetensorsReader reader(path);
    const TensorInfo* info = reader.header().find(tensor);
    // The shape is checked before any data is read: a 4096×11008 weight is refused, not loaded.
    if (info && info->shape.size() == 2 &&
        (info->shape[0] < 1 || info->shape[1] < 1 || info->shape[0] > maxDim || info->shape[1] > maxDim))
        throw InputError(path + ": tensor '" + tensor + "' is " + std::to_string(info->shape[0]) + "x" +
                         std::to_string(info->shape[1]) + "; a target may be 1 to " + std::to_string(maxDim) +
                         " in each direction (the fit keeps its full SVD)");
    Matrix T = reader.readMatrix(tensor);
    if (!allFinite(T)) throw InputError(path + ": tensor '" + tensor + "' has non-finite values (inf or NaN)");
    return T;
}

}  // namespace

Matrix loadTargetFile(const std::string& path, const std::string& tensor, Index maxDim) {
    if (isSafetensorsPath(path)) return loadWeightTensor(path, tensor, maxDim);
    const std::string bytes = readInputFile(
        path, kMaxTargetFileBytes, "a CSV, PNG, JPEG or .safetensors file");
    const std::string name = inputName(path);
    const std::string ext = lowerExtension(path);
    const bool pictureName = ext == "png" || ext == "jpg" || ext == "jpeg";
    if (looksLikePicture(bytes) || pictureName) return decodePicture(bytes, name, maxDim);
    CsvLimits limits;
    limits.maxRows = maxDim;
    limits.maxCols = maxDim;
    return parseCsvMatrix(bytes, name, limits);
}

}  // namespace loralab
