// Whole-file writes and output folders (app/io/atomic_file.h), which forward to the one output
// path: every failure names the path, a folder given as a file is a usage error, and
// ensureDirectory makes nested folders but refuses a file in the way. (OutputFile itself, commit
// and abandon included, is tested in test_output_file.cpp.)
#include "io/atomic_file.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace {

struct ScratchDir {
    fs::path path;
    ScratchDir() {
        std::string pattern = (fs::temp_directory_path() / "loralab-io-XXXXXX").string();
        path = mkdtemp(pattern.data());
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::size_t count() const {
        return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), {}));
    }
};

}  // namespace

TEST(AtomicFile, ErrorsNameThePath) {
    ScratchDir dir;
    const std::string missing = (dir.path / "nope" / "x.csv").string();
    try {
        loralab::writeFileAtomic(missing, "x");
        ADD_FAILURE() << "opened a file in a missing folder";
    } catch (const loralab::IoError& e) {
        EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    }
    EXPECT_THROW(loralab::writeFileAtomic(dir.path.string(), "x"), loralab::OutputPathError);
    EXPECT_EQ(dir.count(), 0u);
    EXPECT_THROW(loralab::ensureDirectory(""), loralab::IoError);
    loralab::writeFileAtomic((dir.path / "file").string(), "x");
    EXPECT_THROW(loralab::ensureDirectory((dir.path / "file").string()), loralab::IoError);
    EXPECT_NO_THROW(loralab::ensureDirectory((dir.path / "a" / "b").string()));
    EXPECT_TRUE(fs::is_directory(dir.path / "a" / "b"));
}
