// The dispatcher (loralab/isa.h): names, what the CPU supports against /proc/cpuinfo (an
// independent reading of the same CPU), and LORALAB_KERNEL.
#include "loralab/isa.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

using namespace loralab;

namespace {

// The "flags" line of /proc/cpuinfo, empty where there is none.
std::set<std::string> cpuFlags() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    std::set<std::string> flags;
    while (std::getline(in, line)) {
        if (line.compare(0, 5, "flags") != 0) continue;
        std::istringstream words(line.substr(line.find(':') + 1));
        for (std::string w; words >> w;) flags.insert(w);
        break;
    }
    return flags;
}

bool hasAll(const std::set<std::string>& flags, std::initializer_list<const char*> names) {
    for (const char* n : names)
        if (flags.count(n) == 0) return false;
    return true;
}

}  // namespace

TEST(Isa, NamesRoundTripAndUnknownNamesAreRefused) {
    for (Isa isa : {Isa::Generic, Isa::Avx2, Isa::Avx512}) EXPECT_EQ(parseIsa(isaName(isa)), isa);
    EXPECT_STREQ(isaName(Isa::Avx512), "avx512");
    for (const char* bad : {"", "AVX2", "sse2", "eigen", "avx512 "})
        EXPECT_THROW(parseIsa(bad), std::invalid_argument) << bad;
}

TEST(Isa, SupportAgreesWithTheKernelsReadingOfTheCpu) {
    EXPECT_TRUE(cpuSupports(Isa::Generic));
    EXPECT_TRUE(!cpuSupports(Isa::Avx512) || cpuSupports(Isa::Avx2));
    const Isa best = bestIsa();
    EXPECT_TRUE(cpuSupports(best));
    EXPECT_TRUE(best == Isa::Avx512 || !cpuSupports(Isa::Avx512));
    EXPECT_TRUE(best != Isa::Generic || !cpuSupports(Isa::Avx2));
#if defined(__x86_64__)
    // Linux lists a feature only when the CPU has it and the kernel enabled its state. (LZCNT,
    // "abm", is left out: some hypervisors hide it from the list while cpuid reports it.)
    const std::set<std::string> flags = cpuFlags();
    if (flags.empty()) GTEST_SKIP() << "no /proc/cpuinfo flags";
    const bool v3 = hasAll(flags, {"avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "xsave"});
    const bool v4 = v3 && hasAll(flags, {"avx512f", "avx512dq", "avx512cd", "avx512bw",
                                         "avx512vl"});
    EXPECT_EQ(cpuSupports(Isa::Avx2), v3);
    EXPECT_EQ(cpuSupports(Isa::Avx512), v4);
#else
    EXPECT_EQ(best, Isa::Generic);
#endif
}

TEST(Isa, TheActiveKernelIsTheForcedOneOrTheBest) {
    const char* forced = std::getenv("LORALAB_KERNEL");
    if (forced != nullptr && *forced != '\0') {
        EXPECT_STREQ(isaName(activeIsa()), forced);
    } else {
        EXPECT_EQ(activeIsa(), bestIsa());
    }
}
