#include "io/atomic_file.h"

#include <filesystem>
#include <system_error>

namespace loralab {

void writeFileAtomic(const std::string& path, const std::string& bytes) {
    writeOutputFile(path, bytes);
}

void ensureDirectory(const std::string& dir) {
    if (dir.empty()) throw IoError("cannot create a directory with an empty path");
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return;
    if (fs::exists(dir, ec))
        throw IoError("cannot create directory " + dir + ": " +
                      std::make_error_code(std::errc::not_a_directory).message());
    // A dangling link: create what it points at, so the link keeps working.
    fs::path target = dir;
    for (int hop = 0; hop < 40 && fs::is_symlink(target, ec); ++hop) {
        const fs::path to = fs::read_symlink(target, ec);
        if (ec) break;
        target = to.is_absolute() ? to : target.parent_path() / to;
    }
    fs::create_directories(target, ec);
    if (ec || !fs::is_directory(dir))
        throw IoError("cannot create directory " + dir + ": " +
                      (ec ? ec.message() : std::string("the link does not lead to a folder")));
}

}  // namespace loralab
