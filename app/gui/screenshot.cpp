#include "screenshot.h"

#include "gl.h"

#include "io/png_file.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace loralab::gui {

Image captureFramebuffer(int x, int y, int w, int h, int fbWidth, int fbHeight) {
    const int x0 = std::clamp(x, 0, fbWidth), x1 = std::clamp(x + w, 0, fbWidth);
    const int y0 = std::clamp(y, 0, fbHeight), y1 = std::clamp(y + h, 0, fbHeight);
    Image img;
    if (x1 <= x0 || y1 <= y0) return img;
    img.width = x1 - x0;
    img.height = y1 - y0;
    img.rgba.resize(static_cast<std::size_t>(img.width) * img.height * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(x0, fbHeight - y1, img.width, img.height, GL_RGBA, GL_UNSIGNED_BYTE, img.rgba.data());
    // The window's alpha is meaningless in a PNG: make it opaque.
    for (std::size_t i = 3; i < img.rgba.size(); i += 4) img.rgba[i] = 255;
    return img;
}

bool writePng(const std::string& path, const Image& image, std::string& error) {
    if (image.width <= 0 || image.height <= 0 ||
        image.rgba.size() != static_cast<std::size_t>(image.width) * image.height * 4) {
        error = "cannot write " + path + ": empty or malformed image";
        return false;
    }
    // GL gave the rows bottom-up; PNG stores them top-down.
    const std::size_t stride = static_cast<std::size_t>(image.width) * 4;
    std::vector<std::uint8_t> flipped(image.rgba.size());
    for (int row = 0; row < image.height; ++row)
        std::memcpy(flipped.data() + static_cast<std::size_t>(row) * stride,
                    image.rgba.data() + static_cast<std::size_t>(image.height - 1 - row) * stride, stride);
    try {
        writePngFile(path, image.width, image.height, flipped);
    } catch (const std::exception& e) {  // IoError, OutputPathError: shown in the status bar
        error = e.what();
        return false;
    }
    return true;
}

std::string timestampedPath(const std::string& dir, std::time_t t) {
    std::tm tm{};
    localtime_r(&t, &tm);
    char name[64];
    std::strftime(name, sizeof name, "loralab-%Y%m%d-%H%M%S.png", &tm);
    const std::filesystem::path base = dir.empty() ? std::filesystem::path(name) : std::filesystem::path(dir) / name;
    std::error_code ec;
    if (!std::filesystem::exists(base, ec)) return base.string();
    const std::string stem = base.string().substr(0, base.string().size() - 4);  // without ".png"
    for (int n = 2;; ++n) {
        const std::string candidate = stem + "-" + std::to_string(n) + ".png";
        if (!std::filesystem::exists(candidate, ec)) return candidate;
    }
}

}  // namespace loralab::gui
