// The one output path: every file LoRA Lab writes (curve CSV, PNGs, adapter files, settings,
// safetensors) goes through OutputFile or writeOutputFile. What happens depends on what the
// path names when it is opened:
//
//   regular file, or nothing   atomic: a temporary in the same folder (mode of the file it
//                              replaces), every write checked, fsync, rename over the path.
//                              Readers see the old contents or the new, never half.
//   symlink (chains too)       followed (a relative link from its own folder), then as above
//                              on the final target: the link stays a link, a dangling link's
//                              target is created.
//   FIFO, character device,    written in place: every write and the close checked; never
//   socket                     created, renamed over or removed (opening a FIFO waits for its
//                              reader, as a shell redirection does).
//   "-" (where allowed)        standard output; its reader going away (`| head`) throws
//                              StdoutClosed, which ends the program quietly.
//   folder, block device, "-"  OutputPathError (bad usage, exit 2), before anything is written.
//   where not allowed
//
// A failed write (ENOSPC, EPIPE, EIO, ...) throws IoError naming the path and the reason (exit 1);
// no temporary is left and a replaced file keeps its old contents. main() ignores SIGPIPE, so a
// FIFO whose reader left fails here with EPIPE instead of killing the process.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace loralab {

// A runtime I/O failure (exit code 1 on the command line). The message names the path and the
// operation, e.g. "cannot write out/curve.csv: No space left on device".
class IoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A destination that can never take the output as asked (exit code 2), e.g. a folder.
class OutputPathError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// Standard output was closed by its reader; not an error to report.
class StdoutClosed : public std::runtime_error {
public:
    StdoutClosed() : std::runtime_error("standard output was closed by its reader") {}
};

enum class OutputKind {
    File,            // atomic replace of `target`
    Stream,          // FIFO, character device or socket at `target`, written in place
    StandardOutput,  // "-"
};

struct OutputTarget {
    OutputKind kind = OutputKind::File;
    std::string target;  // the path written (symlinks followed); empty for StandardOutput
};

// Where `path` leads. Throws OutputPathError (folder, block device, "-" unless allowStdout,
// empty path) or IoError (a link that loops or cannot be read, a folder that does not exist).
// Creates nothing, so a long run can check its outputs before it starts.
OutputTarget resolveOutput(const std::string& path, bool allowStdout = false);

// Streams data to `path` by the rules above. Usage:
//   OutputFile f(path);     // opens now: an unwritable path fails before any long work
//   f.write(...);           // buffered; throws IoError (or StdoutClosed)
//   f.commit();             // flush, fsync, close, rename (File); flush, close (Stream)
// Destroying it without commit() removes a temporary; a stream keeps what already reached it.
class OutputFile {
public:
    explicit OutputFile(std::string path, bool allowStdout = false);
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    void write(std::string_view bytes);
    void flush();    // pushes buffered bytes to the destination
    void commit();   // afterwards the object is inert
    void discard();  // drops a temporary (also done by the destructor)

    const std::string& path() const { return m_path; }
    OutputKind kind() const { return m_target.kind; }
    bool isOpen() const { return m_open; }

private:
    void writeAll(const char* data, std::size_t size);
    [[noreturn]] void fail(const std::string& operation, int err);

    std::string m_path;  // as the user gave it
    OutputTarget m_target;
    std::string m_tempPath;
    std::string m_buffer;
    int m_fd = -1;
    bool m_open = false;
};

// The whole of `bytes` to `path` through OutputFile (the call for one-shot outputs).
void writeOutputFile(const std::string& path, std::string_view bytes, bool allowStdout = false);

// "path" or "path (-> target)" when symlinks led elsewhere; "standard output" for "-".
std::string describeOutput(const std::string& path, const OutputTarget& target);

// Test seam: every write(2) of this path goes through `f` (nullptr restores ::write), so tests
// can inject ENOSPC or EIO where no full filesystem can be mounted.
using WriteFunction = long (*)(int fd, const void* data, std::size_t size);
void setWriteFunctionForTests(WriteFunction f);

}  // namespace loralab
