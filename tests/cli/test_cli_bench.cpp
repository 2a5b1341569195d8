// loralab --bench through the command line: the flags reach the bench (sizes, ranks, batch,
// reps, optimizer) and the JSON has the documented schema. Never the times.
#include "run_binary.h"

#include <gtest/gtest.h>

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
