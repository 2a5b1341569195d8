// loralab --bench through the command line: the flags reach the bench (sizes, ranks, batch,
// reps, optimizer) and the JSON has the documented schema. Never the times.
#include "run_binary.h"

#include "loralab/isa.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

using loralab::test::parseJsonObject;
using loralab::test::runLoralab;

TEST(CliBench, SmokeRunSchemaAndFlags) {
    const auto r = runLoralab({"--bench", "--workload", "layer", "--sizes", "128,256", "--ranks",
                               "2", "--batch", "16", "--warmup", "1", "--reps", "2",
                               "--optimizer", "sgd", "--threads", "1", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    for (const char* key : {"loralab", "machine", "build", "results"})
        EXPECT_TRUE(j.contains(key)) << key << " missing in " << r.out;
    ASSERT_TRUE(j["results"].is_array());
    ASSERT_EQ(j["results"].size(), 2u) << r.out;
    const std::int64_t sizes[] = {128, 256};
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& c = j["results"][i];
        for (const char* key : {"workload", "method", "d", "k", "rank", "batch", "threads",
                                "optimizer", "ms_median", "ms_min", "ms_sd", "reps", "gflops",
                                "peak_rss_mb"})
            EXPECT_TRUE(c.contains(key)) << key << " missing in " << c.dump();
        EXPECT_EQ(c["workload"], "layer");
        EXPECT_EQ(c["d"].get<std::int64_t>(), sizes[i]);
        EXPECT_EQ(c["k"].get<std::int64_t>(), sizes[i]);
        EXPECT_EQ(c["rank"], 2);
        EXPECT_EQ(c["batch"], 16);
        EXPECT_GE(c["reps"].get<std::int64_t>(), 2);  // and at least 200 ms of steps
        EXPECT_EQ(c["threads"], 1);
        EXPECT_EQ(c["optimizer"], "sgd");
        EXPECT_GT(c["ms_median"].get<double>(), 0.0);
    }
}

TEST(CliBench, ExplicitLayerShape) {
    const auto r = runLoralab({"--bench", "--workload", "fit", "--d", "96", "--k", "64", "--ranks",
                               "4", "--warmup", "0", "--reps", "2", "--threads", "1", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parseJsonObject(r);
    ASSERT_EQ(j["results"].size(), 1u) << r.out;
    EXPECT_EQ(j["results"][0]["d"], 96);
    EXPECT_EQ(j["results"][0]["k"], 64);
    EXPECT_EQ(j["results"][0]["workload"], "fit");
}

// --warmup N runs at least N untimed steps and, unless N = 0, at least 100 ms of them: a
// 32×32 step takes microseconds, so far more than 3 run; the JSON reports how many.
TEST(CliBench, WarmUpRunsItsStepsAndAtLeastATenthOfASecond) {
    for (const int asked : {0, 3}) {
        const auto r = runLoralab({"--bench", "--workload", "fit", "--d", "32", "--k", "32",
                                   "--ranks", "1", "--warmup", std::to_string(asked), "--reps",
                                   "1", "--threads", "1", "--json"});
        ASSERT_EQ(r.exitCode, 0) << r.err;
        const auto j = parseJsonObject(r);
        ASSERT_EQ(j["results"].size(), 1u) << r.out;
        const auto warm = j["results"][0]["warmup"].get<std::int64_t>();
        if (asked == 0) EXPECT_EQ(warm, 0) << r.out;
        else EXPECT_GT(warm, 100) << r.out;
    }
}

// LORALAB_KERNEL forces the kernels: the bench names them on its build line and in the JSON,
// spelled as the variable spells them; a kernel that is unknown, or that this CPU cannot run,
// is a usage error on one line.
TEST(CliBench, ForcedKernelIsReportedAndOneTheCpuLacksIsAUsageError) {
    const char* before = std::getenv("LORALAB_KERNEL");
    const std::string saved = before != nullptr ? before : "";
    for (loralab::Isa isa : {loralab::Isa::Generic, loralab::Isa::Avx2, loralab::Isa::Avx512}) {
        const std::string name = loralab::isaName(isa);
        setenv("LORALAB_KERNEL", name.c_str(), 1);
        const auto args = std::vector<std::string>{"--bench", "--workload", "fit", "--d", "64",
                                                   "--k", "48", "--ranks", "3", "--warmup",
                                                   "0", "--reps", "1", "--threads", "1"};
        auto json = args;
        json.push_back("--json");
        const auto r = runLoralab(json);
        if (!loralab::cpuSupports(isa)) {
            EXPECT_EQ(r.exitCode, 2) << name;
            EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
            EXPECT_NE(r.err.find("LORALAB_KERNEL=" + name), std::string::npos) << r.err;
            continue;
        }
        ASSERT_EQ(r.exitCode, 0) << name << ": " << r.err;
        EXPECT_EQ(parseJsonObject(r)["build"]["fit_kernel"], name);
        const auto md = runLoralab(args);
        ASSERT_EQ(md.exitCode, 0) << md.err;
        EXPECT_NE(md.out.find("fit kernel " + name), std::string::npos) << md.out;
    }
    setenv("LORALAB_KERNEL", "sse9", 1);
    const auto bad = runLoralab({"--headless", "--steps", "1"});
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_EQ(bad.err, "loralab: LORALAB_KERNEL=sse9 is unknown; choose generic, avx2 or avx512\n");
    if (saved.empty()) unsetenv("LORALAB_KERNEL");
    else setenv("LORALAB_KERNEL", saved.c_str(), 1);
}
