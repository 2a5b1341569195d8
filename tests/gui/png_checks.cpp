#include "png_checks.h"

#include <stb_image.h>

#include <algorithm>
#include <cstdio>
#include <unordered_set>

namespace loralab::guitest {

bool loadPng(const std::string& path, Png& png, std::string& error) {
    int w = 0, h = 0, channels = 0;
    unsigned char* data = stbi_load(path.c_str(), &w, &h, &channels, 4);
    if (!data) {
        error = "cannot read " + path + ": " + (stbi_failure_reason() ? stbi_failure_reason() : "?");
        return false;
    }
    png.width = w;
    png.height = h;
    png.rgba.assign(data, data + static_cast<std::size_t>(w) * h * 4);
    stbi_image_free(data);
    return true;
}

RegionStats regionStats(const Png& png, int x, int y, int w, int h) {
    RegionStats s;
    const int x0 = std::clamp(x, 0, png.width), x1 = std::clamp(x + w, 0, png.width);
    const int y0 = std::clamp(y, 0, png.height), y1 = std::clamp(y + h, 0, png.height);
    std::unordered_set<std::uint32_t> colors;
    for (int row = y0; row < y1; ++row)
        for (int col = x0; col < x1; ++col) {
            const std::uint8_t* p = &png.rgba[(static_cast<std::size_t>(row) * png.width + col) * 4];
            const int r = p[0], g = p[1], b = p[2];
            ++s.pixels;
            colors.insert(static_cast<std::uint32_t>(r << 16 | g << 8 | b));
            if (r > b + 40 && r > g + 20) ++s.reddish;
            if (b > r + 40) ++s.bluish;
        }
    s.distinctColors = static_cast<long>(colors.size());
    return s;
}

bool parseDeltaWRect(const std::string& log, int& x, int& y, int& w, int& h) {
    const auto at = log.find("deltaW heatmap at ");
    if (at == std::string::npos) return false;
    return std::sscanf(log.c_str() + at, "deltaW heatmap at %d,%d size %dx%d", &x, &y, &w, &h) == 4;
}

}  // namespace loralab::guitest
