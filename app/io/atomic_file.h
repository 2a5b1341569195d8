// Writing files so that a reader never sees half of one: data goes to a temporary file next to
// the destination (same directory, so the final rename is atomic on POSIX), which is renamed
// over the destination only once everything was written, flushed and closed. Any failure
// removes the temporary and throws IoError naming the path and the operation that failed.
#pragma once

#include <fstream>
#include <stdexcept>
#include <string>

namespace loralab {

// A runtime I/O failure (exit code 1 on the command line). The message names the path and the
// operation, e.g. "cannot create out/curve.csv: No such file or directory".
class IoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Streams data into `path` atomically. Usage:
//   AtomicFile f(path);          // creates the temporary now: an unwritable path fails early
//   f.stream() << ...;           // write (can be interleaved with long work: streaming)
//   f.commit();                  // flush, close, rename over `path`
// Destroying it without commit() (an exception, a divergence that aborts the run) removes the
// temporary and leaves `path` as it was.
class AtomicFile {
public:
    explicit AtomicFile(std::string path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    std::ostream& stream() { return m_out; }
    const std::string& path() const { return m_path; }
    void flush();    // pushes buffered data to the temporary; throws IoError on a write error
    void commit();   // throws IoError; afterwards the object is inert
    void discard();  // removes the temporary (also done by the destructor)

private:
    std::string m_path;
    std::string m_tempPath;
    std::ofstream m_out;
    bool m_open = false;
};

// Writes `bytes` to `path` atomically (binary).
void writeFileAtomic(const std::string& path, const std::string& bytes);

// Makes `dir` exist as a directory (creating parents); throws IoError if it cannot, or if a
// non-directory is in the way.
void ensureDirectory(const std::string& dir);

}  // namespace loralab
