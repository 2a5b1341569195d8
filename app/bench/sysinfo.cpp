// Machine and build facts for the bench header.
#include "bench/sysinfo.h"

#include "gemm.h"
#include "loralab/isa.h"

#include <dlfcn.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <ostream>
#include <sstream>
#include <thread>

namespace loralab {

namespace {

// Value of "Key:   123 kB" in a /proc file, in bytes (0 if absent).
std::int64_t procKilobytes(const char* path, const std::string& key) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.compare(0, key.size(), key) != 0 || line.size() <= key.size() ||
            line[key.size()] != ':')
            continue;
        std::istringstream fields(line.substr(key.size() + 1));
        long long kb = 0;
        if (fields >> kb) return static_cast<std::int64_t>(kb) * 1024;
    }
    return 0;
}

std::string cpuModel() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.compare(0, 10, "model name") != 0) continue;
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        const auto first = line.find_first_not_of(" \t", colon + 1);
        return first == std::string::npos ? std::string() : line.substr(first);
    }
    return {};
}

}  // namespace

std::int64_t availableMemoryBytes() { return procKilobytes("/proc/meminfo", "MemAvailable"); }

bool refuseWhatCannotFit(const std::string& mode, const std::string& what, double needBytes,
                         const std::string& hint, std::ostream& err) {
    const double available = static_cast<double>(availableMemoryBytes());
    if (!(available > 0.0) || needBytes <= available) return false;
    auto gib = [](double bytes) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
        return std::string(buf);
    };
    err << "loralab: " << mode << ": " << what << " needs an estimated " << gib(needBytes)
        << " but only " << gib(available) << " is available (MemAvailable); " << hint << '\n';
    return true;
}

std::int64_t peakRssBytes() {
    const std::int64_t hwm = procKilobytes("/proc/self/status", "VmHWM");
    if (hwm > 0) return hwm;
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) == 0) return static_cast<std::int64_t>(usage.ru_maxrss) * 1024;
    return 0;
}

bool resetPeakRss() {
    std::ofstream out("/proc/self/clear_refs");
    if (!out) return false;
    out << "5";
    out.flush();
    return static_cast<bool>(out);
}

MachineInfo machineInfo() {
    MachineInfo m;
    utsname names{};
    if (uname(&names) == 0) m.hostname = names.nodename;
    m.cpuModel = cpuModel();
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    const unsigned hw = std::thread::hardware_concurrency();
    m.cores = hw > 0 ? static_cast<int>(hw) : static_cast<int>(online > 0 ? online : 1);
    m.memTotal = procKilobytes("/proc/meminfo", "MemTotal");
    m.memAvailable = availableMemoryBytes();
    // Only when OpenBLAS is already in the process (linked in): look the symbol up, never load it.
    using CoreName = char* (*)();
    if (auto f = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename")))
        if (const char* name = f()) m.openblasCore = name;
    if (const char* forced = std::getenv("OPENBLAS_CORETYPE")) m.openblasCoretypeEnv = forced;
    std::ifstream load("/proc/loadavg");
    load >> m.loadAverage;
    return m;
}

BuildInfo buildInfo() {
    BuildInfo b;
    b.fitKernel = isaName(activeIsa());
    b.gemm = gemmBackend();
    std::string flags;
#if defined(__OPTIMIZE__)
    const bool optimize = true;
#else
    const bool optimize = false;
#endif
#if defined(NDEBUG)
    const bool ndebug = true;
#else
    const bool ndebug = false;
#endif
#if defined(LORALAB_OPT_FLAGS)
    flags = LORALAB_OPT_FLAGS;  // the configuration's, as CMake passed them
#endif
    if (flags.empty()) {
        flags = optimize ? "-O" : "-O0";  // which -O, the preprocessor does not tell
        if (ndebug) flags += " -DNDEBUG";
    }
#if defined(__AVX512F__)
    flags += " avx512f";
#elif defined(__AVX2__)
    flags += " avx2";
#elif defined(__AVX__)
    flags += " avx";
#else
    flags += " sse2";
#endif
#if defined(__FMA__)
    flags += " fma";
#endif
#if defined(_OPENMP)
    flags += " openmp";
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    b.sanitized = true;
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
    b.sanitized = true;
#endif
#endif
#if defined(LORALAB_SANITIZE_BUILD)
    if (LORALAB_SANITIZE_BUILD) b.sanitized = true;
#endif
    if (b.sanitized) flags += " -fsanitize";
    b.flags = flags;
    b.optimized = optimize && ndebug && !b.sanitized;
#if defined(LORALAB_BUILD_TYPE)
    b.type = LORALAB_BUILD_TYPE;
#endif
    if (b.type.empty()) b.type = optimize && ndebug ? "Release (guessed)" : "Debug (guessed)";
#if defined(__clang__)
    b.compiler = "Clang " __clang_version__;
#elif defined(__GNUC__)
    b.compiler = "GCC " __VERSION__;
#endif
    return b;
}

}  // namespace loralab
