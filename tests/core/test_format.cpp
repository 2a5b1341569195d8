// Formatting (loralab/format.h): the forms messages and tables rely on.
#include "loralab/format.h"

#include <gtest/gtest.h>

using namespace loralab;

TEST(Format, ShapesAndNumbers) {
    EXPECT_EQ(shapeStr(3, 4), "3x4");
    EXPECT_EQ(shapeStr(Matrix(0, 7)), "0x7");
    EXPECT_EQ(num(0.9), "0.9");
    EXPECT_EQ(num(1e-8), "1e-08");
    EXPECT_EQ(num(4096), "4096");
    EXPECT_EQ(num(-2.5), "-2.5");
    EXPECT_EQ(significant(1234.56), "1234.6");
    EXPECT_EQ(significant(12.346), "12.35");
    EXPECT_EQ(significant(0.5), "0.500");
    EXPECT_EQ(significant(0.01234), "0.0123");
    EXPECT_EQ(significant(-150.0), "-150.0");
}
