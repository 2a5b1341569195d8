// Huge pages (huge_pages.h): large matrices backed by 2 MiB pages where the kernel offers them,
// and what was written (or zeroed) is what is read.
#include "huge_pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

using namespace loralab;

namespace {

bool hugePagesOnRequest() {
    std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string line;
    std::getline(f, line);
    return line.find("[madvise]") != std::string::npos ||
           line.find("[always]") != std::string::npos;
}

// kB of AnonHugePages in the mapping that contains address p (from /proc/self/smaps).
long hugeKiBAt(const void* p) {
    std::ifstream smaps("/proc/self/smaps");
    const auto addr = reinterpret_cast<std::uintptr_t>(p);
    std::string line;
    bool inside = false;
    while (std::getline(smaps, line)) {
        std::uintptr_t lo = 0, hi = 0;
        char dash = 0;
        std::istringstream head(line);
        if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
            inside = lo <= addr && addr < hi;
            continue;
        }
        if (inside && line.compare(0, 14, "AnonHugePages:") == 0)
            return std::stol(line.substr(14));
    }
    return -1;
}

}  // namespace

// The pages hugeMatrix hands back to the kernel are dropped before anything is written: what
// is written stays (also across the whole pages inside, and the partial ones at the ends), and
// hugeZeros is all zeros even on memory the allocator recycled from a matrix full of sevens.
TEST(HugePages, WritesSurviveAndZerosAreZerosOnRecycledMemory) {
    for (Index cols : {Index{1}, Index{3}, Index{700}}) {
        Matrix m = hugeMatrix(1031, cols);  // 4 KiB pages and 2 MiB pages both cut inside
        ASSERT_EQ(m.rows(), 1031);
        ASSERT_EQ(m.cols(), cols);
        for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(i % 4099);
        for (Index i = 0; i < m.size(); ++i)
            ASSERT_EQ(m.data()[i], static_cast<float>(i % 4099)) << "entry " << i;
    }
    for (int round = 0; round < 3; ++round) {
        {
            Matrix sevens = hugeMatrix(1536, 1024);  // 6 MiB
            sevens.setConstant(7.0f);
        }
        const Matrix zeros = hugeZeros(1536, 1024);
        ASSERT_TRUE((zeros.array() == 0.0f).all()) << "round " << round;
    }
    float small[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    adviseHugePages(nullptr, std::size_t{1} << 30);  // ignored
    adviseHugePages(small, sizeof small);             // below 2 MiB: ignored, untouched
    for (int i = 0; i < 8; ++i) EXPECT_EQ(small[i], static_cast<float>(i + 1));
}

TEST(HugePages, LargeMatrixIsBackedByHugePagesWhereTheKernelOffersThem) {
    if (!hugePagesOnRequest())
        GTEST_SKIP() << "transparent huge pages are off on this machine";
    Matrix m = hugeMatrix(2048, 2048);  // 16 MiB
    m.setZero();                        // first touch, after the advice
    // The advice covers whole pages inside the matrix: look at the mapping of its middle.
    const long kib = hugeKiBAt(m.data() + m.size() / 2);
    // The kernel may be short of free 2 MiB blocks (a busy machine's memory is fragmented: 6 of
    // 16 MiB were huge once while a build ran beside the test), so ask for one; without the
    // advice, in THP's madvise mode, there would be none.
    EXPECT_GE(kib, 2 * 1024) << "AnonHugePages " << kib << " kB in the matrix's mapping";
}

