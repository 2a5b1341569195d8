// The application: a core Trainer (the model) and a UiState (the view), and the actions the
// panels and shortcuts call. No GL window code here: runGui (window_glfw.cpp) and
// renderOffscreen (offscreen_egl.cpp) create the context and drive the frame loop:
//
//   App app(options);  app.initGraphics(err);
//   loop: backend NewFrame, ImGui::NewFrame(); app.frame(); ImGui::Render();
//         app.beforeRender(ImGui::GetDrawData()); RenderDrawData; app.afterRender(fbW, fbH)
//   app.shutdownGraphics();
//
// The model is the core Trainer for plain LoRA (its fast fit step), or a MethodSession when the
// scenario names another method, a LoRA+ ratio or a comparison (app_methods.cpp); in that mode
// every control restarts the methods, all of them in lockstep.
//
// Every trainer call goes through an action that catches std::exception and shows it in the
// status bar: a bad value never stops the app.
#pragma once

#include "gui.h"
#include "fonts.h"
#include "heatmap_renderer.h"
#include "open_files.h"
#include "scenario/presets.h"
#include "settings.h"
#include "ui_state.h"

#include "view/build_worker.h"
#include "view/base_view.h"
#include "view/fit_view.h"
#include "view/method_session.h"

#include "loralab/trainer.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace loralab::gui {

// Texture slots of the heatmap renderer: the shown matrices, then the colorbar.
enum HeatmapSlot {
    SlotB = ShownB, SlotA = ShownA, SlotDeltaW = ShownDeltaW, SlotTarget = ShownTarget,
    SlotResidual = ShownResidual, SlotColorbar = ShownCount, SlotCount,
    // The weight view (a base is loaded): W0ₛ, s·B·A, W', W*, W* − W', W0 − W0ₛ, merge rounding.
    SlotStored = SlotCount, SlotAdapter, SlotEffective, SlotWanted, SlotWeightResidual,
    SlotQuantError, SlotMergeError,
    // The forward pass for one x, as columns: W0ₛx, Ax, s·B·Ax, their sum y, W'x, y − W'x.
    SlotFwdBase, SlotFwdBottleneck, SlotFwdAdapter, SlotFwdSum, SlotFwdMerged, SlotFwdDiff
};

// In the window, --threads 0 means one training thread: the software renderer (llvmpipe) needs
// the other cores, and OpenMP workers spinning between the window's small steps starve it.
Scenario forTheWindow(Scenario s);

class App {
public:
    explicit App(const GuiOptions& options);

    // Persisted settings: the view always; the scenario unless the command line gave one.
    void applySettings(const Settings& s);
    Settings currentSettings() const;  // window geometry is filled in by the caller

    bool initGraphics(std::string& error);  // needs a current GL context and ImGui context
    void shutdownGraphics();

    void frame();                              // shortcuts, training, all panels
    void beforeRender(const ImDrawData* data); // call after ImGui::Render()
    void afterRender(int fbWidth, int fbHeight);  // captures requested screenshots

    // Screenshots: the whole window or the loss-curve panel, saved after the next render.
    // An empty path means loralab-YYYYmmdd-HHMMSS.png in the output folder.
    void requestScreenshot(const std::string& path = {});
    void requestCurveExport(const std::string& path = {});
    // The loss curve as CSV, written now: step,loss,floor,rank, or with methods a column each.
    void exportCurveCsv(const std::string& path = {});
    // Result of the last capture: true when written. Message in the status bar.
    bool lastCaptureOk() const { return m_lastCaptureOk; }
    bool captureFailed() const { return m_captureFailed; }  // a capture in the last afterRender failed
    const std::string& lastCapturePath() const { return m_lastCapturePath; }

    // ---- actions (the panels call these) ----------------------------------------------------
    // New trainer from ui().scenario: at once when small, on the worker thread when large (the
    // previous trainer stays shown and usable until the new one is ready; see building()).
    void rebuild();
    void applyPreset(int index);
    void setRank(Index rank);
    void setAlpha(std::optional<double> alpha, bool rslora);
    void setOptimizer(OptimizerKind kind, double lr);
    void setLearningRate(double lr);
    void reset();                    // same target, fresh factors from the seed
    void stepOnce();
    void togglePlay();
    void setMessage(const std::string& text, bool isError = false);
    // Methods: --method, --compare (empty: one method) and --lr-ratio; restarts training.
    void setMethods(MethodKind method, const std::vector<MethodKind>& compare, double lrRatio);
    void selectMethod(std::size_t index);  // whose heatmaps are shown
    // A dropped or typed path: a picture or CSV becomes the target; a .safetensors file (or a
    // model's index or folder) opens its tensor list; an adapter folder opens its modules.
    // Errors go to the status bar; the fit is left as it was.
    void openPath(const std::string& path);
    // A new target from a file (a tensor of a .safetensors file when `tensor` is given); the
    // rank shrinks to fit it. False, with the reason in the status bar, if it cannot be used.
    bool useTargetFile(const std::string& path, const std::string& tensor = {});
    // The file (a .safetensors tensor) becomes the frozen base W0; a generated target takes its
    // shape. False, with the message shown and the fit unchanged, when it cannot.
    bool useBaseFile(const std::string& path, const std::string& tensor = {});
    OpenFiles& files() { return m_files; }
    // Backend key codes for S, R, F12 and W (ImGui 1.86 has no named keys for them); -1: none.
    void setKeyCodes(int keyS, int keyR, int keyF12, int keyW = -1);
    void setFonts(const Fonts& fonts, float loadedSize);
    ImFont* bigFont() const { return m_bigFont; }

    // ---- the frozen base and its adapters (app_base.cpp) --------------------------------------
    // Several adapters share one base: each is a trainer of its own (its own target), and the
    // active one is m_trainer; switching swaps pointers, so it is instant (hot swap).
    void setBase(BaseKind kind, BaseDtype dtype, bool doubleQuant);
    void setMergePrecision(MergePrecision precision);
    void addAdapter();               // a new adapter on the same base, fitted to the next target
    void activateAdapter(int index);
    void exportAdapter(int index);   // peft layout into <out-dir>/adapter-<n>
    void exportMerged();             // W' merged in the chosen precision: <out-dir>/merged.safetensors
    int adapterCount() const { return static_cast<int>(m_adapters.size()); }
    int activeAdapter() const { return m_active; }
    const Trainer* adapterTrainer(int index) const;
    std::uint64_t adapterTargetSeed(int index) const;
    const BaseWeight* base() const { return m_base.get(); }
    const BaseView& baseView() const { return m_baseView; }
    double plainFloor() const;       // the floor of T alone (no base) at the current rank

    // ---- state -----------------------------------------------------------------------------
    UiState& ui() { return m_ui; }
    const UiState& ui() const { return m_ui; }
    const GuiOptions& options() const { return m_options; }
    Trainer* trainer() { return m_trainer.get(); }   // null while methods train
    MethodSession* session() { return m_session.get(); }  // null for plain LoRA
    bool hasModel() const { return m_trainer || m_session; }
    long long stepCount() const;
    Index currentRank() const;    // the trainer's, or the scenario's
    double currentScale() const;  // s
    const Matrix& fitTarget() const;  // what ΔW is fitted to (T); needs hasModel()
    // The methods' results (counts, losses, steps to 1.1 × floor), refreshed once per change.
    const std::vector<CompareResult>& methodResults();
    // A target, spectrum or trainer is being built on the worker thread (or its result waits
    // for the next frame). A --screenshot run waits for this to turn false.
    bool building() const { return m_worker.busy(); }
    double buildProgress() const { return m_worker.progress(); }
    std::string buildWhat() const { return m_worker.what(); }
    const BuildWorker& worker() const { return m_worker; }
    // What the panels show, derived from the trainer once per change (not once per frame).
    const FitView& derived() const { return m_derived; }
    HeatmapRenderer& heatmaps() { return m_heatmaps; }
    bool showingPresetFactors() const { return m_fixed.has_value(); }
    const std::vector<Preset>& presets() const { return m_presets; }

private:
    template <typename F> bool guarded(const char* what, F&& f);
    void changed() { ++m_version; }
    void leavePresetFactors();
    void handleShortcuts();
    void train();
    void updateDerived();
    void continueRefresh();  // the next slice of a large view's refresh
    void updateDeltaSpectrum(const Factors& f, bool now);  // σ(ΔW), φ: now, or on their clock
    void measureRates();
    void buildLayout();
    bool buildSession(bool pretrain);  // from m_ui.scenario; false (message shown) on failure
    void restartMethods();
    StepReport stepModel(long long n);
    bool derivedShapeCurrent() const;
    void fillDerived();
    bool inBackground(const Scenario& s) const;
    void submitBuild();
    void pollWorker();
    void adoptDerived(FitView&& view);  // a worker's first view of the trainer it built
    bool extendSpectrumFirst(Index rank);  // true: the rank waits for a larger spectrum
    void adoptFit(Fit&& fit);        // after a rebuild: the base, T, one adapter
    void updateBaseDerived();
    void uploadBaseHeatmaps();

    GuiOptions m_options;
    UiState m_ui;
    std::vector<Preset> m_presets;
    std::shared_ptr<Trainer> m_trainer;  // shared with a worker job extending its spectrum
    std::unique_ptr<MethodSession> m_session;
    std::vector<CompareResult> m_results;
    long long m_resultsVersion = -1;
    std::optional<Factors> m_fixed;  // preset factors shown until training or an edit
    OpenFiles m_files;
    HeatmapRenderer m_heatmaps;
    FitView m_derived;
    // A large view's refresh in slices of kRefreshSliceMs per frame, for the trainer it started on.
    static constexpr double kRefreshSliceMs = 8.0;
    PooledRefresh m_refresh;
    std::shared_ptr<Trainer> m_refreshFor;
    long long m_refreshVersion = -1;

    struct Adapter {
        std::shared_ptr<Trainer> parked;        // null for the active one (it is m_trainer)
        std::shared_ptr<const Matrix> target;   // its T (W* = W0 + T)
        std::uint64_t targetSeed = 0;
    };
    std::shared_ptr<const BaseWeight> m_base;
    std::vector<Adapter> m_adapters;
    int m_active = 0;
    std::optional<Spectrum> m_plainSpectrum;     // σ(T) of the active adapter's T, on demand
    BaseView m_baseView;
    long long m_baseVersion = -1, m_baseUploaded = -1;
    Vector m_x;
    long long m_version = 0;
    long long m_uploadedVersion = -1;
    long long m_targetVersion = 0, m_uploadedTarget = -1;
    bool m_colorbarUploaded = false;
    // The worker's job: a whole trainer (rebuild) or more of the current trainer's spectrum
    // for a rank past it (then m_pendingRank is applied once the spectrum arrives).
    bool m_buildingTrainer = false;
    Index m_pendingRank = 0;
    std::shared_ptr<Trainer> m_spectrumFor;

    struct Capture {
        std::string path;
        bool curveOnly = false;
    };
    std::optional<Capture> m_pendingCapture;
    bool m_lastCaptureOk = false;
    bool m_captureFailed = false;
    std::string m_lastCapturePath;

    int m_keyS = -1, m_keyR = -1, m_keyF12 = -1, m_keyW = -1;
    ImFont* m_bigFont = nullptr;
    float m_loadedFontSize = 0;
    float m_displayW = 0, m_displayH = 0;

    using Clock = std::chrono::steady_clock;
    Clock::time_point m_rateStart = Clock::now();
    Clock::time_point m_lastDerived{}, m_lastSpectrum{};
    double m_derivedCostMs = 0, m_spectrumCostMs = 0;
    long long m_rateSteps = 0, m_rateFrames = 0;
    BuildWorker m_worker;  // last: destroyed first, so its job never outlives what it uses
};

// Runs f; a std::exception becomes the status bar's message "what: why" and false.
template <typename F>
bool App::guarded(const char* what, F&& f) {
    try {
        f();
        return true;
    } catch (const std::exception& e) {
        setMessage(std::string(what) + ": " + e.what(), true);
        return false;
    }
}

}  // namespace loralab::gui
