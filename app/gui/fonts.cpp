#include "fonts.h"

#include <cstdio>

namespace loralab::gui {
namespace {

bool fileExists(const char* path) {
    if (FILE* f = std::fopen(path, "rb")) {
        std::fclose(f);
        return true;
    }
    return false;
}

}  // namespace

Fonts loadFonts(float size) {
    ImGuiIO& io = ImGui::GetIO();
    // Basic Latin + Latin-1, Greek, general punctuation (−, …), super/subscripts, arrows,
    // math operators, phonetic extensions (ᵀ is U+1D40).
    static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0370, 0x03FF, 0x1D00, 0x1D7F, 0x2000, 0x209F,
                                     0x2190, 0x21FF, 0x2200, 0x22FF, 0x25A0, 0x25FF, 0};
    static const char* candidates[] = {
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    };
    Fonts fonts;
    for (const char* path : candidates) {
        if (!fileExists(path)) continue;
        ImFontConfig config;
        config.OversampleH = 2;
        config.OversampleV = 1;
        fonts.regular = io.Fonts->AddFontFromFileTTF(path, size, &config, ranges);
        fonts.big = io.Fonts->AddFontFromFileTTF(path, size * 1.6f, &config, ranges);
        if (fonts.regular && fonts.big) {
            fonts.unicode = true;
            return fonts;
        }
    }
    ImFontConfig config;
    config.SizePixels = size;
    fonts.regular = io.Fonts->AddFontDefault(&config);
    config.SizePixels = size * 1.6f;
    fonts.big = io.Fonts->AddFontDefault(&config);
    return fonts;
}

}  // namespace loralab::gui
