// Machine and build facts (app/bench/sysinfo.h): the peak RSS follows an allocation and resets,
// and the machine's figures come from /proc.
#include "bench/sysinfo.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>

using namespace loralab;

TEST(SysInfo, PeakRssFollowsAnAllocationAndResets) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "AddressSanitizer keeps freed memory in quarantine: RSS does not fall";
#endif
    if (!resetPeakRss()) GTEST_SKIP() << "kernel does not allow resetting the peak RSS";
    const std::int64_t before = peakRssBytes();
    constexpr std::size_t bytes = std::size_t{96} << 20;
    {
        std::unique_ptr<char[]> block(new char[bytes]);
        std::memset(block.get(), 1, bytes);  // touch every page
        EXPECT_GE(peakRssBytes() - before, static_cast<std::int64_t>(bytes) * 9 / 10);
        EXPECT_EQ(block[bytes / 2], 1);
    }
    ASSERT_TRUE(resetPeakRss());
    EXPECT_LT(peakRssBytes() - before, static_cast<std::int64_t>(bytes) / 2);
}

TEST(SysInfo, MachineInfoFromProc) {
    const MachineInfo m = machineInfo();
    EXPECT_GE(m.cores, 1);
    EXPECT_GT(m.memTotal, 0);
    EXPECT_GT(m.memAvailable, 0);
    EXPECT_LE(m.memAvailable, m.memTotal);
}
