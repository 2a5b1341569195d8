// Outputs as a user meets them on the command line: '-' for standard output and input, a pipe
// closed early, FIFOs, links and devices as --curve, full filesystems, folders given as files.
// (The writers themselves are covered destination by destination in
// tests/app/io/test_output_file.cpp; screenshots, which need the window, in test_cli_window.cpp.)
#include "run_binary.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <thread>
#include <unistd.h>

using loralab::test::countLines;
using loralab::test::parseJsonObject;
using loralab::test::readFile;
using loralab::test::RunOptions;
using loralab::test::runLoralab;
using loralab::test::TempDir;
using loralab::test::writeFile;

namespace {

bool hasErrorLine(const std::string& err) { return err.find("loralab:") != std::string::npos; }

// The curve a 5-step default run writes to a plain file: the reference for the other kinds.
std::string referenceCurve(const TempDir& dir) {
    const std::string path = dir.file("reference.csv");
    const auto r = runLoralab({"--headless", "--steps", "5", "--curve", path});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return readFile(path);
}

}  // namespace

TEST(CliOutputs, CurveDashGoesToStdoutAndTheSummaryToStderr) {
    TempDir dir;
    const std::string reference = referenceCurve(dir);
    RunOptions options;
    options.cwd = dir.path();
    const auto r = runLoralab({"--headless", "--steps", "5", "--curve", "-"}, options);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out, reference);
    EXPECT_EQ(countLines(r.out), 7);  // header + steps 0..5
    EXPECT_NE(r.err.find("final loss"), std::string::npos) << r.err;
    EXPECT_FALSE(loralab::test::fileExists(dir.file("-")));
}

TEST(CliOutputs, JsonAndCurveDashAreAUsageError) {
    const auto r = runLoralab({"--headless", "--json", "--curve", "-"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(countLines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("--json"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
}

TEST(CliOutputs, DashIsRefusedForPicturesAndFolders) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--headless", "--screenshot", "-"},
          std::vector<std::string>{"--headless", "--export-adapter", "-"},
          std::vector<std::string>{"--screenshot", "-"}}) {
        const auto r = runLoralab(args);
        EXPECT_EQ(r.exitCode, 2) << args[1];
        EXPECT_EQ(countLines(r.err), 1) << r.err;
    }
}

TEST(CliOutputs, StdoutClosedEarlyEndsQuietly) {
    // `loralab --headless --curve - | head -c 100`: the CSV is cut, the program stops.
    RunOptions early;
    early.closeStdoutAfter = 100;
    const auto curve = runLoralab({"--headless", "--steps", "200000", "--d", "8", "--k", "8",
                                   "--rank", "2", "--curve", "-"}, early);
    EXPECT_EQ(curve.exitCode, 141) << curve.err;
    EXPECT_FALSE(hasErrorLine(curve.err)) << curve.err;
    EXPECT_EQ(curve.err.find("wrote"), std::string::npos) << curve.err;

    // The summary and --json, when nobody reads stdout at all.
    RunOptions closed;
    closed.closeStdoutAfter = 0;
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--headless", "--steps", "5"},
          std::vector<std::string>{"--headless", "--steps", "5", "--json"},
          std::vector<std::string>{"--params", "--model", "list"}}) {
        const auto r = runLoralab(args, closed);
        EXPECT_EQ(r.exitCode, 141) << args[1] << ": " << r.err;
        EXPECT_FALSE(hasErrorLine(r.err)) << r.err;
    }
}

TEST(CliOutputs, TargetFileDashReadsCsvFromStdin) {
    const std::string csv = "1,2,3\n4,5,6\n7,8,10\n9,1,1\n";
    RunOptions options;
    options.stdinData = &csv;
    const auto r = runLoralab({"--headless", "--target-file", "-", "--rank", "1", "--steps", "3", "--json"},
                              options);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    EXPECT_EQ(j["d"], 4);
    EXPECT_EQ(j["k"], 3);
    // Initial loss with B = 0 is ‖T‖²/(dk).
    EXPECT_NEAR(j["initial_loss"].get<double>(), (1 + 4 + 9 + 16 + 25 + 36 + 49 + 64 + 100 + 81 + 1 + 1) / 12.0,
                1e-4);

    const std::string ragged = "1,2\n3\n";
    options.stdinData = &ragged;
    const auto bad = runLoralab({"--headless", "--target-file", "-", "--rank", "1"}, options);
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_NE(bad.err.find("standard input:2:"), std::string::npos) << bad.err;
    EXPECT_EQ(countLines(bad.err), 1) << bad.err;

    const auto gui = runLoralab({"--target-file", "-"}, options);  // the window reads files only
    EXPECT_EQ(gui.exitCode, 2);
    EXPECT_EQ(countLines(gui.err), 1) << gui.err;
}

TEST(CliOutputs, LinkToStdoutWritesThroughAndStaysALink) {
    // What /dev/stdout is, made in a scratch folder: a link to /proc/self/fd/1.
    TempDir dir;
    const std::string reference = referenceCurve(dir);
    const std::string link = dir.file("stdout");
    ASSERT_EQ(symlink("/proc/self/fd/1", link.c_str()), 0);
    const auto r = runLoralab({"--headless", "--steps", "5", "--curve", link});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out.substr(0, reference.size()), reference);  // the summary follows it
    EXPECT_TRUE(std::filesystem::is_symlink(link));
    EXPECT_EQ(std::filesystem::read_symlink(link), "/proc/self/fd/1");
}

TEST(CliOutputs, CurveIntoAFifoWithAReader) {
    TempDir dir;
    const std::string reference = referenceCurve(dir);
    const std::string fifo = dir.file("curve.fifo");
    ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
    std::string received;
    std::thread reader([&] {
        const int fd = open(fifo.c_str(), O_RDONLY);
        char buf[4096];
        ssize_t n;
        while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0) received.append(buf, static_cast<std::size_t>(n));
        if (fd >= 0) close(fd);
    });
    const auto r = runLoralab({"--headless", "--steps", "5", "--curve", fifo});
    reader.join();
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(received, reference);
    struct stat st {};
    ASSERT_EQ(lstat(fifo.c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(CliOutputs, FifoWhoseReaderLeavesIsAFailedWrite) {
    TempDir dir;
    const std::string fifo = dir.file("curve.fifo");
    ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
    std::thread reader([&] {  // reads a little, then goes away
        const int fd = open(fifo.c_str(), O_RDONLY);
        char buf[16];
        if (fd >= 0 && read(fd, buf, sizeof buf) >= 0) close(fd);
    });
    const auto r = runLoralab({"--headless", "--steps", "200000", "--d", "8", "--k", "8", "--rank", "2",
                               "--curve", fifo});
    reader.join();
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_NE(r.err.find("Broken pipe"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("wrote"), std::string::npos) << r.err;
    struct stat st {};
    ASSERT_EQ(lstat(fifo.c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(CliOutputs, FullDeviceIsAFailedWriteAndStaysADevice) {
    if (geteuid() != 0) GTEST_SKIP() << "making a device node (mknod) needs root";
    TempDir dir;
    const std::string node = dir.file("full");
    ASSERT_EQ(mknod(node.c_str(), S_IFCHR | 0666, makedev(1, 7)), 0) << std::strerror(errno);
    const auto r = runLoralab({"--headless", "--steps", "5", "--curve", node});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find(node + ": No space left on device"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("wrote"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("LoRA fit"), std::string::npos);  // no summary of a run that lost its output
    struct stat st {};
    ASSERT_EQ(lstat(node.c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_EQ(st.st_rdev, makedev(1, 7));
}

TEST(CliOutputs, FullFilesystemLeavesNoTemporary) {
    TempDir dir;
    if (geteuid() != 0 || mount("tmpfs", dir.path().c_str(), "tmpfs", 0, "size=64k") != 0)
        GTEST_SKIP() << "needs root and mount(2) for a small tmpfs; test_output_file injects the failure instead";
    writeFile(dir.file("filler"), std::string(60 * 1024, 'x'));
    const auto r = runLoralab({"--headless", "--steps", "3000", "--d", "8", "--k", "8", "--rank", "2",
                               "--curve", dir.file("curve.csv")});
    const std::vector<std::string> left = dir.entries();
    umount2(dir.path().c_str(), MNT_DETACH);
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("wrote"), std::string::npos) << r.err;
    EXPECT_EQ(left, std::vector<std::string>{"filler"});
}

TEST(CliOutputs, FolderGivenAsAFileIsAUsageError) {
    TempDir dir;
    const auto r = runLoralab({"--headless", "--steps", "5", "--curve", dir.path()});
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_EQ(countLines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(dir.path()), std::string::npos) << r.err;
    EXPECT_TRUE(dir.entries().empty());
}
