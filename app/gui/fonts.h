// Fonts for a projector: DejaVu Sans (Debian's fonts-dejavu-core) at a large size with Greek,
// math and arrow glyphs (Δ, Σ, σ, φ, ×, −, ≤, →, ᵀ), plus a bigger one for headline numbers.
// Falls back to ImGui's built-in font, scaled, when DejaVu is not installed.
#pragma once

#include <imgui.h>

namespace loralab::gui {

struct Fonts {
    ImFont* regular = nullptr;
    ImFont* big = nullptr;    // ~1.6× regular
    bool unicode = false;     // false: the fallback font (ASCII/Latin-1 only)
};

// Adds the fonts to the current ImGui context's atlas (before the backend builds it).
Fonts loadFonts(float sizePixels);

}  // namespace loralab::gui
