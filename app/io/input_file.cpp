#include "io/input_file.h"

#include "loralab/csv.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace loralab {

std::string inputName(const std::string& path) { return path == "-" ? "standard input" : path; }

std::string readInputFile(const std::string& path, std::uintmax_t maxBytes,
                          const std::string& expected) {
    const std::string name = inputName(path);
    const bool standardInput = path == "-";
    const int fd = standardInput ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw InputError(name + ": cannot open: " + std::strerror(errno));
    struct Closer {
        int fd;
        bool own;
        ~Closer() { if (own) ::close(fd); }
    } closer{fd, !standardInput};

    struct stat st {};
    if (::fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) throw InputError(name + ": is a folder; expected " + expected);
        if (S_ISREG(st.st_mode) && static_cast<std::uintmax_t>(st.st_size) > maxBytes)
            throw InputError(name + ": larger than " + std::to_string(maxBytes >> 20) +
                             " MiB; expected " + expected + " this program can use");
    }
    // Pipes have no size: read in chunks and stop once past the limit.
    std::string bytes;
    char chunk[65536];
    for (;;) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw InputError(name + ": cannot read: " + std::strerror(errno));
        if (n == 0) break;
        bytes.append(chunk, static_cast<std::size_t>(n));
        if (bytes.size() > maxBytes)
            throw InputError(name + ": larger than " + std::to_string(maxBytes >> 20) +
                             " MiB; expected " + expected + " this program can use");
    }
    return bytes;
}

}  // namespace loralab
