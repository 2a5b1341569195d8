// Helpers for the GUI tests: read a PNG back and measure a region of it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace loralab::guitest {

struct Png {
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgba;  // top row first
};

// Reads a PNG with stb_image; false (and `error`) on failure.
bool loadPng(const std::string& path, Png& png, std::string& error);

struct RegionStats {
    long pixels = 0;
    long distinctColors = 0;
    long reddish = 0;  // clearly red: the positive side of the diverging map
    long bluish = 0;   // clearly blue: the negative side
};

// Stats of the rectangle (x, y, w, h), clipped to the image.
RegionStats regionStats(const Png& png, int x, int y, int w, int h);

// Parses "... deltaW heatmap at X,Y size WxH" from the app's screenshot report.
bool parseDeltaWRect(const std::string& log, int& x, int& y, int& w, int& h);

}  // namespace loralab::guitest
