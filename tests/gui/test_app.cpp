// The App without a window: an ImGui context with a built font atlas and no renderer, frames
// built and discarded. Checks the actions, the keyboard shortcuts, the per-frame training
// budget, and that core errors are shown in the status line while the app keeps running.
#include "app.h"
#include "temp_dir.h"

#include "../app/file_fixtures.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace loralab::gui {
namespace {

constexpr int kKeySpace = 32, kKeyRight = 262, kKeyS = 83, kKeyR = 82, kKeyW = 87;

class AppTest : public ::testing::Test {
protected:
    void SetUp() override {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(1600, 1000);
        io.DeltaTime = 1.0f / 60.0f;
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // builds the atlas; no GPU texture needed
        io.KeyMap[ImGuiKey_Space] = kKeySpace;
        io.KeyMap[ImGuiKey_RightArrow] = kKeyRight;
    }
    void TearDown() override { ImGui::DestroyContext(); }

    // One frame with `keys` held down (pressed this frame).
    void frame(App& app, std::initializer_list<int> keys = {}) {
        ImGuiIO& io = ImGui::GetIO();
        for (bool& down : io.KeysDown) down = false;
        for (int k : keys) io.KeysDown[k] = true;
        ImGui::NewFrame();
        app.frame();
        ImGui::Render();
        // Release the keys for the next frame.
        for (bool& down : io.KeysDown) down = false;
    }

    static GuiOptions options(Index d, Index k, Index r) {
        GuiOptions o;
        o.scenario.d = d;
        o.scenario.k = k;
        o.scenario.rank = r;
        o.scenarioGiven = true;
        return o;
    }
};

TEST_F(AppTest, PreTrainsTheGivenScenario) {
    GuiOptions o = options(16, 12, 3);
    o.scenario.steps = 25;
    App app(o);
    ASSERT_NE(app.trainer(), nullptr);
    EXPECT_EQ(app.trainer()->d(), 16);
    EXPECT_EQ(app.trainer()->k(), 12);
    EXPECT_EQ(app.trainer()->rank(), 3);
    EXPECT_EQ(app.trainer()->stepCount(), 25);
    frame(app);
    EXPECT_EQ(app.derived().deltaW.rows(), 16);
    EXPECT_EQ(app.derived().deltaW.cols(), 12);
    EXPECT_FALSE(app.ui().messageIsError) << app.ui().message;
}

// A layer past 4096 rows is built on the worker while frames go on, and arrives with the view the
// worker computed (pooled ΔW, T and residual): the same view a frame would compute, so no frame
// after the switch has d·k work left to do.
TEST_F(AppTest, LargeLayersBuildOnTheWorkerAndArriveWithTheirView) {
    App app(options(8192, 48, 4));
    EXPECT_TRUE(app.building());
    for (int i = 0; i < 12000 && (app.building() || !app.trainer()); ++i) {
        frame(app);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_NE(app.trainer(), nullptr) << app.ui().message;
    EXPECT_EQ(app.trainer()->d(), 8192);
    frame(app);
    const FitView& v = app.derived();
    EXPECT_EQ(v.d, 8192);
    EXPECT_EQ(v.k, 48);
    EXPECT_EQ(v.poolRows, 16);
    EXPECT_EQ(v.poolCols, 1);
    FitView fresh;
    updateFitMatrices(fresh, app.trainer()->factors(), *app.trainer());
    EXPECT_TRUE(v.target == fresh.target);
    EXPECT_TRUE(v.deltaW == fresh.deltaW);
    EXPECT_TRUE(v.residual == fresh.residual);
    EXPECT_DOUBLE_EQ(v.floor, fresh.floor);
    EXPECT_FALSE(app.ui().messageIsError) << app.ui().message;
}

TEST_F(AppTest, ShortcutsPlayStepReset) {
    App app(options(8, 8, 2));
    app.setKeyCodes(kKeyS, kKeyR, -1);
    frame(app, {kKeyRight});
    EXPECT_EQ(app.trainer()->stepCount(), 1);
    frame(app);
    frame(app, {kKeyS});
    EXPECT_EQ(app.trainer()->stepCount(), 2);
    frame(app);
    frame(app, {kKeySpace});
    EXPECT_TRUE(app.ui().playing);
    const long long before = app.trainer()->stepCount();
    frame(app);
    frame(app);
    EXPECT_GT(app.trainer()->stepCount(), before);  // playing trains every frame
    EXPECT_LE(app.trainer()->stepCount(), before + 3LL * app.ui().stepsPerFrame);
    frame(app, {kKeySpace});
    EXPECT_FALSE(app.ui().playing);
    frame(app, {kKeyR});
    EXPECT_EQ(app.trainer()->stepCount(), 0);
}

TEST_F(AppTest, RankChangeWhilePlayingKeepsTraining) {
    App app(options(16, 16, 2));
    app.togglePlay();
    frame(app);
    const long long steps = app.trainer()->stepCount();
    app.setRank(5);
    EXPECT_EQ(app.trainer()->rank(), 5);
    EXPECT_TRUE(app.ui().playing);
    frame(app);
    EXPECT_GT(app.trainer()->stepCount(), steps);
    EXPECT_EQ(app.trainer()->rankChanges().size(), 1u);
    EXPECT_EQ(app.derived().B.cols(), 5);
}

TEST_F(AppTest, CoreErrorsAreShownAndTheAppKeepsRunning) {
    App app(options(8, 8, 2));
    app.setRank(9);  // > min(d, k)
    EXPECT_TRUE(app.ui().messageIsError);
    EXPECT_NE(app.ui().message.find("rank"), std::string::npos) << app.ui().message;
    EXPECT_EQ(app.trainer()->rank(), 2);
    app.setLearningRate(-1.0);
    EXPECT_TRUE(app.ui().messageIsError);
    EXPECT_NE(app.ui().message.find("learning rate"), std::string::npos) << app.ui().message;
    frame(app);  // still draws
    app.stepOnce();
    EXPECT_EQ(app.trainer()->stepCount(), 1);
}

TEST_F(AppTest, BadCommandLineScenarioFallsBackWithAMessage) {
    App app(options(8, 8, 20));  // rank > min(d, k)
    ASSERT_NE(app.trainer(), nullptr);  // running on the defaults
    EXPECT_TRUE(app.ui().messageIsError);
    EXPECT_FALSE(app.ui().message.empty());
    frame(app);
}

TEST_F(AppTest, PresetsApply) {
    App app(options(8, 8, 2));
    for (int i = 0; i < static_cast<int>(app.presets().size()); ++i) {
        app.applyPreset(i);
        EXPECT_FALSE(app.ui().messageIsError) << app.presets()[static_cast<std::size_t>(i)].name << ": " << app.ui().message;
        EXPECT_EQ(app.ui().presetIndex, i);
        EXPECT_EQ(app.trainer()->d(), app.presets()[static_cast<std::size_t>(i)].scenario.d);
        frame(app);
    }
    // The rank-1 preset shows exactly its factors: B = [2, 1, 0, −1]ᵀ, A = [1, 0, −1, 2].
    app.applyPreset(0);
    frame(app);
    EXPECT_TRUE(app.showingPresetFactors());
    EXPECT_FLOAT_EQ(app.derived().B(0, 0), 2.0f);
    EXPECT_FLOAT_EQ(app.derived().B(3, 0), -1.0f);
    EXPECT_FLOAT_EQ(app.derived().A(0, 3), 2.0f);
    EXPECT_FLOAT_EQ(app.derived().deltaW(3, 3), -2.0f);
    EXPECT_LE(app.derived().loss, app.derived().zeroLevel);  // T = ΔW: nothing to train
}

TEST_F(AppTest, NamedPresetFromTheCommandLine) {
    GuiOptions o = options(8, 8, 2);
    o.preset = "Identity: the worst case";
    App app(o);
    EXPECT_EQ(app.trainer()->d(), 16);
    EXPECT_EQ(app.trainer()->config().target.kind, TargetKind::Identity);
    GuiOptions bad = options(8, 8, 2);
    bad.preset = "No such preset";
    App app2(bad);
    EXPECT_TRUE(app2.ui().messageIsError);
    EXPECT_NE(app2.ui().message.find("Rank-1 outer product"), std::string::npos) << app2.ui().message;
}

TEST_F(AppTest, DivergencePausesWithAMessage) {
    GuiOptions o = options(16, 16, 4);
    o.scenario.optimizer = OptimizerKind::Sgd;
    o.scenario.lr = 1000.0;
    App app(o);
    app.togglePlay();
    for (int i = 0; i < 50 && app.ui().playing; ++i) frame(app);
    EXPECT_FALSE(app.ui().playing);
    EXPECT_TRUE(app.ui().messageIsError);
    EXPECT_NE(app.ui().message.find("diverged"), std::string::npos) << app.ui().message;
    EXPECT_TRUE(app.trainer()->factors().allFinite());
}

// However small the window, the app keeps training and reports no error; while the window is
// at least ImGui's smallest window size, the loss-curve panel (what "Export curve" saves) lies
// inside it.
TEST_F(AppTest, TinyWindowsKeepTrainingWithThePanelsInside) {
    App app(options(2, 2, 2));
    app.togglePlay();
    const ImVec2 minimum = ImGui::GetStyle().WindowMinSize;
    for (ImVec2 size : {ImVec2(1600, 1000), ImVec2(320, 200), ImVec2(60, 40), ImVec2(1, 1)}) {
        ImGui::GetIO().DisplaySize = size;
        const long long before = app.trainer()->stepCount();
        frame(app);
        frame(app);
        EXPECT_GT(app.trainer()->stepCount(), before) << size.x << "x" << size.y;
        EXPECT_TRUE(app.ui().playing) << size.x << "x" << size.y;
        EXPECT_FALSE(app.ui().messageIsError) << app.ui().message;
        const ScreenRect r = app.ui().curveRect;
        ASSERT_TRUE(r.valid()) << size.x << "x" << size.y;
        if (size.x < minimum.x || size.y < minimum.y) continue;
        EXPECT_GE(r.min.x, 0.0f);
        EXPECT_GE(r.min.y, 0.0f);
        EXPECT_LE(r.max.x, size.x) << size.x << "x" << size.y;
        EXPECT_LE(r.max.y, size.y) << size.x << "x" << size.y;
    }
}

// --compare in the window: a session in place of the Trainer, every method stepped in lockstep
// while playing, the heatmaps of the selected one, the controls restarting them all.
TEST_F(AppTest, CompareTrainsEveryMethodInLockstep) {
    GuiOptions o = options(12, 10, 3);
    o.scenario.compare = {MethodKind::Lora, MethodKind::Full, MethodKind::Vera};
    o.scenario.steps = 10;
    App app(o);
    ASSERT_NE(app.session(), nullptr) << app.ui().message;
    EXPECT_EQ(app.trainer(), nullptr);
    EXPECT_EQ(app.stepCount(), 10);
    app.togglePlay();
    for (int i = 0; i < 5; ++i) frame(app);
    MethodSession& s = *app.session();
    EXPECT_GT(s.stepCount(), 10);
    for (std::size_t m = 0; m < s.size(); ++m) EXPECT_EQ(s.trainer(m).stepCount(), s.stepCount());
    EXPECT_EQ(app.methodResults().size(), 3u);

    app.selectMethod(1);  // full: ΔW with no factors
    frame(app);
    const Matrix full = s.trainer(1).method().deltaW();
    EXPECT_EQ(app.derived().B.cols(), 0);
    EXPECT_EQ((app.derived().deltaW - full).cwiseAbs().maxCoeff(), 0.0f);

    app.setRank(2);  // restarts every method at the new rank
    ASSERT_NE(app.session(), nullptr);
    EXPECT_EQ(app.stepCount(), 0);
    EXPECT_EQ(app.session()->trainer(0).method().rank(), 2);
    EXPECT_EQ(app.session()->selected(), 1u);
    EXPECT_FALSE(app.ui().playing);
}

// Back to plain LoRA is the Trainer again; a method that cannot start keeps what ran before.
TEST_F(AppTest, MethodsSwitchAndRefuseInTheStatusBar) {
    App app(options(12, 10, 3));
    ASSERT_NE(app.trainer(), nullptr);
    app.setMethods(MethodKind::Vera, {}, 1.0);
    ASSERT_NE(app.session(), nullptr) << app.ui().message;
    EXPECT_EQ(app.session()->kind(0), MethodKind::Vera);
    app.setMethods(MethodKind::Dora, {}, 1.0);  // no base weight: DoRA divides by its row norms
    EXPECT_TRUE(app.ui().messageIsError);
    EXPECT_NE(app.ui().message.find("--base"), std::string::npos) << app.ui().message;
    ASSERT_NE(app.session(), nullptr);
    EXPECT_EQ(app.session()->kind(0), MethodKind::Vera);
    EXPECT_EQ(app.ui().scenario.method, MethodKind::Vera);
    app.setMethods(MethodKind::Lora, {}, 1.0);
    EXPECT_NE(app.trainer(), nullptr);
    EXPECT_EQ(app.session(), nullptr);
    app.setMethods(MethodKind::Lora, {}, 4.0);  // LoRA+ needs the method trainer
    EXPECT_NE(app.session(), nullptr) << app.ui().message;
    frame(app);
}

// Two adapters on one base: each keeps what it trained when the other is active (hot swap),
// the base is the same object, the W key toggles the weight view, and each exports.
TEST_F(AppTest, AdaptersOnOneBaseSwapAndKeepTheirTraining) {
    GuiOptions o = options(10, 12, 2);
    o.scenario.base = BaseKind::Gaussian;
    o.scenario.baseDtype = BaseDtype::Nf4;
    const std::filesystem::path dir = guitest::tempDir("adapters");
    o.outDir = dir.string();
    App app(o);
    ASSERT_NE(app.base(), nullptr);
    EXPECT_TRUE(app.ui().weightView);
    const BaseWeight* base = app.base();
    app.stepOnce();
    frame(app);
    const Matrix first = app.trainer()->factors().B;
    app.addAdapter();
    ASSERT_EQ(app.adapterCount(), 2);
    EXPECT_EQ(app.activeAdapter(), 1);
    EXPECT_EQ(app.base(), base);
    EXPECT_EQ(app.trainer()->stepCount(), 0);
    EXPECT_NE(app.trainer()->target(), app.adapterTrainer(0)->target());  // another T
    app.stepOnce();
    app.stepOnce();
    app.activateAdapter(0);
    EXPECT_EQ(app.trainer()->factors().B, first);
    EXPECT_EQ(app.adapterTrainer(1)->stepCount(), 2);
    frame(app);
    EXPECT_EQ(app.baseView().stored, base->stored);
    app.setKeyCodes(kKeyS, kKeyR, -1, kKeyW);
    frame(app, {kKeyW});
    EXPECT_FALSE(app.ui().weightView);
    frame(app);
    frame(app, {kKeyW});
    EXPECT_TRUE(app.ui().weightView);
    app.exportAdapter(0);
    app.exportAdapter(1);
    app.exportMerged();
    EXPECT_FALSE(app.ui().messageIsError) << app.ui().message;
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / "adapter-1" / "adapter_model.safetensors"));
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / "adapter-2" / "adapter_config.json"));
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / "merged.safetensors"));
    std::filesystem::remove_all(dir);
}

// Dropped or typed paths (App::openPath): each kind opens what it should, and a bad one only
// leaves a message, with the fit as it was.
TEST_F(AppTest, OpenPathOpensEachKindAndBadPathsOnlyLeaveAMessage) {
    const std::string dir = ::testing::TempDir() + "/loralab_open_path";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    test::writeAdapterFolder(dir + "/adapter",
                             {{"base_model.model.model.layers.0.self_attn.q_proj", test::randomMatrix(12, 3, 1),
                               test::randomMatrix(3, 10, 2)}},
                             "BF16", R"({"r": 3, "lora_alpha": 6})");
    test::writeBytes(dir + "/w.safetensors",
                     test::safetensorsBytes({{"model.layers.0.mlp.up_proj.weight", "F16", test::randomMatrix(9, 7, 3)},
                                             {"model.norm.weight", "F32", Matrix::Ones(1, 7)}}));
    test::writeBytes(dir + "/t.csv", "1,2,3\n4,5,6\n");
    test::writeBytes(dir + "/bad.safetensors", "not a safetensors file");

    App app(options(8, 8, 2));
    app.openPath("'" + dir + "/adapter'");  // typed with quotes
    ASSERT_NE(app.files().adapter, nullptr) << app.ui().message;
    EXPECT_FALSE(app.ui().messageIsError) << app.ui().message;
    EXPECT_EQ(app.files().adapter->module().r, 3);
    frame(app);

    app.openPath(dir + "/w.safetensors");
    ASSERT_NE(app.files().tensors, nullptr) << app.ui().message;
    EXPECT_EQ(app.files().tensors->weights().entries.size(), 2u);
    frame(app);
    // A tensor of the list becomes the target; the rank shrinks to fit a smaller one.
    EXPECT_TRUE(app.useTargetFile(dir + "/w.safetensors", "model.layers.0.mlp.up_proj.weight"));
    EXPECT_EQ(app.trainer()->d(), 9);
    EXPECT_EQ(app.trainer()->k(), 7);
    EXPECT_EQ(app.ui().scenario.targetTensor, "model.layers.0.mlp.up_proj.weight");

    // Or the frozen base, of the target's shape here; the weight view opens.
    EXPECT_TRUE(app.useBaseFile(dir + "/w.safetensors", "model.layers.0.mlp.up_proj.weight")) << app.ui().message;
    ASSERT_NE(app.base(), nullptr);
    EXPECT_EQ(app.base()->W0.rows(), 9);
    EXPECT_EQ(app.base()->W0.cols(), 7);
    EXPECT_EQ(app.trainer()->d(), 9);
    EXPECT_TRUE(app.ui().weightView);
    EXPECT_FALSE(app.useBaseFile(dir + "/w.safetensors", "model.norm.weight.nope"));
    EXPECT_EQ(app.ui().scenario.baseTensor, "model.layers.0.mlp.up_proj.weight");
    EXPECT_EQ(app.base()->W0.rows(), 9);
    app.setBase(BaseKind::None, BaseDtype::Fp32, false);
    EXPECT_EQ(app.base(), nullptr);

    app.openPath(dir + "/t.csv");  // a CSV becomes the target at once
    EXPECT_FALSE(app.ui().messageIsError) << app.ui().message;
    EXPECT_EQ(app.trainer()->d(), 2);
    EXPECT_EQ(app.trainer()->k(), 3);
    EXPECT_EQ(app.trainer()->rank(), 2);

    const Scenario before = app.ui().scenario;
    for (const std::string& bad : {dir + "/bad.safetensors", dir + "/missing.png", dir, std::string()}) {
        app.openPath(bad);
        EXPECT_TRUE(app.ui().messageIsError) << bad;
        EXPECT_EQ(app.trainer()->d(), 2) << bad;
        frame(app);
    }
    EXPECT_FALSE(app.useTargetFile(dir + "/w.safetensors", "model.norm.weight.nope"));
    EXPECT_EQ(app.ui().scenario.targetFile, before.targetFile);
    EXPECT_EQ(app.trainer()->d(), 2);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace loralab::gui
