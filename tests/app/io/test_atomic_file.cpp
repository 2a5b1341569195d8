// Atomic writes (app/io/atomic_file.h): nothing visible before commit, an abandoned write leaves
// the old file, and every failure names the path.
#include "io/atomic_file.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

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

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST(AtomicFile, CommitWritesUncommittedLeavesNothing) {
    ScratchDir dir;
    const fs::path target = dir.path / "out.txt";
    {
        loralab::AtomicFile f(target.string());
        f.stream() << "hello";
        EXPECT_FALSE(fs::exists(target));  // not visible before commit
        EXPECT_EQ(dir.count(), 1u);        // only the temporary
        f.commit();
    }
    EXPECT_EQ(slurp(target), "hello");
    {
        loralab::AtomicFile f(target.string());
        f.stream() << "half of a new versi";
    }  // abandoned: the old file stays, the temporary is gone
    EXPECT_EQ(slurp(target), "hello");
    EXPECT_EQ(dir.count(), 1u);
}

TEST(AtomicFile, ErrorsNameThePath) {
    ScratchDir dir;
    const std::string missing = (dir.path / "nope" / "x.csv").string();
    try {
        loralab::AtomicFile f(missing);
        ADD_FAILURE() << "opened a file in a missing folder";
    } catch (const loralab::IoError& e) {
        EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    }
    EXPECT_THROW(loralab::writeFileAtomic(dir.path.string(), "x"), loralab::IoError);
    EXPECT_EQ(dir.count(), 0u);
    EXPECT_THROW(loralab::ensureDirectory(""), loralab::IoError);
    loralab::writeFileAtomic((dir.path / "file").string(), "x");
    EXPECT_THROW(loralab::ensureDirectory((dir.path / "file").string()), loralab::IoError);
    EXPECT_NO_THROW(loralab::ensureDirectory((dir.path / "a" / "b").string()));
    EXPECT_TRUE(fs::is_directory(dir.path / "a" / "b"));
}
