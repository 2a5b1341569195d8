// Training progress on stderr (app/cli/progress.h): durations in words, a plain line at every
// tenth of the run in a log, one redrawn line on a terminal.
#include "cli/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

using loralab::cli::Progress;

TEST(Progress, DurationsInWords) {
    EXPECT_EQ(Progress::formatDuration(0.0), "0.0s");
    EXPECT_EQ(Progress::formatDuration(0.44), "0.4s");
    EXPECT_EQ(Progress::formatDuration(12.2), "12s");
    EXPECT_EQ(Progress::formatDuration(185.0), "3m05s");
    EXPECT_EQ(Progress::formatDuration(7620.0), "2h07m");
    EXPECT_EQ(Progress::formatDuration(NAN), "?");
    EXPECT_EQ(Progress::formatDuration(-1.0), "?");
}

TEST(Progress, ALogGetsALineAtEveryTenthAndAtTheEnd) {
    std::ostringstream err;
    Progress p(err, 100, false);
    for (long long step = 1; step <= 100; ++step) p.update(step, 1.0 / step, 0.001);
    p.finish(100, 0.01, 0.001);
    const std::string text = err.str();
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 10) << text;  // 10 % .. 90 %, then 100 %
    EXPECT_EQ(text.find('\r'), std::string::npos);
    for (int step = 10; step <= 100; step += 10)
        EXPECT_NE(text.find("step " + std::to_string(step) + "/100"), std::string::npos) << text;
    EXPECT_NE(text.find("100%"), std::string::npos);
    EXPECT_NE(text.find("floor 0.001"), std::string::npos);
}

TEST(Progress, ATerminalGetsOneLineRedrawnInPlace) {
    std::ostringstream err;
    Progress p(err, 50, true);
    for (long long step = 1; step <= 50; ++step) p.update(step, 0.5, 0.1);
    EXPECT_EQ(err.str().find('\n'), std::string::npos);  // redrawn, never scrolled
    EXPECT_EQ(err.str().rfind("\r[", 0), 0u);            // the first update draws at once
    p.finish(50, 0.5, 0.1);
    const std::string text = err.str();
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
    const std::string last = text.substr(text.rfind('\r'));
    EXPECT_NE(last.find("[########################]"), std::string::npos) << last;
    EXPECT_NE(last.find("step 50/50"), std::string::npos) << last;
}
