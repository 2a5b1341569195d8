// main() of the core's tests. CTest runs each once per kernel (LORALAB_KERNEL); a kernel this
// CPU cannot run makes the test exit with 77, which CTest reports as skipped.
#include "loralab/isa.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

int main(int argc, char** argv) {
    bool listing = false;
    for (int i = 1; i < argc; ++i) listing = listing || std::strcmp(argv[i], "--gtest_list_tests") == 0;
    if (!listing) {
        try {
            (void)loralab::activeIsa();
        } catch (const std::invalid_argument& e) {
            std::printf("skipped: %s\n", e.what());
            return 77;
        }
    }
    testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
