// The bench's results and how they print (app/bench/bench_report.h): the statistics against
// closed forms, and one table of fields behind both the markdown and the JSON.
#include "bench/bench_report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>
#include <string>

using namespace loralab;

namespace {

BenchReport twoCases() {
    BenchReport rep;
    rep.threads = 2;
    rep.limits.peakFlops = 1e11;
    rep.limits.peakSource = "eigen";
    rep.limits.bandwidth = 2e10;
    BenchResult ok;
    ok.c = {Workload::Fit, 512, 256, 8, 0};
    ok.threads = 2;
    ok.ok = true;
    ok.reps = 12;
    summarizeTimes({1.0, 2.0, 3.0}, ok);
    ok.gflops = 4.5;
    ok.efficiency = 0.75;
    BenchResult failed;
    failed.c = {Workload::Full, 512, 256, 0, 64};
    failed.ok = false;
    failed.error = "out of memory";
    rep.results = {ok, failed};
    return rep;
}

}  // namespace

TEST(BenchReport, StatisticsClosedForm) {
    BenchResult r;
    summarizeTimes({3.0, 1.0, 2.0, 10.0}, r);
    EXPECT_EQ(r.reps, 4);
    EXPECT_DOUBLE_EQ(r.msMedian, 2.5);
    EXPECT_DOUBLE_EQ(r.msMean, 4.0);
    EXPECT_DOUBLE_EQ(r.msMin, 1.0);
    EXPECT_NEAR(r.msSd, std::sqrt(50.0 / 3.0), 1e-12);
    summarizeTimes({7.0}, r);
    EXPECT_DOUBLE_EQ(r.msMedian, 7.0);
    EXPECT_DOUBLE_EQ(r.msSd, 0.0);
}

TEST(BenchReport, JsonRowsFollowTheCases) {
    std::ostringstream out;
    printJson(twoCases(), out);
    const std::string text = out.str();
    ASSERT_EQ(text.find('\n'), text.size() - 1);  // one object, one line
    const nlohmann::json j = nlohmann::json::parse(text);
    const nlohmann::json& r = j["results"];
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0]["workload"], "fit");
    EXPECT_EQ(r[0]["method"], "gram");
    EXPECT_EQ(r[0]["d"], 512);
    EXPECT_EQ(r[0]["k"], 256);
    EXPECT_EQ(r[0]["rank"], 8);
    EXPECT_TRUE(r[0]["batch"].is_null());
    EXPECT_EQ(r[0]["ms_median"], 2.0);
    EXPECT_EQ(r[0]["efficiency"], 0.75);
    EXPECT_FALSE(r[0].contains("error"));
    // A failed case keeps its shape, has no timings, and says why.
    EXPECT_EQ(r[1]["workload"], "full");
    EXPECT_TRUE(r[1]["rank"].is_null());
    EXPECT_EQ(r[1]["batch"], 64);
    EXPECT_TRUE(r[1]["ms_median"].is_null());
    EXPECT_TRUE(r[1]["efficiency"].is_null());
    EXPECT_EQ(r[1]["error"], "out of memory");
    EXPECT_EQ(j["machine"]["peak_gflops"], 100.0);
    EXPECT_EQ(j["machine"]["threads"], 2);
}

TEST(BenchReport, MarkdownNamesAFailedCaseUnderTheTable) {
    std::ostringstream out;
    printMarkdown(twoCases(), out);
    const std::string text = out.str();
    EXPECT_NE(text.find("| fit "), std::string::npos) << text;
    EXPECT_NE(text.find("| 2.000 "), std::string::npos) << text;  // the median, 3-4 digits
    EXPECT_NE(text.find("FAILED"), std::string::npos) << text;
    EXPECT_NE(text.find("FAILED: full 512x256: out of memory"), std::string::npos) << text;
}
