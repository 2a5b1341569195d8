// Command-line values (app/cli/value_parse.h): the whole text must be the number.
#include "cli/value_parse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

TEST(ValueParse, IntegersAreStrict) {
    long long v = 0;
    EXPECT_EQ(loralab::cli::parseInteger("4096", v), "");
    EXPECT_EQ(v, 4096);
    EXPECT_EQ(loralab::cli::parseInteger("-7", v), "");
    EXPECT_EQ(v, -7);
    for (const char* bad : {"", "abc", "4k", " 5", "5 ", "1e3", "2.5", "0x10", "-", "nan", "1,2"})
        EXPECT_NE(loralab::cli::parseInteger(bad, v), "") << bad;
    EXPECT_NE(loralab::cli::parseInteger("99999999999999999999", v).find("too large"), std::string::npos);
}

TEST(ValueParse, RealsAreFinite) {
    double x = 0;
    EXPECT_EQ(loralab::cli::parseReal("1e-3", x), "");
    EXPECT_DOUBLE_EQ(x, 1e-3);
    EXPECT_EQ(loralab::cli::parseReal("-2.5", x), "");
    for (const char* bad : {"", "nan", "NaN", "inf", "-Infinity", "1e999", "0x1p3", "1.0f", " 1"})
        EXPECT_NE(loralab::cli::parseReal(bad, x), "") << bad;
}

TEST(ValueParse, IntegerLists) {
    std::vector<long long> v;
    EXPECT_EQ(loralab::cli::parseIntegerList("1,4,16", v), "");
    EXPECT_EQ(v, (std::vector<long long>{1, 4, 16}));
    for (const char* bad : {"", ",", "1,", ",1", "1,,2", "1;2", "a"})
        EXPECT_NE(loralab::cli::parseIntegerList(bad, v), "") << bad;
}
