// Settings that persist between runs (app/gui/settings.h): saved and loaded back (through a
// symlink, which stays a link), a missing file quietly gives the defaults, a corrupt one or one
// that is no regular file is ignored with a warning naming it, the path follows
// XDG_CONFIG_HOME, and tests run with a settings folder of their own.
#include "settings.h"

#include "temp_dir.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>

namespace loralab::gui {
namespace {

namespace fs = std::filesystem;

using guitest::tempDir;

TEST(Settings, SaveThenLoad) {
    const fs::path dir = tempDir("settings");
    const std::string path = (dir / "sub" / "settings.json").string();
    Settings s;
    s.windowWidth = 1280;
    s.windowHeight = 800;
    s.windowX = 10;
    s.windowY = 20;
    s.stepsPerFrame = 50;
    s.sharedScale = false;
    s.modules = "all-linear";
    Scenario sc;
    sc.d = 12;
    sc.k = 12;
    sc.rank = 4;
    s.scenario = sc;
    std::string error;
    ASSERT_TRUE(saveSettings(path, s, error)) << error;
    std::string warning;
    const Settings back = loadSettings(path, warning);
    EXPECT_TRUE(warning.empty()) << warning;
    EXPECT_EQ(back.windowWidth, 1280);
    EXPECT_EQ(back.windowHeight, 800);
    EXPECT_EQ(back.windowX.value_or(-1), 10);
    EXPECT_EQ(back.stepsPerFrame, 50);
    EXPECT_FALSE(back.sharedScale);
    EXPECT_EQ(back.modules, "all-linear");
    ASSERT_TRUE(back.scenario.has_value());
    EXPECT_EQ(back.scenario->d, 12);
    EXPECT_FALSE(fs::exists(path + ".tmp"));
    fs::remove_all(dir);
}

TEST(Settings, MissingFileGivesDefaultsQuietly) {
    std::string warning = "stale";
    const Settings s = loadSettings("/nonexistent/loralab/settings.json", warning);
    EXPECT_TRUE(warning.empty());
    EXPECT_EQ(s.windowWidth, Settings{}.windowWidth);
}

TEST(Settings, CorruptFileIsIgnoredWithAWarning) {
    const fs::path dir = tempDir("corrupt");
    for (const char* text : {"{not json", "[1, 2]", R"({"view": {"stepsPerFrame": "fast"}})",
                             R"({"window": {"width": -5}})", R"({"scenario": {"optimizer": "lion"}})"}) {
        const std::string path = (dir / "settings.json").string();
        std::ofstream(path) << text;
        std::string warning;
        const Settings s = loadSettings(path, warning);
        EXPECT_NE(warning.find(path), std::string::npos) << text << " -> " << warning;
        EXPECT_EQ(s.stepsPerFrame, Settings{}.stepsPerFrame) << text;
        EXPECT_EQ(s.windowWidth, Settings{}.windowWidth) << text;
        EXPECT_FALSE(s.scenario.has_value());
    }
    fs::remove_all(dir);
}

TEST(Settings, TestsHaveASettingsFolderOfTheirOwn) {
    // CTest gives every app test XDG_CONFIG_HOME in the build tree, so nothing a test does can
    // reach the user's ~/.config/loralab/settings.json.
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    ASSERT_NE(xdg, nullptr) << "run through ctest";
    const char* home = std::getenv("HOME");
    if (home && *home) {
        EXPECT_NE(settingsPath().rfind(std::string(home) + "/.config", 0), 0u) << settingsPath();
    }
    EXPECT_EQ(settingsPath(), std::string(xdg) + "/loralab/settings.json");
}

TEST(Settings, NonRegularFileIsIgnoredWithoutBlocking) {
    const fs::path dir = tempDir("special");
    const fs::path fifo = dir / "settings.json";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);  // opening it to read would wait for a writer
    std::string warning;
    const Settings s = loadSettings(fifo.string(), warning);
    EXPECT_NE(warning.find(fifo.string()), std::string::npos) << warning;
    EXPECT_EQ(s.windowWidth, Settings{}.windowWidth);
    fs::remove(fifo);
    fs::create_directory(fifo);
    EXPECT_FALSE(loadSettings(fifo.string(), warning).scenario.has_value());
    EXPECT_NE(warning.find(fifo.string()), std::string::npos) << warning;
    fs::remove_all(dir);
}

TEST(Settings, SaveWritesThroughALinkAndKeepsIt) {
    const fs::path dir = tempDir("link");
    fs::create_directories(dir / "dotfiles");
    fs::create_directories(dir / "config");
    fs::create_symlink("../dotfiles/loralab.json", dir / "config" / "settings.json");
    Settings s;
    s.stepsPerFrame = 33;
    std::string error;
    ASSERT_TRUE(saveSettings((dir / "config" / "settings.json").string(), s, error)) << error;
    EXPECT_TRUE(fs::is_symlink(dir / "config" / "settings.json"));
    std::string warning;
    EXPECT_EQ(loadSettings((dir / "dotfiles" / "loralab.json").string(), warning).stepsPerFrame, 33);
    fs::remove_all(dir);
}

TEST(Settings, PathFollowsXdgConfigHome) {
    const char* old = std::getenv("XDG_CONFIG_HOME");
    const std::string saved = old ? old : "";
    ::setenv("XDG_CONFIG_HOME", "/tmp/xdgtest", 1);
    EXPECT_EQ(settingsPath(), "/tmp/xdgtest/loralab/settings.json");
    if (old) ::setenv("XDG_CONFIG_HOME", saved.c_str(), 1); else ::unsetenv("XDG_CONFIG_HOME");
}

}  // namespace
}  // namespace loralab::gui
