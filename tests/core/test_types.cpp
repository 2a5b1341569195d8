// Shared checks (loralab/types.h): the messages name the value and what is allowed; allFinite on
// the active kernels; the thread count a config's 0 means.
#include "loralab/types.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

using namespace loralab;

namespace {

std::string messageOf(void (*f)()) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Types, ChecksNameTheValueAndWhatIsAllowed) {
    EXPECT_EQ(messageOf([] { requireShape(4, 3, 5); }),
              "rank: rank = 5; allowed 1..3 (min(d, k) for d = 4, k = 3)");
    EXPECT_EQ(messageOf([] { requireShape(0, 3, 1); }), "shape: d = 0, k = 3; both must be >= 1");
    EXPECT_EQ(messageOf([] { requireFinite(-1.0, "alpha", true); }),
              "alpha: alpha = -1; must be finite and > 0");
    EXPECT_EQ(messageOf([] { require(false, "what", "detail"); }), "what: detail");
    EXPECT_NO_THROW(requireShape(4, 3, 3));
    EXPECT_NO_THROW(requireFinite(0.0, "x"));
}

TEST(Types, AllFiniteSeesEveryEntry) {
    Matrix m = Matrix::Random(37, 5);
    EXPECT_TRUE(allFinite(m));
    for (Index i : {Index{0}, Index{100}, m.size() - 1}) {
        Matrix bad = m;
        bad.data()[i] = std::numeric_limits<float>::quiet_NaN();
        EXPECT_FALSE(allFinite(bad)) << i;
        bad.data()[i] = -std::numeric_limits<float>::infinity();
        EXPECT_FALSE(allFinite(bad)) << i;
    }
    EXPECT_TRUE(allFinite(Matrix(0, 3)));
}

TEST(Types, ZeroThreadsMeansEveryCoreThisProcessMayUse) {
    cpu_set_t set;
    CPU_ZERO(&set);
    ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
    EXPECT_EQ(resolveThreads(0), CPU_COUNT(&set));
    EXPECT_EQ(resolveThreads(1), 1);
    EXPECT_EQ(resolveThreads(7), 7);
    EXPECT_THROW(resolveThreads(-1), std::invalid_argument);
}
