#include "io/target_file.h"

#include "io/input_file.h"
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

Matrix loadTargetFile(const std::string& path, Index maxDim) {
    const std::string bytes =
        readInputFile(path, kMaxTargetFileBytes, "--target-file to be a CSV, PNG or JPEG file");
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
