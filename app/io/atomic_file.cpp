#include "io/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace loralab {

namespace {

std::string errnoText(int err) { return std::strerror(err); }

[[noreturn]] void fail(const std::string& operation, const std::string& path, int err) {
    throw IoError("cannot " + operation + " " + path + ": " + errnoText(err));
}

mode_t currentUmask() {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    return mask;
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : m_path(std::move(path)) {
    if (m_path.empty()) throw IoError("cannot write a file with an empty path");
    struct stat st {};
    if (::stat(m_path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        fail("write", m_path, EISDIR);

    // mkstemp in the destination's directory: unique, and the final rename stays atomic.
    std::vector<char> name(m_path.begin(), m_path.end());
    const std::string suffix = ".tmp-XXXXXX";
    name.insert(name.end(), suffix.begin(), suffix.end());
    name.push_back('\0');
    const int fd = ::mkstemp(name.data());
    if (fd < 0) fail("create", m_path, errno);
    ::fchmod(fd, 0666 & ~currentUmask());  // mkstemp makes 0600; give the usual permissions
    ::close(fd);
    m_tempPath = name.data();

    m_out.open(m_tempPath, std::ios::binary | std::ios::trunc);
    if (!m_out) {
        const int err = errno;
        std::remove(m_tempPath.c_str());
        fail("open", m_tempPath, err);
    }
    m_open = true;
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::flush() {
    if (!m_open) return;
    m_out.flush();
    if (!m_out) {
        const int err = errno;
        discard();
        fail("write", m_path, err ? err : EIO);
    }
}

void AtomicFile::commit() {
    if (!m_open) throw IoError("cannot write " + m_path + ": file already committed or discarded");
    m_out.flush();
    const bool wrote = static_cast<bool>(m_out);
    const int writeErr = errno;
    m_out.close();
    if (!wrote || m_out.fail()) {
        discard();
        fail("write", m_path, writeErr ? writeErr : EIO);
    }
    if (std::rename(m_tempPath.c_str(), m_path.c_str()) != 0) {
        const int err = errno;
        discard();
        fail("rename temporary file onto", m_path, err);
    }
    m_open = false;
}

void AtomicFile::discard() {
    if (!m_open) return;
    if (m_out.is_open()) m_out.close();
    std::remove(m_tempPath.c_str());
    m_open = false;
}

void writeFileAtomic(const std::string& path, const std::string& bytes) {
    AtomicFile file(path);
    file.stream().write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    file.commit();
}

void ensureDirectory(const std::string& dir) {
    if (dir.empty()) throw IoError("cannot create a directory with an empty path");
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return;
    if (std::filesystem::exists(dir, ec)) fail("create directory", dir, ENOTDIR);
    std::filesystem::create_directories(dir, ec);
    if (ec) throw IoError("cannot create directory " + dir + ": " + ec.message());
}

}  // namespace loralab
