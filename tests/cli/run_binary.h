// Running the built loralab binary from a test: arguments in, exit code and both streams out.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace loralab::test {

struct RunResult {
    int exitCode = -1;  // the process's exit status; 128 + signal if it was killed
    std::string out;
    std::string err;
};

// Runs LORALAB_BIN (the path CMake passed in) with `args`; stdin is /dev/null.
RunResult runLoralab(const std::vector<std::string>& args);

struct RunOptions {
    const std::string* stdinData = nullptr;  // piped to stdin (else /dev/null)
    std::string cwd;                         // working folder (else the test's)
    std::vector<std::string> env;            // extra NAME=value entries
    // Stop reading stdout and close its pipe once this many bytes arrived (0: at once), as
    // `| head -c N` does; the rest of stdout is then lost.
    std::size_t closeStdoutAfter = static_cast<std::size_t>(-1);
};
RunResult runLoralab(const std::vector<std::string>& args, const RunOptions& options);

// The whole stdout parsed as exactly one JSON object (fails the test otherwise).
nlohmann::json parseJsonObject(const RunResult& r);

// A fresh empty directory for one test (removed by the caller's TempDir destructor).
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return m_path; }
    std::string file(const std::string& name) const { return m_path + "/" + name; }
    std::vector<std::string> entries() const;  // names in the directory, sorted

private:
    std::string m_path;
};

std::string readFile(const std::string& path);
void writeFile(const std::string& path, const std::string& text);
bool fileExists(const std::string& path);
int countLines(const std::string& text);

}  // namespace loralab::test
