// The one output path (app/io/output_file.h): a table of destination kinds × output kinds.
// Each row sets up one kind of destination in a scratch folder, writes one kind of output
// through the program's own writer, and asserts what the destination is afterwards (file,
// link, FIFO, device, folder), what it holds, and that no temporary was left behind.
#include "io/atomic_file.h"
#include "io/curve_csv.h"
#include "io/output_file.h"
#include "io/peft_adapter.h"
#include "io/png_file.h"
#include "io/safetensors.h"

#include <gtest/gtest.h>

#include <stb_image.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <atomic>
#include <poll.h>
#include <functional>
#include <sstream>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

struct Scratch {
    fs::path path;
    bool mounted = false;
    Scratch() {
        std::string pattern = (fs::temp_directory_path() / "loralab-out-XXXXXX").string();
        path = mkdtemp(pattern.data());
    }
    ~Scratch() {
        if (mounted) umount2(path.c_str(), MNT_DETACH);
        std::error_code ec;
        fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(path, ec);
    }
    // A small tmpfs on this folder (root only); false when mounting is not possible here.
    bool mountTmpfs(const char* options) {
        if (geteuid() != 0 || mount("tmpfs", path.c_str(), "tmpfs", 0, options) != 0) return false;
        mounted = true;
        return true;
    }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void put(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

bool anyTemporary(const fs::path& dir) {
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.path().filename().string().find(".tmp-") != std::string::npos) return true;
    return false;
}

// ---- output kinds: the program's writers, and the bytes each must produce ---------------------

struct OutputKindCase {
    const char* name;
    const char* fileName;  // the file the writer produces inside the destination folder
    bool writesFolder;     // the writer takes the folder (adapter export), not the file path
    std::function<void(const std::string&)> write;
    std::function<std::string()> expected;  // the destination file's bytes
    std::function<void(const std::string&)> checkMeaning;  // independent read-back
};

std::vector<loralab::HistoryPoint> sampleHistory() {
    return {{0, 1.0, 0.25, 2}, {1, 0.5, 0.25, 2}, {2, 0.3125, 0.25, 2}};
}

std::vector<std::uint8_t> samplePixels() {  // 3×2 RGBA: a gradient with a red top-left pixel
    std::vector<std::uint8_t> rgba(3 * 2 * 4);
    for (std::size_t i = 0; i < rgba.size(); ++i) rgba[i] = static_cast<std::uint8_t>(17 * i);
    rgba[0] = 255, rgba[1] = 0, rgba[2] = 0, rgba[3] = 255;
    return rgba;
}

loralab::Factors sampleFactors() {
    loralab::Factors f;
    f.B = loralab::Matrix(4, 2);
    f.B << 1, 2, 3, 4, 5, 6, 7, 8;
    f.A = loralab::Matrix(2, 3);
    f.A << -1, 0.5f, 0.25f, 2, -3, 4;
    f.alpha = 2;
    return f;
}

loralab::SafetensorsFile sampleMerged() {
    loralab::Matrix w(3, 5);
    for (int i = 0; i < 15; ++i) w(i / 5, i % 5) = 0.125f * static_cast<float>(i) - 1.0f;
    loralab::SafetensorsFile f;
    f.tensors["layer.weight"] = loralab::toTensor(w);
    return f;
}

loralab::SafetensorsFile adapterFile() {
    const loralab::Factors f = sampleFactors();
    loralab::SafetensorsFile file;
    file.tensors[loralab::adapterTensorName("q_proj", 'A')] = loralab::toTensor(f.A);
    file.tensors[loralab::adapterTensorName("q_proj", 'B')] = loralab::toTensor(f.B);
    file.metadata["format"] = "pt";
    return file;
}

std::vector<OutputKindCase> outputKinds() {
    return {
        {"curve", "curve.csv", false,
         [](const std::string& p) { loralab::writeCurveCsv(p, sampleHistory()); },
         [] {
             std::string text = "step,loss,floor,rank\n";
             for (const auto& h : sampleHistory()) text += loralab::curveRow(h) + "\n";
             return text;
         },
         [](const std::string& bytes) {
             EXPECT_EQ(bytes.rfind("step,loss,floor,rank\n0,1,0.25,2\n1,0.5,0.25,2\n", 0), 0u) << bytes;
         }},
        {"png", "shot.png", false,
         [](const std::string& p) { loralab::writePngFile(p, 3, 2, samplePixels()); },
         [] { return loralab::encodePng(3, 2, samplePixels()); },
         [](const std::string& bytes) {
             int w = 0, h = 0, c = 0;
             stbi_uc* px = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                                                 static_cast<int>(bytes.size()), &w, &h, &c, 4);
             ASSERT_NE(px, nullptr) << stbi_failure_reason();
             EXPECT_EQ(std::vector<std::uint8_t>(px, px + 24), samplePixels());
             stbi_image_free(px);
         }},
        {"adapter", loralab::kAdapterWeightsFile, true,
         [](const std::string& dir) { loralab::writeAdapter(dir, "q_proj", sampleFactors()); },
         [] { return loralab::encodeSafetensors(adapterFile()); },
         [](const std::string& bytes) {
             const auto back = loralab::decodeSafetensors(bytes, "adapter");
             EXPECT_TRUE(loralab::toMatrix(back.tensors.at(loralab::adapterTensorName("q_proj", 'B')))
                             .isApprox(sampleFactors().B));
         }},
        {"merged", "merged.safetensors", false,
         [](const std::string& p) { loralab::writeSafetensors(p, sampleMerged()); },
         [] { return loralab::encodeSafetensors(sampleMerged()); },
         [](const std::string& bytes) {
             const auto back = loralab::decodeSafetensors(bytes, "merged");
             EXPECT_EQ(back.tensors.at("layer.weight").data, sampleMerged().tensors.at("layer.weight").data);
         }},
    };
}

// ---- destination kinds ----------------------------------------------------------------------

enum class Dest { Regular, Missing, Symlink, Dangling, Fifo, CharDevice, FullDevice, Socket,
                  Directory, ReadOnlyFolder, FullFilesystem };

const char* destName(Dest d) {
    switch (d) {
    case Dest::Regular: return "RegularFile";
    case Dest::Missing: return "MissingPath";
    case Dest::Symlink: return "SymlinkToFile";
    case Dest::Dangling: return "DanglingSymlink";
    case Dest::Fifo: return "Fifo";
    case Dest::CharDevice: return "CharDevice";
    case Dest::FullDevice: return "FullCharDevice";
    case Dest::Socket: return "Socket";
    case Dest::Directory: return "Directory";
    case Dest::ReadOnlyFolder: return "ReadOnlyFolder";
    case Dest::FullFilesystem: return "FullFilesystem";
    }
    return "?";
}

void PrintTo(Dest d, std::ostream* os) { *os << destName(d); }

long failingWrite(int, const void*, std::size_t) {
    errno = ENOSPC;
    return -1;
}

// Reads everything written into a FIFO or a socket, on its own thread. `fd` is the FIFO opened
// for reading (non-blocking) or a listening socket (non-blocking). It waits with poll(), so a
// writer that never comes (a FIFO replaced by a file) cannot hang the test: finish() ends it.
class Reader {
public:
    Reader(int fd, bool listener) {
        m_thread = std::thread([this, fd, listener] {
            int data = listener ? -1 : fd;
            char buf[4096];
            for (;;) {
                const bool stopping = m_stop.load();
                pollfd p{data >= 0 ? data : fd, POLLIN, 0};
                const int ready = poll(&p, 1, stopping ? 0 : 20);
                if (ready <= 0) {
                    if (stopping) break;
                    continue;
                }
                if (data < 0) {  // a writer connected to the socket
                    data = accept(fd, nullptr, nullptr);
                    continue;
                }
                const ssize_t n = read(data, buf, sizeof buf);
                if (n > 0) m_bytes.append(buf, static_cast<std::size_t>(n));
                else if (n == 0 || errno != EAGAIN) break;
            }
            if (data >= 0 && data != fd) close(data);
            close(fd);
        });
    }
    std::string finish() {
        m_stop = true;
        m_thread.join();
        return m_bytes;
    }

private:
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
    std::string m_bytes;
};

using Param = std::tuple<Dest, int>;

class OutputTable : public ::testing::TestWithParam<Param> {};

TEST_P(OutputTable, DestinationAfterwards) {
    const Dest dest = std::get<0>(GetParam());
    const OutputKindCase out = outputKinds()[static_cast<std::size_t>(std::get<1>(GetParam()))];
    std::signal(SIGPIPE, SIG_IGN);  // as main() does

    Scratch scratch;
    const fs::path folder = scratch.path / "out";
    const fs::path file = folder / out.fileName;
    const std::string old = "old contents\n";
    bool injected = false;

    switch (dest) {
    case Dest::FullFilesystem:
        if (scratch.mountTmpfs("size=64k")) {
            fs::create_directory(folder);
            put(file, old);
            // Fill every remaining block.
            std::ofstream filler(scratch.path / "filler", std::ios::binary);
            const std::string block(4096, 'x');
            while (filler.write(block.data(), block.size())) filler.flush();
        } else {
            fs::create_directory(folder);
            put(file, old);
            loralab::setWriteFunctionForTests(failingWrite);
            injected = true;
        }
        break;
    case Dest::ReadOnlyFolder:
        fs::create_directory(folder);
        if (geteuid() == 0) {
            if (!scratch.mountTmpfs("size=1m")) GTEST_SKIP() << "root ignores permissions and cannot mount a read-only tmpfs here";
            fs::create_directory(folder);
            put(file, old);
            ASSERT_EQ(mount("none", scratch.path.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr), 0)
                << std::strerror(errno);
        } else {
            put(file, old);
            fs::permissions(folder, fs::perms::owner_read | fs::perms::owner_exec);
        }
        break;
    default:
        fs::create_directory(folder);
        break;
    }

    std::unique_ptr<Reader> reader;
    switch (dest) {
    case Dest::Regular: put(file, old); break;
    case Dest::Missing: break;
    case Dest::Symlink:  // a chain: out/file -> ../real/link2 -> file.bin (relative to each link)
        fs::create_directory(scratch.path / "real");
        put(scratch.path / "real" / "file.bin", old);
        fs::create_symlink("file.bin", scratch.path / "real" / "link2");
        fs::create_symlink("../real/link2", file);
        break;
    case Dest::Dangling:
        fs::create_directory(scratch.path / "real");
        fs::create_symlink("../real/new.bin", file);
        break;
    case Dest::Fifo:
        ASSERT_EQ(mkfifo(file.c_str(), 0644), 0);
        reader = std::make_unique<Reader>(open(file.c_str(), O_RDONLY | O_NONBLOCK), false);
        break;
    case Dest::CharDevice:
    case Dest::FullDevice:
        if (geteuid() != 0) GTEST_SKIP() << "making a device node (mknod) needs root";
        // The numbers of the null and full devices, made in the scratch folder, never /dev.
        ASSERT_EQ(mknod(file.c_str(), S_IFCHR | 0666, makedev(1, dest == Dest::CharDevice ? 3 : 7)), 0)
            << std::strerror(errno);
        break;
    case Dest::Socket: {
        const int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        ASSERT_LT(file.string().size(), sizeof address.sun_path);
        std::strcpy(address.sun_path, file.c_str());
        ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        ASSERT_EQ(listen(listener, 1), 0);
        reader = std::make_unique<Reader>(listener, true);
        break;
    }
    case Dest::Directory: fs::create_directory(file); break;
    default: break;
    }

    const std::vector<std::string> before = entries(folder);
    const std::string target = out.writesFolder ? folder.string() : file.string();
    std::string error;
    bool pathError = false;
    try {
        out.write(target);
    } catch (const loralab::OutputPathError& e) {
        pathError = true;
        error = e.what();
    } catch (const loralab::IoError& e) {
        error = e.what();
    }
    if (injected) loralab::setWriteFunctionForTests(nullptr);
    std::string streamed;
    if (reader) streamed = reader->finish();

    struct stat st {};
    ASSERT_EQ(lstat(file.c_str(), &st), 0) << file;
    const std::string expected = out.expected();
    switch (dest) {
    case Dest::Regular:
    case Dest::Missing:
        EXPECT_TRUE(error.empty()) << error;
        EXPECT_TRUE(S_ISREG(st.st_mode));
        EXPECT_EQ(slurp(file), expected);
        out.checkMeaning(slurp(file));
        break;
    case Dest::Symlink:
    case Dest::Dangling: {
        EXPECT_TRUE(error.empty()) << error;
        EXPECT_TRUE(S_ISLNK(st.st_mode)) << "the link was replaced";
        EXPECT_EQ(fs::read_symlink(file), dest == Dest::Symlink ? "../real/link2" : "../real/new.bin");
        EXPECT_TRUE(fs::is_symlink(scratch.path / "real" / "link2") || dest == Dest::Dangling);
        const fs::path real = scratch.path / "real" / (dest == Dest::Symlink ? "file.bin" : "new.bin");
        EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(real)));
        EXPECT_EQ(slurp(real), expected);
        EXPECT_FALSE(anyTemporary(scratch.path / "real"));
        break;
    }
    case Dest::Fifo:
    case Dest::Socket:
        EXPECT_TRUE(error.empty()) << error;
        EXPECT_TRUE(dest == Dest::Fifo ? S_ISFIFO(st.st_mode) : S_ISSOCK(st.st_mode));
        EXPECT_EQ(streamed, expected);
        out.checkMeaning(streamed);
        break;
    case Dest::CharDevice:
        EXPECT_TRUE(error.empty()) << error;
        EXPECT_TRUE(S_ISCHR(st.st_mode));
        EXPECT_EQ(st.st_rdev, makedev(1, 3));
        break;
    case Dest::FullDevice:
        EXPECT_NE(error.find("No space left on device"), std::string::npos) << error;
        EXPECT_NE(error.find(file.string()), std::string::npos) << error;
        EXPECT_TRUE(S_ISCHR(st.st_mode));
        EXPECT_EQ(st.st_rdev, makedev(1, 7));
        break;
    case Dest::Directory:
        EXPECT_TRUE(pathError) << "a folder must be a usage error (exit 2): " << error;
        EXPECT_NE(error.find("folder"), std::string::npos) << error;
        EXPECT_TRUE(S_ISDIR(st.st_mode));
        EXPECT_TRUE(fs::is_empty(file));
        break;
    case Dest::ReadOnlyFolder:
    case Dest::FullFilesystem:
        EXPECT_FALSE(error.empty()) << "the write was reported as done";
        EXPECT_FALSE(pathError) << error;
        EXPECT_NE(error.find(file.string()), std::string::npos) << error;
        if (dest == Dest::FullFilesystem) {
            EXPECT_NE(error.find("No space left on device"), std::string::npos) << error;
        }
        EXPECT_TRUE(S_ISREG(st.st_mode));
        EXPECT_EQ(slurp(file), old);  // the old file is untouched
        break;
    }
    EXPECT_FALSE(anyTemporary(folder)) << "a temporary file was left behind";
    std::vector<std::string> after = entries(folder);
    std::vector<std::string> allowed = before;
    if (dest == Dest::Missing) allowed.push_back(out.fileName);
    if (out.writesFolder && error.empty()) allowed.push_back(loralab::kAdapterConfigFile);
    std::sort(allowed.begin(), allowed.end());
    allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
    EXPECT_EQ(after, allowed);
}

std::string paramName(const ::testing::TestParamInfo<Param>& info) {
    return std::string(destName(std::get<0>(info.param))) + "_" +
           outputKinds()[static_cast<std::size_t>(std::get<1>(info.param))].name;
}

INSTANTIATE_TEST_SUITE_P(
    Outputs, OutputTable,
    ::testing::Combine(::testing::Values(Dest::Regular, Dest::Missing, Dest::Symlink, Dest::Dangling,
                                         Dest::Fifo, Dest::CharDevice, Dest::FullDevice, Dest::Socket,
                                         Dest::Directory, Dest::ReadOnlyFolder, Dest::FullFilesystem),
                       ::testing::Range(0, 4)),
    paramName);

// ---- the rules one by one ---------------------------------------------------------------------

TEST(OutputFile, CommitWritesUncommittedLeavesNothing) {
    Scratch scratch;
    const fs::path target = scratch.path / "out.txt";
    {
        loralab::OutputFile f(target.string());
        f.write("hello");
        f.flush();
        EXPECT_FALSE(fs::exists(target));              // not visible before commit
        EXPECT_EQ(entries(scratch.path).size(), 1u);  // only the temporary
        f.commit();
    }
    EXPECT_EQ(slurp(target), "hello");
    {
        loralab::OutputFile f(target.string());
        f.write("half of a new versi");
        f.flush();
    }  // abandoned: the old file stays, the temporary is gone
    EXPECT_EQ(slurp(target), "hello");
    EXPECT_EQ(entries(scratch.path), std::vector<std::string>{"out.txt"});
}

TEST(OutputFile, ReplacedFileKeepsItsMode) {
    Scratch scratch;
    const fs::path p = scratch.path / "private.csv";
    put(p, "old");
    fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
    loralab::writeOutputFile(p.string(), "new");
    EXPECT_EQ(slurp(p), "new");
    EXPECT_EQ(fs::status(p).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
}

TEST(OutputFile, LinkLoopIsAnIoError) {
    Scratch scratch;
    fs::create_symlink("b", scratch.path / "a");
    fs::create_symlink("a", scratch.path / "b");
    EXPECT_THROW(loralab::writeOutputFile((scratch.path / "a").string(), "x"), loralab::IoError);
    EXPECT_TRUE(fs::is_symlink(scratch.path / "a"));
}

TEST(OutputFile, DashIsStandardOutputOnlyWhereAllowed) {
    EXPECT_THROW(loralab::resolveOutput("-"), loralab::OutputPathError);
    EXPECT_EQ(loralab::resolveOutput("-", true).kind, loralab::OutputKind::StandardOutput);
    EXPECT_THROW(loralab::resolveOutput(""), loralab::OutputPathError);
}

TEST(OutputFile, ResolveCreatesNothing) {
    Scratch scratch;
    const auto t = loralab::resolveOutput((scratch.path / "new.csv").string());
    EXPECT_EQ(t.kind, loralab::OutputKind::File);
    EXPECT_TRUE(fs::is_empty(scratch.path));
    EXPECT_THROW(loralab::resolveOutput((scratch.path / "no" / "x.csv").string()), loralab::IoError);
}

TEST(OutputFile, FailedStreamingWriteLeavesTheOldFile) {
    Scratch scratch;
    const fs::path p = scratch.path / "curve.csv";
    put(p, "old");
    {
        loralab::CurveCsvWriter writer(p.string());
        writer.append({0, 1.0, 0.5, 1});
        loralab::setWriteFunctionForTests([](int, const void*, std::size_t) -> long {
            errno = EIO;
            return -1;
        });
        EXPECT_THROW(writer.commit(), loralab::IoError);
        loralab::setWriteFunctionForTests(nullptr);
    }
    EXPECT_EQ(slurp(p), "old");
    EXPECT_EQ(entries(scratch.path), std::vector<std::string>{"curve.csv"});
}

TEST(OutputFile, DanglingFolderLinkGetsItsTargetCreated) {
    Scratch scratch;
    fs::create_symlink("real-dir", scratch.path / "adapter");
    loralab::writeAdapter((scratch.path / "adapter").string(), "q", sampleFactors());
    EXPECT_TRUE(fs::is_symlink(scratch.path / "adapter"));
    EXPECT_TRUE(fs::is_regular_file(scratch.path / "real-dir" / loralab::kAdapterWeightsFile));
}

}  // namespace
