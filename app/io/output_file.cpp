#include "io/output_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace loralab {

namespace {

constexpr std::size_t kBufferBytes = 64 * 1024;
constexpr int kMaxLinkHops = 40;  // as the kernel's own limit for one path

WriteFunction g_writeFunction = nullptr;

std::string errnoText(int err) { return std::strerror(err); }

std::string parentOf(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string joinPath(const std::string& folder, const std::string& name) {
    return folder == "/" ? "/" + name : folder + "/" + name;
}

// Follows `path` while it is a symlink; returns the first path that is not one (it may not exist:
// that is a dangling link's target, which the caller creates).
std::string followLinks(const std::string& path) {
    std::string current = path;
    for (int hop = 0; hop <= kMaxLinkHops; ++hop) {
        struct stat st {};
        if (::lstat(current.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return current;
        std::vector<char> link(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 255) + 1);
        const ssize_t n = ::readlink(current.c_str(), link.data(), link.size());
        if (n < 0) throw IoError("cannot read the link " + current + ": " + errnoText(errno));
        if (static_cast<std::size_t>(n) >= link.size())
            throw IoError("cannot read the link " + current + ": it changed while being read");
        const std::string to(link.data(), static_cast<std::size_t>(n));
        current = !to.empty() && to[0] == '/' ? to : joinPath(parentOf(current), to);
    }
    throw IoError("cannot write " + path + ": " + errnoText(ELOOP));
}

mode_t currentUmask() {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    return mask;
}

int connectSocket(const std::string& path) {
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const int err = errno;
        ::close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

}  // namespace

void setWriteFunctionForTests(WriteFunction f) { g_writeFunction = f; }

std::string describeOutput(const std::string& path, const OutputTarget& target) {
    if (target.kind == OutputKind::StandardOutput) return "standard output";
    if (target.target.empty() || target.target == path) return path;
    return path + " (-> " + target.target + ")";
}

OutputTarget resolveOutput(const std::string& path, bool allowStdout) {
    if (path.empty()) throw OutputPathError("cannot write a file with an empty path");
    if (path == "-") {
        if (!allowStdout)
            throw OutputPathError("'-' (standard output) is for text outputs; give a file name "
                                  "(./- for a file named '-')");
        return {OutputKind::StandardOutput, ""};
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode))
            throw OutputPathError("cannot write " + path + ": it is a folder; give a file name");
        // The kernel follows the links itself (also /proc's, as in /dev/stdout) when it opens one.
        if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode))
            return {OutputKind::Stream, path};
        if (!S_ISREG(st.st_mode))
            throw OutputPathError("cannot write " + path +
                                  ": it is a block device or another special file; give a file name");
        return {OutputKind::File, followLinks(path)};
    }
    if (errno != ENOENT) throw IoError("cannot write " + path + ": " + errnoText(errno));
    OutputTarget target{OutputKind::File, followLinks(path)};
    const std::string folder = parentOf(target.target);
    if (::stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw IoError("cannot write " + describeOutput(path, target) + ": folder " + folder +
                      " does not exist");
    return target;
}

OutputFile::OutputFile(std::string path, bool allowStdout)
    : m_path(std::move(path)), m_target(resolveOutput(m_path, allowStdout)) {
    m_buffer.reserve(kBufferBytes);
    if (m_target.kind == OutputKind::StandardOutput) {
        m_fd = STDOUT_FILENO;
    } else if (m_target.kind == OutputKind::Stream) {
        struct stat st {};
        const bool socket = ::stat(m_target.target.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
        do {
            m_fd = socket ? connectSocket(m_target.target)
                          : ::open(m_target.target.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
        } while (m_fd < 0 && errno == EINTR);
        if (m_fd < 0) fail("open", errno);
    } else {
        struct stat old {};
        const bool replacing = ::stat(m_target.target.c_str(), &old) == 0;
        // mkostemp in the destination's folder: a unique name, and the rename stays atomic.
        std::string name = m_target.target + ".tmp-XXXXXX";
        m_fd = ::mkostemp(name.data(), O_CLOEXEC);
        if (m_fd < 0) fail("create a temporary file for", errno);
        m_tempPath = name;
        // mkostemp makes 0600: give the replaced file's mode, or the usual one for a new file.
        ::fchmod(m_fd, replacing ? (old.st_mode & 07777) : (0666 & ~currentUmask()));
    }
    m_open = true;
}

OutputFile::~OutputFile() { discard(); }

void OutputFile::fail(const std::string& operation, int err) {
    discard();
    if (m_target.kind == OutputKind::StandardOutput && err == EPIPE) throw StdoutClosed();
    throw IoError("cannot " + operation + " " + describeOutput(m_path, m_target) + ": " +
                  errnoText(err));
}

void OutputFile::writeAll(const char* data, std::size_t size) {
    while (size > 0) {
        const long n = g_writeFunction ? g_writeFunction(m_fd, data, size) : ::write(m_fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("write", n < 0 ? errno : EIO);
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

void OutputFile::write(std::string_view bytes) {
    if (!m_open) throw IoError("cannot write " + m_path + ": already committed or discarded");
    if (m_buffer.size() + bytes.size() > kBufferBytes) {
        flush();
        if (bytes.size() >= kBufferBytes) {  // large blocks go straight through
            writeAll(bytes.data(), bytes.size());
            return;
        }
    }
    m_buffer.append(bytes);
}

void OutputFile::flush() {
    if (!m_open || m_buffer.empty()) return;
    writeAll(m_buffer.data(), m_buffer.size());
    m_buffer.clear();
}

void OutputFile::commit() {
    if (!m_open) throw IoError("cannot write " + m_path + ": already committed or discarded");
    flush();
    if (m_target.kind == OutputKind::StandardOutput) {
        m_open = false;  // standard output stays open: main() closes it last and checks that
        return;
    }
    if (m_target.kind == OutputKind::File && ::fsync(m_fd) != 0) fail("write", errno);
    const int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0) fail("write", errno);  // NFS and FIFOs can report the failure here
    if (m_target.kind == OutputKind::File) {
        if (::rename(m_tempPath.c_str(), m_target.target.c_str()) != 0)
            fail("rename a temporary file onto", errno);
        // The rename itself lasts once the folder is on disk; best effort, the data is already.
        const int dir = ::open(parentOf(m_target.target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir >= 0) {
            ::fsync(dir);
            ::close(dir);
        }
    }
    m_open = false;
}

void OutputFile::discard() {
    if (!m_open) return;
    m_open = false;
    m_buffer.clear();
    if (m_target.kind == OutputKind::StandardOutput) return;
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
    if (!m_tempPath.empty()) ::unlink(m_tempPath.c_str());
}

void writeOutputFile(const std::string& path, std::string_view bytes, bool allowStdout) {
    OutputFile file(path, allowStdout);
    file.write(bytes);
    file.commit();
}

}  // namespace loralab
