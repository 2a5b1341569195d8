#include "io/target_file.h"

#include "io/safetensors.h"
#include "loralab/csv.h"

#include <stb_image.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>

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

// Larger files cannot hold a kMaxTargetFileDim² target in any sensible encoding.
constexpr std::uintmax_t kMaxTargetFileBytes = std::uintmax_t(1) << 30;

std::string readWholeFile(const std::string& path) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (std::filesystem::is_directory(status))
        throw InputError(path + ": is a folder; --target-file needs a CSV, PNG, JPEG or .safetensors file");
    if (std::filesystem::is_regular_file(status) &&
        std::filesystem::file_size(path, ec) > kMaxTargetFileBytes)
        throw InputError(path + ": file is larger than 1 GiB; not a target this program can fit");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open target file: " + std::strerror(errno));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw InputError(path + ": cannot read target file: " + std::strerror(errno));
    return buffer.str();
}

}  // namespace

Matrix decodePicture(const std::string& bytes, const std::string& source, Index maxDim) {
    if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw InputError(source + ": picture file too large");
    const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
    const int size = static_cast<int>(bytes.size());
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
    const std::string bytes = readWholeFile(path);
    const std::string ext = lowerExtension(path);
    const bool pictureName = ext == "png" || ext == "jpg" || ext == "jpeg";
    if (looksLikePicture(bytes) || pictureName) return decodePicture(bytes, path, maxDim);
    CsvLimits limits;
    limits.maxRows = maxDim;
    limits.maxCols = maxDim;
    return parseCsvMatrix(bytes, path, limits);
}

}  // namespace loralab
