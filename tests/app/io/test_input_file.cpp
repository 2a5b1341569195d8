// Reading an input whole (app/io/input_file.h): "-" is standard input and is named so in
// messages; a folder, a missing file and more bytes than allowed are refused naming the input,
// for files that have a size and for pipes that have none.
#include "io/input_file.h"

#include "loralab/csv.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

fs::path scratch() {
    std::string pattern = (fs::temp_directory_path() / "loralab-in-XXXXXX").string();
    return mkdtemp(pattern.data());
}

// Runs `body` with standard input reading `bytes` from a pipe, then restores it.
template <typename F>
void withStandardInput(const std::string& bytes, F body) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    ASSERT_LT(bytes.size(), 4096u);  // fits the pipe's buffer, so one write cannot block
    ASSERT_EQ(::write(fds[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    ::close(fds[1]);
    const int saved = ::dup(STDIN_FILENO);
    ::dup2(fds[0], STDIN_FILENO);
    ::close(fds[0]);
    body();
    ::dup2(saved, STDIN_FILENO);
    ::close(saved);
}

std::string messageOf(const std::string& path, std::uintmax_t maxBytes) {
    try {
        loralab::readInputFile(path, maxBytes, "a CSV file");
    } catch (const loralab::InputError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST(InputFile, DashIsStandardInputByName) {
    EXPECT_EQ(loralab::inputName("-"), "standard input");
    EXPECT_EQ(loralab::inputName("t.csv"), "t.csv");
    EXPECT_EQ(loralab::inputName("./-"), "./-");  // a file named '-' is a file
}

TEST(InputFile, ReadsFilesWholeBytesIncluded) {
    const fs::path dir = scratch();
    const std::string bytes("1,2\n\0\xff,3\n", 9);
    std::ofstream(dir / "t.csv", std::ios::binary) << bytes;
    EXPECT_EQ(loralab::readInputFile((dir / "t.csv").string(), 100, "a CSV file"), bytes);
    fs::remove_all(dir);
}

TEST(InputFile, RefusalsNameTheInput) {
    const fs::path dir = scratch();
    const std::string folder = dir.string();
    EXPECT_NE(messageOf(folder, 100).find(folder + ": is a folder; expected a CSV file"), std::string::npos)
        << messageOf(folder, 100);
    const std::string missing = (dir / "none.csv").string();
    EXPECT_NE(messageOf(missing, 100).find(missing + ": cannot open"), std::string::npos)
        << messageOf(missing, 100);
    const std::string big = (dir / "big.csv").string();
    std::ofstream(big, std::ios::binary) << std::string(101, '1');
    EXPECT_NE(messageOf(big, 100).find(big + ": larger than"), std::string::npos) << messageOf(big, 100);
    EXPECT_EQ(loralab::readInputFile(big, 101, "a CSV file").size(), 101u);
    fs::remove_all(dir);
}

TEST(InputFile, StandardInputIsReadToItsEndWithinTheLimit) {
    withStandardInput("1,2\n3,4\n", [] { EXPECT_EQ(loralab::readInputFile("-", 100, "a CSV file"), "1,2\n3,4\n"); });
    // A pipe has no size: the limit is checked while reading.
    withStandardInput(std::string(200, '7'), [] {
        EXPECT_NE(messageOf("-", 100).find("standard input: larger than"), std::string::npos);
    });
}
