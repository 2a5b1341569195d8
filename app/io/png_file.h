// PNG files (stb_image_write), written through the one output path (output_file.h). Used for
// the window's screenshots and the loss-curve pictures.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace loralab {

// The PNG bytes of width×height RGBA pixels (4 bytes each, row 0 at the top). Throws
// std::invalid_argument when the size does not match or is empty.
std::string encodePng(int width, int height, const std::vector<std::uint8_t>& rgba);

// encodePng, then writeOutputFile. Throws IoError / OutputPathError (see output_file.h).
void writePngFile(const std::string& path, int width, int height,
                  const std::vector<std::uint8_t>& rgba);

}  // namespace loralab
