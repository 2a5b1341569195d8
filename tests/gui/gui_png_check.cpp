// Checks a screenshot made by `loralab --screenshot` (used by the Xvfb window test):
//   gui_png_check FILE.png LOG WIDTH HEIGHT
// LOG is the app's stderr, which says where ΔW was drawn. Exit 0 when the PNG has the expected
// size and the ΔW heatmap area is coloured (many colours, both red and blue cells).
#include "png_checks.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
    using namespace loralab::guitest;
    if (argc != 5) {
        std::fprintf(stderr, "usage: gui_png_check FILE.png LOG WIDTH HEIGHT\n");
        return 2;
    }
    Png png;
    std::string error;
    if (!loadPng(argv[1], png, error)) {
        std::fprintf(stderr, "FAIL: %s\n", error.c_str());
        return 1;
    }
    const int wantW = std::stoi(argv[3]), wantH = std::stoi(argv[4]);
    if (png.width != wantW || png.height != wantH) {
        std::fprintf(stderr, "FAIL: %s is %dx%d, expected %dx%d\n", argv[1], png.width, png.height, wantW, wantH);
        return 1;
    }
    std::ifstream in(argv[2]);
    std::stringstream log;
    log << in.rdbuf();
    int x = 0, y = 0, w = 0, h = 0;
    if (!parseDeltaWRect(log.str(), x, y, w, h)) {
        std::fprintf(stderr, "FAIL: no 'deltaW heatmap at' line in %s:\n%s\n", argv[2], log.str().c_str());
        return 1;
    }
    const RegionStats s = regionStats(png, x, y, w, h);
    std::printf("deltaW region %d,%d %dx%d: %ld pixels, %ld colours, %ld red, %ld blue\n", x, y, w, h, s.pixels,
                s.distinctColors, s.reddish, s.bluish);
    if (w < 100 || h < 100) {
        std::fprintf(stderr, "FAIL: the ΔW heatmap is only %dx%d pixels\n", w, h);
        return 1;
    }
    if (s.distinctColors < 50 || s.reddish < s.pixels / 20 || s.bluish < s.pixels / 20) {
        std::fprintf(stderr, "FAIL: the ΔW heatmap area looks blank\n");
        return 1;
    }
    return 0;
}
