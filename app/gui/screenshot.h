// Screenshots behind a small seam: capture the current GL framebuffer into bytes (GL), then
// write a PNG in a separate step (no GL), flipping rows (GL's origin is bottom-left).
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

namespace loralab::gui {

struct Image {
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgba;  // width·height·4 bytes, rows bottom-up as GL returns them
};

// Reads the rectangle (x, y, w, h) of the read framebuffer, in framebuffer pixels with the
// origin at the TOP-left (the rectangle is clipped to fbWidth×fbHeight). Needs a current
// context. Returns an empty image for an empty rectangle.
Image captureFramebuffer(int x, int y, int w, int h, int fbWidth, int fbHeight);

// Writes `image` as PNG (top row first) through the one output path (io/output_file.h).
// Returns false with `error` naming the path and what went wrong.
bool writePng(const std::string& path, const Image& image, std::string& error);

// "loralab-YYYYmmdd-HHMMSS.png" for the local time `t`, joined to `dir`. When that file exists,
// "-2", "-3", ... is added before ".png" so a second capture in the same second keeps the first.
std::string timestampedPath(const std::string& dir, std::time_t t);

}  // namespace loralab::gui
