#include "io/png_file.h"

#include "io/output_file.h"

#include <stb_image_write.h>

#include <stdexcept>

namespace loralab {

namespace {

void appendBytes(void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                                static_cast<std::size_t>(size));
}

}  // namespace

std::string encodePng(int width, int height, const std::vector<std::uint8_t>& rgba) {
    if (width <= 0 || height <= 0 ||
        rgba.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 4)
        throw std::invalid_argument("PNG: empty image, or its pixels do not match " +
                                    std::to_string(width) + "x" + std::to_string(height));
    std::string bytes;
    if (!stbi_write_png_to_func(appendBytes, &bytes, width, height, 4, rgba.data(), width * 4))
        throw std::invalid_argument("PNG: stb_image_write could not encode the image");
    return bytes;
}

void writePngFile(const std::string& path, int width, int height,
                  const std::vector<std::uint8_t>& rgba) {
    writeOutputFile(path, encodePng(width, height, rgba));
}

}  // namespace loralab
