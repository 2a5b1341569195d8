// The loss-curve CSV (app/io/curve_csv.h): the documented header, one row per point, values
// that read back as the floats they were, and no file until the writer commits.
#include "io/curve_csv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

fs::path scratch() {
    std::string pattern = (fs::temp_directory_path() / "loralab-curve-XXXXXX").string();
    return mkdtemp(pattern.data());
}

std::vector<std::string> split(const std::string& row) {
    std::vector<std::string> fields;
    std::stringstream in(row);
    for (std::string f; std::getline(in, f, ',');) fields.push_back(f);
    return fields;
}

}  // namespace

TEST(CurveCsv, HeaderThenOneRowPerPoint) {
    const fs::path dir = scratch();
    const std::vector<loralab::HistoryPoint> history{
        {0, 1.0, 0.25, 2}, {1, 0.5, 0.25, 2}, {7, 0.125, 0.0625, 3}};
    loralab::writeCurveCsv((dir / "c.csv").string(), history);
    std::ifstream in(dir / "c.csv");
    std::string line;
    ASSERT_TRUE(std::getline(in, line));
    EXPECT_EQ(line, "step,loss,floor,rank");
    for (const loralab::HistoryPoint& p : history) {
        ASSERT_TRUE(std::getline(in, line));
        const std::vector<std::string> f = split(line);
        ASSERT_EQ(f.size(), 4u) << line;
        EXPECT_EQ(std::stoll(f[0]), p.step);
        EXPECT_EQ(std::stod(f[1]), p.loss);  // exact binary fractions print exactly
        EXPECT_EQ(std::stod(f[2]), p.floor);
        EXPECT_EQ(std::stoll(f[3]), p.rank);
    }
    EXPECT_FALSE(std::getline(in, line));
    fs::remove_all(dir);
}

TEST(CurveCsv, RowsReadBackAsTheFloatsTheyCameFrom) {
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> mantissa(1.0f, 2.0f);
    std::uniform_int_distribution<int> exponent(-40, 20);
    for (int i = 0; i < 2000; ++i) {
        const float loss = std::ldexp(mantissa(rng), exponent(rng));
        const float floor = std::ldexp(mantissa(rng), exponent(rng));
        const std::vector<std::string> f = split(loralab::curveRow({i, loss, floor, 4}));
        ASSERT_EQ(f.size(), 4u);
        EXPECT_EQ(std::strtof(f[1].c_str(), nullptr), loss) << f[1];
        EXPECT_EQ(std::strtof(f[2].c_str(), nullptr), floor) << f[2];
    }
}

TEST(CurveCsv, NothingAppearsUntilTheWriterCommits) {
    const fs::path dir = scratch();
    const fs::path path = dir / "c.csv";
    {
        loralab::CurveCsvWriter writer(path.string());
        writer.append({0, 1.0, 0.5, 1});
        EXPECT_EQ(writer.rows(), 1);
        EXPECT_FALSE(fs::exists(path));
    }  // a run that stops without commit() leaves no file
    EXPECT_FALSE(fs::exists(path));
    EXPECT_TRUE(fs::is_empty(dir));
    loralab::CurveCsvWriter writer(path.string());
    writer.append({0, 1.0, 0.5, 1});
    writer.commit();
    EXPECT_TRUE(fs::exists(path));
    fs::remove_all(dir);
}
