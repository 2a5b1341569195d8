// The bench called directly (app/bench/bench.h): the JSON schema and the values that follow
// from each case (never the times themselves), the markdown table, the memory refusal before
// allocating, option validation, and the warning for a forced OpenBLAS core.
#include "bench/bench.h"

#include "bench/bench_workloads.h"
#include "bench/sysinfo.h"

#include "loralab/isa.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>

using namespace loralab;
using Json = nlohmann::json;

namespace {

BenchOptions smallOptions() {
    BenchOptions o;
    o.workload = "all";
    o.sizes = {256};
    o.ranks = {4};
    o.batch = 64;
    o.threads = 1;
    o.warmup = 1;
    o.reps = 2;
    return o;
}

int countOccurrences(const std::string& text, const std::string& part) {
    int n = 0;
    for (auto pos = text.find(part); pos != std::string::npos; pos = text.find(part, pos + 1)) ++n;
    return n;
}

int countLines(const std::string& text) { return countOccurrences(text, "\n"); }

}  // namespace

TEST(Bench, JsonSchemaAndValues) {
    BenchOptions o = smallOptions();
    o.json = true;
    std::ostringstream out, err;
    ASSERT_EQ(runBench(o, out, err), 0) << err.str();
    const Json j = Json::parse(out.str());

    ASSERT_TRUE(j.is_object());
    for (const char* key : {"loralab", "machine", "build", "results"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j.size(), 4u) << j.dump();
    EXPECT_TRUE(j["loralab"].is_string());
    EXPECT_TRUE(j["machine"].is_object());
    EXPECT_GT(j["machine"]["peak_gflops"].get<double>(), 0.0);
    EXPECT_GT(j["machine"]["bandwidth_gbs"].get<double>(), 0.0);
    EXPECT_GE(j["machine"]["cores"].get<int>(), 1);
    EXPECT_TRUE(j["build"]["type"].is_string());
    EXPECT_EQ(j["build"]["optimized"].get<bool>(), buildInfo().optimized);
    // The flags name the optimization level CMake gave (-O2, -O3, ...), not just "-O".
    const std::string flags = j["build"]["flags"].get<std::string>();
    EXPECT_EQ(flags, buildInfo().flags);
#if defined(__OPTIMIZE__)
    const std::size_t level = flags.find("-O");
    ASSERT_NE(level, std::string::npos) << flags;
    ASSERT_LT(level + 2, flags.size()) << flags;
    EXPECT_NE(flags[level + 2], ' ') << flags;
#endif
    const std::string kernel = j["build"]["fit_kernel"].get<std::string>();
    EXPECT_EQ(kernel, loralab::isaName(loralab::activeIsa()));
    const std::string gemm = j["build"]["gemm"].get<std::string>();
    EXPECT_TRUE(gemm == "openblas" || gemm == "eigen") << gemm;
    EXPECT_TRUE(j["machine"]["limits_isolated"].get<bool>());
    const Json& curve = j["machine"]["read_gbs_by_size"];
    ASSERT_TRUE(curve.is_array());
    ASSERT_GE(curve.size(), 2u);
    for (std::size_t i = 0; i < curve.size(); ++i) {
        EXPECT_GT(curve[i]["gbs"].get<double>(), 0.0);
        if (i > 0) {
            EXPECT_GT(curve[i]["bytes"].get<double>(), curve[i - 1]["bytes"].get<double>());
        }
    }
    EXPECT_GE(j["machine"]["bandwidth_gbs"].get<double>(), j["machine"]["triad_gbs"].get<double>());

    const Json& results = j["results"];
    ASSERT_TRUE(results.is_array());
    ASSERT_EQ(results.size(), 3u);  // fit r=4, layer r=4, full
    const char* workloads[] = {"fit", "layer", "full"};
    const char* methods[] = {"gram", "lora", "full"};
    for (std::size_t i = 0; i < 3; ++i) {
        const Json& r = results[i];
        for (const char* key : {"workload", "method", "d", "k", "rank", "batch", "threads",
                                "optimizer", "ms_median", "ms_min", "ms_sd", "reps", "gflops",
                                "peak_rss_mb", "limit_gflops", "limit_gbs", "roofline_ms",
                                "efficiency"})
            EXPECT_TRUE(r.contains(key)) << key << " in " << r.dump();
        EXPECT_FALSE(r.contains("error")) << r.dump();
        EXPECT_EQ(r["workload"], workloads[i]);
        EXPECT_EQ(r["method"], methods[i]);
        EXPECT_EQ(r["d"], 256);
        EXPECT_EQ(r["k"], 256);
        EXPECT_EQ(r["threads"], 1);
        EXPECT_EQ(r["optimizer"], "adam");
        // At least the 2 steps asked for, and at least 200 ms of timed steps (mean × count).
        const auto reps = r["reps"].get<std::int64_t>();
        EXPECT_GE(reps, 2);
        EXPECT_GE(static_cast<double>(reps) * r["ms_mean"].get<double>(),
                  1000.0 * kBenchMinTimedSeconds * (1.0 - 1e-9));
        const double median = r["ms_median"].get<double>(), minimum = r["ms_min"].get<double>();
        EXPECT_GT(minimum, 0.0);
        EXPECT_LE(minimum, median);
        EXPECT_GE(r["ms_sd"].get<double>(), 0.0);
        EXPECT_GT(r["peak_rss_mb"].get<double>(), 0.0);
        // The roofline is the slower of the case's work at the limits measured after it.
        const double peak = r["limit_gflops"].get<double>() * 1e9;
        const double bandwidth = r["limit_gbs"].get<double>() * 1e9;
        ASSERT_GT(peak, 0.0) << r.dump();
        ASSERT_GT(bandwidth, 0.0) << r.dump();
        const BenchCase c{i == 0 ? Workload::Fit : i == 1 ? Workload::Layer : Workload::Full, 256,
                          256, i == 2 ? 0 : 4, i == 0 ? 0 : 64};
        const double bytes = caseBytesMoved(c, OptimizerKind::Adam);
        EXPECT_GE(r["roofline_ms"].get<double>(), 1e3 * bytes / bandwidth * (1 - 1e-9)) << r.dump();
        // efficiency is defined as roofline / median.
        EXPECT_NEAR(r["efficiency"].get<double>(), r["roofline_ms"].get<double>() / median,
                    1e-9 * r["efficiency"].get<double>() + 1e-12);
        // GFLOP/s × median gives the step's flop count: at least the dominant products.
        const double flops = r["gflops"].get<double>() * median * 1e6;
        const double d = 256, k = 256, rank = 4, n = 64;
        const double dominant = i == 0 ? 4 * d * k * rank : i == 1 ? 2 * d * k * n : 4 * d * k * n;
        EXPECT_GE(flops, dominant * (1 - 1e-9)) << r.dump();
        EXPECT_LE(flops, dominant * 1.6) << r.dump();
    }
    EXPECT_EQ(results[0]["rank"], 4);
    EXPECT_TRUE(results[0]["batch"].is_null());
    EXPECT_EQ(results[1]["batch"], 64);
    EXPECT_TRUE(results[2]["rank"].is_null());
    EXPECT_EQ(results[2]["batch"], 64);
    // One progress line per case on err.
    EXPECT_EQ(countOccurrences(err.str(), "bench ["), 3) << err.str();
}

TEST(Bench, MarkdownTableUnderAHeader) {
    BenchOptions o = smallOptions();
    o.workload = "fit";
    o.ranks = {2, 8};
    std::ostringstream out, err;
    ASSERT_EQ(runBench(o, out, err), 0) << err.str();
    const std::string text = out.str();
    EXPECT_NE(text.find("threads: 1"), std::string::npos) << text;
    EXPECT_NE(text.find("build: "), std::string::npos) << text;
    EXPECT_NE(text.find("| median ms"), std::string::npos) << text;
    EXPECT_NE(text.find("efficiency |"), std::string::npos) << text;
    EXPECT_EQ(countOccurrences(text, "| fit "), 2) << text;
    // (Only the build warning: OPENBLAS_CORETYPE in the environment adds a warning of its own.)
    EXPECT_EQ(text.find("WARNING: this is not an optimized build") != std::string::npos,
              !buildInfo().optimized)
        << text;
    // The table's rows are as wide as its header (columns aligned).
    std::istringstream lines(text);
    std::string line;
    std::size_t width = 0;
    int rows = 0;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] != '|') continue;
        std::size_t cols = 0;
        for (unsigned char c : line) cols += (c & 0xC0) != 0x80;
        if (width == 0) width = cols;
        EXPECT_EQ(cols, width) << line;
        ++rows;
    }
    EXPECT_EQ(rows, 4);  // header, rule, two cases
}

TEST(Bench, RefusesWhatCannotFitBeforeAllocating) {
    BenchOptions o = smallOptions();
    o.workload = "fit";
    o.sizes = {Index{1} << 20};  // T alone would be 4 TiB
    std::ostringstream out, err;
    const std::int64_t rssBefore = peakRssBytes();
    EXPECT_EQ(runBench(o, out, err), 2);
    EXPECT_TRUE(out.str().empty()) << out.str();
    EXPECT_EQ(countLines(err.str()), 1) << err.str();
    const std::string msg = err.str();
    EXPECT_NE(msg.find("needs an estimated"), std::string::npos) << msg;
    EXPECT_NE(msg.find("MemAvailable"), std::string::npos) << msg;
    const auto at = msg.find("estimated ");
    ASSERT_NE(at, std::string::npos);
    EXPECT_GE(std::stod(msg.substr(at + 10)), 4096.0) << msg;  // GiB
    EXPECT_LT(peakRssBytes() - rssBefore, std::int64_t{256} << 20);
}

TEST(Bench, BadOptionsThrowNamingTheOption) {
    struct Case {
        void (*edit)(BenchOptions&);
        const char* says;
    } cases[] = {
        {[](BenchOptions& o) { o.workload = "train"; }, "--workload"},
        {[](BenchOptions& o) { o.ranks = {512}; }, "--ranks"},
        {[](BenchOptions& o) { o.ranks = {}; }, "--ranks"},
        {[](BenchOptions& o) { o.sizes = {}; }, "--sizes"},
        {[](BenchOptions& o) { o.sizes = {0}; }, "--sizes"},
        {[](BenchOptions& o) { o.reps = 0; }, "--reps"},
        {[](BenchOptions& o) { o.warmup = -1; }, "--warmup"},
        {[](BenchOptions& o) { o.batch = 0; }, "--batch"},
        {[](BenchOptions& o) { o.threads = -2; }, "--threads"},
        {[](BenchOptions& o) { o.d = 64; o.k = 0; }, "--d/--k"},
    };
    for (const Case& c : cases) {
        BenchOptions o = smallOptions();
        c.edit(o);
        std::ostringstream out, err;
        try {
            runBench(o, out, err);
            ADD_FAILURE() << "expected std::invalid_argument for " << c.says;
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(c.says), std::string::npos) << e.what();
        }
        EXPECT_TRUE(out.str().empty());
    }
}

TEST(Bench, ForcedOpenBlasCoreTypeIsCalledOut) {
    // Read when the bench starts (OpenBLAS itself chose its kernels when it was loaded).
    ASSERT_EQ(setenv("OPENBLAS_CORETYPE", "Haswell", 1), 0);
    BenchOptions o = smallOptions();
    o.workload = "fit";
    std::ostringstream out, err;
    const int code = runBench(o, out, err);
    unsetenv("OPENBLAS_CORETYPE");
    ASSERT_EQ(code, 0) << err.str();
    EXPECT_NE(err.str().find("WARNING: OPENBLAS_CORETYPE=Haswell"), std::string::npos) << err.str();
    EXPECT_NE(out.str().find("WARNING: OPENBLAS_CORETYPE=Haswell"), std::string::npos) << out.str();
}
