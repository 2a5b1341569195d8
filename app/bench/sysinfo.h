// What the bench reports about the machine and the build, read from Linux (/proc, getrusage,
// uname) and from the compiler's predefined macros. No exceptions: a missing source yields an
// empty string or 0.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace loralab {

struct MachineInfo {
    std::string hostname;      // uname nodename
    std::string cpuModel;      // /proc/cpuinfo "model name" ("" if absent)
    int cores = 0;             // logical CPUs this process may use
    std::int64_t memTotal = 0;      // bytes, /proc/meminfo MemTotal
    std::int64_t memAvailable = 0;  // bytes, /proc/meminfo MemAvailable (what can be allocated
                                    // without swapping)
    std::string openblasCore;  // openblas_get_corename() when OpenBLAS is linked, else ""
    std::string openblasCoretypeEnv;  // $OPENBLAS_CORETYPE (forces OpenBLAS's kernels), or ""
    double loadAverage = 0.0;  // 1-minute load average from /proc/loadavg when it was read
};
MachineInfo machineInfo();

// MemAvailable from /proc/meminfo in bytes; 0 when it cannot be read.
std::int64_t availableMemoryBytes();

// What the program itself takes besides its problem (code, libraries, stacks, allocator slack).
inline constexpr double kProgramBaselineBytes = 64.0 * (1 << 20);

// The check every mode makes before allocating a large problem: when `needBytes` (an estimate)
// exceeds MemAvailable, prints the one line
//   loralab: <mode>: <what> needs an estimated 12.3 GiB but only 4.5 GiB is available
//   (MemAvailable); <hint>
// to `err` and returns true (the caller exits 2). False when it fits, or when MemAvailable
// cannot be read.
bool refuseWhatCannotFit(const std::string& mode, const std::string& what, double needBytes,
                         const std::string& hint, std::ostream& err);

// Peak resident set size of this process in bytes: VmHWM from /proc/self/status, or
// getrusage(RUSAGE_SELF).ru_maxrss when that cannot be read.
std::int64_t peakRssBytes();
// Resets the peak to the current RSS (Linux: "5" into /proc/self/clear_refs), so the next
// peakRssBytes() is the peak of what ran in between. Returns false when the kernel refuses.
bool resetPeakRss();

struct BuildInfo {
    std::string type;      // CMake build type (Release, Debug, ...) or a guess from the macros
    std::string compiler;  // e.g. "GCC 12.2.0"
    std::string flags;     // what the predefined macros reveal: -O, NDEBUG, -march ISA, sanitizers
    bool optimized = false;   // compiled with optimization and NDEBUG
    bool sanitized = false;   // AddressSanitizer (or another sanitizer) is on
    std::string fitKernel;    // the core's kernels in use: "generic", "avx2" or "avx512"
    std::string gemm;         // the core's large products: "openblas" or "eigen"
};
BuildInfo buildInfo();

}  // namespace loralab
