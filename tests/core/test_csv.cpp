// Strict CSV matrix reader: what it accepts (CRLF, spaces, comments, trailing blank lines, BOM,
// exponents) and, for every way of being wrong, that it throws InputError at the right line:column.
#include "loralab/csv.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace loralab;

namespace {

struct Failure {
    std::string message;
    long line = -1, column = -1;
};

Failure parseFailure(const std::string& text, const CsvLimits& limits = {}) {
    try {
        parseCsvMatrix(text, "t.csv", limits);
    } catch (const InputError& e) {
        return {e.what(), e.line(), e.column()};
    }
    ADD_FAILURE() << "expected InputError for: " << text;
    return {};
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

// A temporary file removed at scope exit.
struct TempFile {
    std::string path;
    explicit TempFile(const std::string& contents) {
        char name[] = "/tmp/loralab_test_csv_XXXXXX";
        const int fd = mkstemp(name);
        EXPECT_GE(fd, 0);
        if (fd >= 0) close(fd);
        path = name;
        std::ofstream(path, std::ios::binary) << contents;
    }
    ~TempFile() { std::remove(path.c_str()); }
};

}  // namespace

// ---- accepted ----------------------------------------------------------------------------------

TEST(CsvAccepts, PlainMatrixRowMajorInFile) {
    const Matrix M = parseCsvMatrix("1,2,3\n4,5,6\n");
    ASSERT_EQ(M.rows(), 2);
    ASSERT_EQ(M.cols(), 3);
    EXPECT_EQ(M(0, 0), 1.0f);
    EXPECT_EQ(M(0, 2), 3.0f);
    EXPECT_EQ(M(1, 0), 4.0f);
    EXPECT_EQ(M(1, 2), 6.0f);
}

TEST(CsvAccepts, NumberForms) {
    const Matrix M = parseCsvMatrix("-1.5,+2,.25,3.,1e-3,-2.5E+2,0,-0\n");
    ASSERT_EQ(M.cols(), 8);
    const float expected[] = {-1.5f, 2.0f, 0.25f, 3.0f, 1e-3f, -250.0f, 0.0f, 0.0f};
    for (int j = 0; j < 8; ++j) EXPECT_FLOAT_EQ(M(0, j), expected[j]) << j;
}

TEST(CsvAccepts, CrlfSpacesTabsCommentsAndTrailingBlankLines) {
    const std::string text =
        "# exported by hand\r\n"
        "  1 ,\t2\r\n"
        "   # a comment between rows is fine\r\n"
        "3,  4  \r\n"
        "\r\n"
        "   \n"
        "# trailing comment\n"
        "\n";
    const Matrix M = parseCsvMatrix(text);
    ASSERT_EQ(M.rows(), 2);
    ASSERT_EQ(M.cols(), 2);
    EXPECT_EQ(M(0, 1), 2.0f);
    EXPECT_EQ(M(1, 0), 3.0f);
}

TEST(CsvAccepts, NoTrailingNewlineAndSingleCell) {
    const Matrix M = parseCsvMatrix("7");
    ASSERT_EQ(M.rows(), 1);
    ASSERT_EQ(M.cols(), 1);
    EXPECT_EQ(M(0, 0), 7.0f);
}

TEST(CsvAccepts, Utf8ByteOrderMark) {
    const Matrix M = parseCsvMatrix("\xEF\xBB\xBF" "1,2\n3,4\n");
    EXPECT_EQ(M.rows(), 2);
    EXPECT_EQ(M(0, 0), 1.0f);
}

TEST(CsvAccepts, UnderflowBecomesZeroAndFloatRangeEdgesPass) {
    const Matrix M = parseCsvMatrix("1e-400,3.4e38,-3.4e38,0.0000000000000000000000000000000000000000000001e-300\n");
    EXPECT_EQ(M(0, 0), 0.0f);
    EXPECT_FLOAT_EQ(M(0, 1), 3.4e38f);
    EXPECT_FLOAT_EQ(M(0, 2), -3.4e38f);
    EXPECT_EQ(M(0, 3), 0.0f);
}

TEST(CsvAccepts, LimitsAreInclusive) {
    CsvLimits limits;
    limits.maxRows = 2;
    limits.maxCols = 3;
    const Matrix M = parseCsvMatrix("1,2,3\n4,5,6\n", "t.csv", limits);
    EXPECT_EQ(M.rows(), 2);
    EXPECT_EQ(M.cols(), 3);
}

// ---- rejected, with line:column ----------------------------------------------------------------

TEST(CsvRejects, RaggedShortRowPointsAtItsEnd) {
    const Failure f = parseFailure("1,2,3\n4,5\n");
    EXPECT_EQ(f.line, 2);
    EXPECT_EQ(f.column, 4);
    EXPECT_TRUE(contains(f.message, "t.csv:2:4:")) << f.message;
    EXPECT_TRUE(contains(f.message, "2 cells")) << f.message;
    EXPECT_TRUE(contains(f.message, "must have 3")) << f.message;
}

TEST(CsvRejects, RaggedLongRowPointsAtTheExtraCell) {
    const Failure f = parseFailure("1,2\n3,4\n5,6, 7\n");
    EXPECT_EQ(f.line, 3);
    EXPECT_EQ(f.column, 6);
    EXPECT_TRUE(contains(f.message, "more than 2 cells")) << f.message;
}

TEST(CsvRejects, NonNumbers) {
    const struct {
        const char* text;
        long line, column;
    } cases[] = {
        {"1,2\n3,four\n", 2, 3},  {"1,2\n3,4x\n", 2, 3},  {"1;2\n", 1, 1},
        {"1,2\n 0x10,3\n", 2, 2}, {"1,2 # note\n", 1, 3}, {"1,--2\n", 1, 3},
        {"1,1e\n", 1, 3},         {"1,.\n", 1, 3},        {"1,1 2\n", 1, 3},
        {"\"1\",2\n", 1, 1},      {"1,1.2.3\n", 1, 3},    {"1,\xC3\xA9\n", 1, 3},
    };
    for (const auto& c : cases) {
        const Failure f = parseFailure(c.text);
        EXPECT_EQ(f.line, c.line) << c.text << " -> " << f.message;
        EXPECT_EQ(f.column, c.column) << c.text << " -> " << f.message;
        EXPECT_TRUE(contains(f.message, "not a number")) << f.message;
    }
}

TEST(CsvRejects, EmptyCells) {
    for (const char* text : {"1,,3\n", "1,2,\n", ",1,2\n", "1, ,2\n"}) {
        const Failure f = parseFailure(text);
        EXPECT_EQ(f.line, 1) << text;
        EXPECT_TRUE(contains(f.message, "empty cell")) << text << " -> " << f.message;
    }
    EXPECT_EQ(parseFailure("1,,3\n").column, 3);
}

TEST(CsvRejects, NanAndInfinity) {
    for (const char* cell : {"nan", "NaN", "-nan", "inf", "-Inf", "+infinity", "INFINITY"}) {
        const Failure f = parseFailure(std::string("1,2\n3,") + cell + "\n");
        EXPECT_EQ(f.line, 2) << cell;
        EXPECT_EQ(f.column, 3) << cell;
        EXPECT_TRUE(contains(f.message, "not a finite number")) << f.message;
    }
}

TEST(CsvRejects, OutsideSinglePrecision) {
    for (const char* cell : {"3.5e38", "-1e39", "1e400", "1e999999999999999"}) {
        const Failure f = parseFailure(std::string("1,") + cell + "\n");
        EXPECT_EQ(f.column, 3) << cell;
        EXPECT_TRUE(contains(f.message, "single-precision range")) << cell << ": " << f.message;
    }
}

TEST(CsvRejects, NoRows) {
    for (const char* text : {"", "\n\n", "# only a comment\n", "   \r\n\t\n", "\xEF\xBB\xBF"}) {
        const Failure f = parseFailure(text);
        EXPECT_TRUE(contains(f.message, "t.csv: no rows")) << f.message;
        EXPECT_EQ(f.line, 0);
    }
}

TEST(CsvRejects, BlankLineBetweenRows) {
    const Failure f = parseFailure("1,2\n\n3,4\n");
    EXPECT_EQ(f.line, 2);
    EXPECT_TRUE(contains(f.message, "blank line between rows")) << f.message;
    // ...also when a comment follows the blank line.
    EXPECT_EQ(parseFailure("1,2\n  \n# c\n3,4\n").line, 2);
}

TEST(CsvRejects, BinaryJunk) {
    const Failure nul = parseFailure(std::string("1,2\n3,\0", 7) + "4\n");
    EXPECT_EQ(nul.line, 2);
    EXPECT_EQ(nul.column, 3);
    EXPECT_TRUE(contains(nul.message, "0x00")) << nul.message;
    const Failure bell = parseFailure("1,2\x07\n");
    EXPECT_EQ(bell.column, 4);
    EXPECT_TRUE(contains(bell.message, "0x07")) << bell.message;
    EXPECT_TRUE(contains(parseFailure("1,2\r3,4\n").message, "0x0D"));  // old Mac line ending
    EXPECT_TRUE(contains(parseFailure("\x7F" "ELF\x02\x01").message, "0x7F"));
    // Binary junk inside a comment is still binary junk.
    EXPECT_EQ(parseFailure(std::string("# \0\n1\n", 6)).line, 1);
}

TEST(CsvRejects, AbsurdDimensions) {
    CsvLimits limits;
    limits.maxRows = 2;
    limits.maxCols = 3;
    const Failure wide = parseFailure("1,2,3,4\n", limits);
    EXPECT_EQ(wide.line, 1);
    EXPECT_EQ(wide.column, 7);
    EXPECT_TRUE(contains(wide.message, "more than 3 columns")) << wide.message;
    const Failure tall = parseFailure("1\n2\n3\n", limits);
    EXPECT_EQ(tall.line, 3);
    EXPECT_TRUE(contains(tall.message, "more than 2 rows")) << tall.message;
    // The default limits (8192) hold a wide row off too.
    std::string row = "0";
    for (int j = 1; j < 8193; ++j) row += ",0";
    EXPECT_TRUE(contains(parseFailure(row).message, "more than 8192 columns"));
}

TEST(CsvRejects, BadLimitsAreAnInvalidArgument) {
    CsvLimits limits;
    limits.maxRows = 0;
    EXPECT_THROW(parseCsvMatrix("1\n", "t.csv", limits), std::invalid_argument);
    limits.maxRows = 4;
    limits.maxCols = Index{1} << 40;
    EXPECT_THROW(parseCsvMatrix("1\n", "t.csv", limits), std::invalid_argument);
}

// ---- files -------------------------------------------------------------------------------------

TEST(CsvFile, ReadsAFileAndNamesItInErrors) {
    TempFile good("1,2\n3,4\n");
    const Matrix M = readCsvMatrix(good.path);
    EXPECT_EQ(M.rows(), 2);
    EXPECT_EQ(M(1, 1), 4.0f);

    TempFile bad("1,2\n3,x\n");
    try {
        readCsvMatrix(bad.path);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_TRUE(contains(e.what(), bad.path + ":2:3:")) << e.what();
    }
}

TEST(CsvFile, MissingFileAndDirectory) {
    try {
        readCsvMatrix("/nonexistent/dir/m.csv");
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_TRUE(contains(e.what(), "/nonexistent/dir/m.csv: cannot open")) << e.what();
    }
    EXPECT_THROW(readCsvMatrix("/tmp"), InputError);
}

TEST(CsvFile, DeviceOfZerosIsRefusedQuickly) {
    try {
        readCsvMatrix("/dev/zero");
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_TRUE(contains(e.what(), "/dev/zero:1:1:")) << e.what();
        EXPECT_TRUE(contains(e.what(), "0x00")) << e.what();
    }
}
