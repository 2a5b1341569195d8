// The real window (GLFW under Xvfb) and the settings file: an interactive session saves into
// the settings folder it is given (tests give their own, never the user's); a corrupt file
// gives a notice and the defaults, never a failed start; a --screenshot run neither reads nor
// writes the settings. Run by CTest through xvfb-run.
#include "png_checks.h"
#include "settings.h"
#include "window.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace loralab::gui {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A fresh XDG_CONFIG_HOME for one test, restored afterwards.
class OwnConfigHome {
public:
    OwnConfigHome() {
        std::string pattern = (fs::temp_directory_path() / "loralab-xdg-XXXXXX").string();
        m_dir = mkdtemp(pattern.data());
        const char* old = std::getenv("XDG_CONFIG_HOME");
        if (old) m_old = old;
        m_hadOld = old != nullptr;
        ::setenv("XDG_CONFIG_HOME", m_dir.c_str(), 1);
    }
    ~OwnConfigHome() {
        if (m_hadOld) ::setenv("XDG_CONFIG_HOME", m_old.c_str(), 1);
        else ::unsetenv("XDG_CONFIG_HOME");
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }
    fs::path settingsFile() const { return m_dir / "loralab" / "settings.json"; }

private:
    fs::path m_dir;
    std::string m_old;
    bool m_hadOld = false;
};

// stderr of `body`, captured through a file.
template <typename F>
std::string captureStderr(F body) {
    std::fflush(stderr);
    FILE* file = std::tmpfile();
    const int saved = ::dup(2);
    ::dup2(::fileno(file), 2);
    body();
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    std::rewind(file);
    std::string text;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, file)) > 0) text.append(buf, n);
    std::fclose(file);
    return text;
}

class WindowSettings : public ::testing::Test {
protected:
    void SetUp() override {
        if (!std::getenv("DISPLAY")) GTEST_SKIP() << "needs an X display: CTest runs it under xvfb-run";
    }
};

GuiOptions smallScenario() {
    GuiOptions o;
    o.scenario.d = 20;
    o.scenario.k = 24;
    o.scenario.rank = 3;
    o.scenarioGiven = true;
    return o;
}

WindowRun fewFrames() {
    WindowRun run;
    run.maxFrames = 2;
    run.vsync = false;
    return run;
}

TEST_F(WindowSettings, InteractiveRunSavesIntoItsOwnFolder) {
    OwnConfigHome home;
    ASSERT_EQ(runWindow(smallScenario(), fewFrames()), 0);
    std::string warning;
    const Settings saved = loadSettings(home.settingsFile().string(), warning);
    EXPECT_TRUE(warning.empty()) << warning;
    ASSERT_TRUE(saved.scenario.has_value()) << slurp(home.settingsFile());
    EXPECT_EQ(saved.scenario->d, 20);
    EXPECT_EQ(saved.scenario->k, 24);
}

TEST_F(WindowSettings, CorruptFileGivesANoticeAndTheDefaults) {
    OwnConfigHome home;
    fs::create_directories(home.settingsFile().parent_path());
    for (const char* text : {"{not json", R"({"window": {"width": "wide"}})"}) {
        std::ofstream(home.settingsFile()) << text;
        int code = -1;
        const std::string err = captureStderr([&] { code = runWindow(smallScenario(), fewFrames()); });
        EXPECT_EQ(code, 0) << err;
        EXPECT_NE(err.find("ignoring corrupt settings file " + home.settingsFile().string()),
                  std::string::npos) << err;
        // The session still saved a good file over the corrupt one.
        EXPECT_TRUE(nlohmann::json::accept(slurp(home.settingsFile())));
    }
}

TEST_F(WindowSettings, ScreenshotRunIgnoresSavedSettings) {
    OwnConfigHome home;
    fs::create_directories(home.settingsFile().parent_path());
    const std::string saved =
        R"({"window": {"width": 640, "height": 480}, "view": {"fontSize": 40},)"
        R"( "scenario": {"d": 8, "k": 8, "rank": 1}})";
    std::ofstream(home.settingsFile()) << saved;
    const fs::path png = home.settingsFile().parent_path() / "shot.png";
    GuiOptions options;  // no scenario on the command line: settings would apply if read
    options.screenshotPath = png.string();
    options.frames = 2;
    WindowRun run = fewFrames();
    const std::string err = captureStderr([&] { EXPECT_EQ(runWindow(options, run), 0); });
    guitest::Png image;
    std::string error;
    ASSERT_TRUE(guitest::loadPng(png.string(), image, error)) << error << "\n" << err;
    EXPECT_EQ(image.width, Settings{}.windowWidth) << "the saved window size was used";
    EXPECT_EQ(image.height, Settings{}.windowHeight);
    EXPECT_EQ(slurp(home.settingsFile()), saved) << "a screenshot run rewrote the settings";
    EXPECT_EQ(err.find("settings"), std::string::npos) << err;
}

}  // namespace
}  // namespace loralab::gui
