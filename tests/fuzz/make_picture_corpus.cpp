// Writes the picture fuzzer's seed corpus: tiny real PNG and JPEG files made with
// stb_image_write (gray, gray+alpha, RGB, RGBA; several sizes and JPEG qualities).
//   make_picture_corpus DIR
#include <stb_image_write.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

std::vector<unsigned char> pattern(int w, int h, int channels) {
    std::vector<unsigned char> px(static_cast<std::size_t>(w) * h * channels);
    for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<unsigned char>((i * 37 + i / 7) % 256);
    return px;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_picture_corpus DIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    struct Shape { int w, h, channels; };
    const Shape shapes[] = {{1, 1, 1}, {3, 2, 1}, {4, 4, 2}, {5, 3, 3}, {8, 8, 4}, {16, 9, 3}};
    int files = 0;
    for (const Shape& s : shapes) {
        const std::vector<unsigned char> px = pattern(s.w, s.h, s.channels);
        const std::string stem = dir + "/" + std::to_string(s.w) + "x" + std::to_string(s.h) + "c" +
                                 std::to_string(s.channels);
        files += stbi_write_png((stem + ".png").c_str(), s.w, s.h, s.channels, px.data(), s.w * s.channels) != 0;
        if (s.channels == 1 || s.channels == 3)
            for (int quality : {30, 90})
                files += stbi_write_jpg((stem + "-q" + std::to_string(quality) + ".jpg").c_str(), s.w, s.h,
                                        s.channels, px.data(), quality) != 0;
    }
    std::printf("make_picture_corpus: %d files in %s\n", files, dir.c_str());
    return files == 14 ? 0 : 1;
}
