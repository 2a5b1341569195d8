#include "app.h"

#include "layout.h"
#include "panels.h"
#include "screenshot.h"

#include "scenario/method_scenario.h"

#include "loralab/factors.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace loralab::gui {

App::App(const GuiOptions& options) : m_options(options) {
    m_ui.scenario = options.scenario;
    try {
        m_presets = builtinPresets();
    } catch (const std::exception& e) {
        setMessage(std::string("presets: ") + e.what(), true);
    }
    if (!options.preset.empty()) {
        int found = -1;
        for (int i = 0; i < static_cast<int>(m_presets.size()); ++i)
            if (m_presets[static_cast<std::size_t>(i)].name == options.preset) found = i;
        if (found >= 0) {
            applyPreset(found);
            if (m_trainer && options.scenario.steps > 0) {
                m_ui.scenario.steps = options.scenario.steps;
                guarded("pre-training", [&] {
                    m_trainer->step(options.scenario.steps);
                    leavePresetFactors();
                    changed();
                });
            }
            if (hasModel()) return;
        } else {
            std::string names;
            for (const Preset& p : m_presets) names += (names.empty() ? "\"" : ", \"") + p.name + "\"";
            setMessage("unknown preset \"" + options.preset + "\"; the presets are " + names, true);
        }
    }
    rebuild();
    if (!hasModel() && !building()) {  // the given scenario failed: keep running on the defaults
        const std::string why = m_ui.message;
        m_ui.scenario = Scenario{};
        rebuild();
        setMessage(why, true);
    }
}

void App::setMessage(const std::string& text, bool isError) {
    m_ui.message = text;
    m_ui.messageIsError = isError;
}

void App::applySettings(const Settings& s) {
    m_ui.stepsPerFrame = s.stepsPerFrame;
    m_ui.sharedScale = s.sharedScale;
    m_ui.modelName = s.modelName;
    m_ui.modules = s.modules;
    m_ui.fontSize = s.fontSize;
    if (s.scenario && !m_options.scenarioGiven && m_options.preset.empty()) {
        const Scenario previous = m_ui.scenario;
        m_ui.scenario = *s.scenario;
        rebuild();
        if (!hasModel() || m_ui.messageIsError) {  // e.g. a target file that went away
            const std::string why = m_ui.message;
            m_ui.scenario = previous;
            rebuild();
            setMessage("saved scenario not restored: " + why, true);
        }
    }
}

Settings App::currentSettings() const {
    Settings s;
    s.stepsPerFrame = m_ui.stepsPerFrame;
    s.sharedScale = m_ui.sharedScale;
    s.modelName = m_ui.modelName;
    s.modules = m_ui.modules;
    s.fontSize = m_ui.fontSize;
    if (!(m_ui.scenario.target == TargetKind::File && m_ui.scenario.targetFile.empty()))
        s.scenario = m_ui.scenario;
    return s;
}

bool App::initGraphics(std::string& error) {
    return m_heatmaps.init(error);
}

void App::shutdownGraphics() { m_heatmaps.shutdown(); }

// ---- actions --------------------------------------------------------------------------------

Scenario forTheWindow(Scenario s) {
    if (s.threads <= 0) s.threads = 1;
    return s;
}

void App::rebuild() {
    Scenario& s = m_ui.scenario;
    m_ui.presetIndex = -1;  // an edited scenario is no longer the preset
    if (s.target == TargetKind::File && s.targetFile.empty()) s.target = TargetKind::Full;
    if (usesMethodTrainer(s)) {
        // Methods build at once (the window's sizes); a LoRA build still running comes first.
        if (building())
            setMessage("methods: a build is still running; try again when it is done", true);
        else
            buildSession(true);
        return;
    }
    if (inBackground(s)) {
        submitBuild();
        return;
    }
    guarded("cannot build the scenario", [&] {
        Fit fit = makeFit(forTheWindow(s));
        std::unique_ptr<Trainer> t = std::move(fit.trainer);
        if (s.steps > 0) {
            const StepReport r = t->step(s.steps);
            if (r.diverged)
                setMessage("pre-training diverged at step " + std::to_string(r.divergedAtStep) +
                               "; lower the learning rate", true);
        }
        m_trainer = std::move(t);
        m_session.reset();
        adoptFit(std::move(fit));
        ++m_targetVersion;
        m_fixed.reset();
        s.d = m_trainer->d();
        s.k = m_trainer->k();
        if (!m_ui.messageIsError) setMessage("");
        changed();
    });
}

void App::applyPreset(int index) {
    if (index < 0 || index >= static_cast<int>(m_presets.size())) return;
    const Preset& p = m_presets[static_cast<std::size_t>(index)];
    m_ui.playing = false;
    m_ui.scenario = p.scenario;
    m_ui.mergePrecision = p.merge;
    if (p.B && p.A) {
        guarded(p.name.c_str(), [&] {
            Factors f;
            f.B = *p.B;
            f.A = *p.A;
            f.alpha = p.scenario.effectiveAlpha();
            f.rslora = p.scenario.rslora;
            const Matrix T = f.deltaW();
            TrainerConfig config = toTrainerConfig(forTheWindow(p.scenario));
            config.target.kind = TargetKind::File;
            config.target.d = T.rows();
            config.target.k = T.cols();
            m_trainer = std::make_unique<Trainer>(config, T);
            m_session.reset();
            adoptFit(Fit{});
            ++m_targetVersion;
            m_fixed = f;
            m_ui.presetIndex = index;
            setMessage("preset: " + p.name);
            changed();
        });
    } else {
        m_ui.scenario.target = p.scenario.target;
        setMessage("");
        rebuild();
        if (!m_ui.messageIsError) {
            m_ui.presetIndex = index;
            setMessage("preset: " + p.name);
        }
    }
}

void App::leavePresetFactors() {
    if (m_fixed) {
        m_fixed.reset();
        changed();
    }
}

void App::setRank(Index rank) {
    if (m_session) {
        m_ui.scenario.rank = rank;
        return restartMethods();
    }
    if (!m_trainer) return;
    if (building() && m_buildingTrainer) {  // the trainer on its way gets the new rank instead
        m_ui.scenario.rank = rank;
        rebuild();
        return;
    }
    if (extendSpectrumFirst(rank)) return;
    guarded("rank", [&] {
        m_trainer->setRank(rank);
        m_ui.scenario.rank = rank;
        leavePresetFactors();
        changed();
    });
}

void App::setAlpha(std::optional<double> alpha, bool rslora) {
    if (m_session) {
        m_ui.scenario.alpha = alpha;
        m_ui.scenario.rslora = rslora;
        return restartMethods();
    }
    if (!m_trainer) return;
    guarded("alpha", [&] {
        const double a = alpha ? *alpha : static_cast<double>(m_trainer->rank());
        m_trainer->setAlpha(a, rslora);
        m_ui.scenario.alpha = alpha;
        m_ui.scenario.rslora = rslora;
        leavePresetFactors();
        changed();
    });
}

void App::setOptimizer(OptimizerKind kind, double lr) {
    if (m_session) {
        m_ui.scenario.optimizer = kind;
        m_ui.scenario.lr = lr;
        return restartMethods();
    }
    if (!m_trainer) return;
    guarded("optimizer", [&] {
        OptimizerConfig c = m_trainer->config().optimizer;
        c.kind = kind;
        c.lr = lr;
        m_trainer->setOptimizer(c);
        m_ui.scenario.optimizer = kind;
        m_ui.scenario.lr = lr;
        changed();
    });
}

void App::setLearningRate(double lr) {
    if (m_session) return setOptimizer(m_ui.scenario.optimizer, lr);
    if (!m_trainer) return;
    guarded("learning rate", [&] {
        m_trainer->setLearningRate(lr);
        m_ui.scenario.lr = lr;
    });
}

void App::reset() {
    if (m_session) return restartMethods();
    if (!m_trainer) return;
    if (m_ui.presetIndex >= 0 && m_fixed) return;  // the preset's factors are already shown
    guarded("reset", [&] {
        m_trainer->reset(m_ui.scenario.seed);
        leavePresetFactors();
        changed();
        setMessage("reset: fresh factors from seed " + std::to_string(m_ui.scenario.seed));
    });
}

void App::stepOnce() {
    if (!hasModel()) return;
    m_ui.playing = false;
    guarded("step", [&] {
        const StepReport r = stepModel(1);
        leavePresetFactors();
        changed();
        if (r.diverged)
            setMessage("diverged at step " + std::to_string(r.divergedAtStep) +
                           ": restored the last finite state; lower the learning rate", true);
    });
}

void App::togglePlay() {
    m_ui.playing = !m_ui.playing && hasModel();
}

// ---- per frame ------------------------------------------------------------------------------

void App::setKeyCodes(int keyS, int keyR, int keyF12, int keyW) {
    m_keyW = keyW;
    m_keyS = keyS;
    m_keyR = keyR;
    m_keyF12 = keyF12;
}

void App::setFonts(const Fonts& fonts, float loadedSize) {
    m_bigFont = fonts.big;
    m_loadedFontSize = loadedSize;
}

void App::handleShortcuts() {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput) return;
    auto pressed = [](int key, bool repeat) { return key >= 0 && ImGui::IsKeyPressed(key, repeat); };
    if (pressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) togglePlay();
    if (pressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow), true) || pressed(m_keyS, true)) stepOnce();
    if (pressed(m_keyR, false)) reset();
    if (pressed(m_keyF12, false)) requestScreenshot();
    if (pressed(m_keyW, false) && m_base) m_ui.weightView = !m_ui.weightView;
}

void App::train() {
    if (!m_ui.playing || !hasModel()) return;
    const auto start = Clock::now();
    const double budget = m_ui.frameBudgetMs;
    long long done = 0;
    const long long wanted = std::max(1, m_ui.stepsPerFrame);
    bool ok = guarded("training", [&] {
        double perStepMs = 0;
        while (done < wanted) {
            const double elapsed = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            if (done > 0 && elapsed >= budget) break;
            long long chunk = 1;
            if (done > 0 && perStepMs > 0)
                chunk = std::clamp<long long>(static_cast<long long>((budget - elapsed) / perStepMs), 1,
                                              wanted - done);
            const StepReport r = stepModel(chunk);
            done += r.stepsDone;
            if (r.diverged) {
                m_ui.playing = false;
                setMessage("diverged at step " + std::to_string(r.divergedAtStep) +
                               ": restored the last finite state; lower the learning rate", true);
                break;
            }
            const double now = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            perStepMs = done > 0 ? now / static_cast<double>(done) : 0;
        }
    });
    if (!ok) m_ui.playing = false;
    if (done > 0) {
        leavePresetFactors();
        changed();
        m_rateSteps += done;
    }
}

void App::updateDerived() {
    if (!hasModel()) return;
    if (m_refresh.active()) continueRefresh();
    if (m_derived.version == m_version || m_refresh.active()) return;
    // While training, big layers (ΔW is d·k·r work, its SVD (d+k)·r²) refresh at most ~10% of
    // the time, and the SVD on its own clock; small ones every frame. A new shape always
    // refreshes at once.
    const auto start = Clock::now();
    const bool sameShape = derivedShapeCurrent();
    const double sinceMs = std::chrono::duration<double, std::milli>(start - m_lastDerived).count();
    if (m_ui.playing && sameShape && !m_fixed && sinceMs < 10.0 * m_derivedCostMs) return;
    if (sameShape && !m_session && !m_fixed && m_derived.pooled()) {
        // A large fit's view is refreshed over several frames (continueRefresh), none of them
        // long; the view on screen stays the last complete one meanwhile.
        m_refresh.start(m_trainer->factors(), m_trainer->target());
        m_refreshFor = m_trainer;
        m_refreshVersion = m_version;
        continueRefresh();
        return;
    }
    guarded("analysis", [&] {
        if (m_session) return fillDerived();
        const Factors& f = m_fixed ? *m_fixed : m_trainer->factors();
        updateFitMatrices(m_derived, f, *m_trainer, m_targetVersion);
        updateDeltaSpectrum(f, !sameShape);
    });
    updateBaseDerived();
    m_derived.version = m_version;  // a failed analysis is not retried every frame
    m_lastDerived = Clock::now();
    m_derivedCostMs = std::chrono::duration<double, std::milli>(m_lastDerived - start).count() - m_spectrumCostMs;
}

void App::updateDeltaSpectrum(const Factors& f, bool now) {
    // While training, σ(ΔW) and φ (an r×r SVD after two thin QRs) take at most ~10% of the time.
    const auto start = Clock::now();
    const double sinceMs = std::chrono::duration<double, std::milli>(start - m_lastSpectrum).count();
    const bool due = now || !m_ui.playing || sinceMs >= 10.0 * m_spectrumCostMs;
    if (!updateFitSpectrum(m_derived, f, m_trainer->spectrum(), due)) return;
    m_lastSpectrum = Clock::now();
    m_spectrumCostMs = std::chrono::duration<double, std::milli>(m_lastSpectrum - start).count();
}

void App::continueRefresh() {
    if (m_refreshFor != m_trainer || m_session) {  // the fit it was for is gone
        m_refresh.cancel();
        return;
    }
    if (!m_refresh.advance(kRefreshSliceMs)) return;
    guarded("analysis", [&] {
        m_refresh.finish(m_derived, *m_trainer);
        updateDeltaSpectrum(m_refresh.factors(), false);
    });
    m_refresh.cancel();
    updateBaseDerived();
    m_derived.version = m_refreshVersion;
    m_lastDerived = Clock::now();
    m_derivedCostMs = m_refresh.workMs();
}

void App::measureRates() {
    ++m_rateFrames;
    const double elapsed = std::chrono::duration<double>(Clock::now() - m_rateStart).count();
    if (elapsed >= 0.5) {
        m_ui.framesPerSecond = static_cast<double>(m_rateFrames) / elapsed;
        m_ui.stepsPerSecond = static_cast<double>(m_rateSteps) / elapsed;
        m_rateFrames = m_rateSteps = 0;
        m_rateStart = Clock::now();
    }
}

void App::frame() {
    pollWorker();
    m_heatmaps.beginFrame();
    if (m_loadedFontSize > 0) ImGui::GetIO().FontGlobalScale = m_ui.fontSize / m_loadedFontSize;
    handleShortcuts();
    train();
    updateDerived();
    if (m_heatmaps.ready()) {
        if (!m_colorbarUploaded) {
            Matrix bar(256, 1);
            for (Index i = 0; i < bar.rows(); ++i) bar(i, 0) = 1.0f - 2.0f * static_cast<float>(i) / 255.0f;
            m_heatmaps.upload(SlotColorbar, bar);
            m_colorbarUploaded = true;
        }
        if (hasModel() && m_uploadedVersion != m_derived.version && m_derived.deltaW.size() > 0) {
            if (m_derived.B.size() > 0) {  // full fine-tuning has no factors
                m_heatmaps.upload(SlotB, m_derived.B);
                m_heatmaps.upload(SlotA, m_derived.A);
            }
            m_heatmaps.upload(SlotDeltaW, m_derived.deltaW);
            if (m_uploadedTarget != m_targetVersion) {  // T changes only with a new model
                m_heatmaps.upload(SlotTarget, m_derived.target);
                m_uploadedTarget = m_targetVersion;
            }
            m_heatmaps.upload(SlotResidual, m_derived.residual);
            uploadBaseHeatmaps();
            m_uploadedVersion = m_derived.version;
        }
    }
    measureRates();
    buildLayout();
    drawFileWindows(*this);
}

void App::buildLayout() {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
    // No background quad: the frame is cleared to the same colour, and with a software
    // renderer (llvmpipe) every full-screen blended quad costs milliseconds.
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_MenuBar |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoBackground;
    ImGui::Begin("LoRA Lab", nullptr, flags);
    ImGui::PopStyleVar(2);

    drawMenuBar(*this);

    const ImGuiStyle& style = ImGui::GetStyle();
    const PanelLayout p = layoutPanels(ImGui::GetContentRegionAvail(),
                                       ImGui::GetFrameHeight() + style.ItemSpacing.y, style.ItemSpacing);
    ImGui::BeginGroup();
    if (ImGui::BeginChild("heatmaps", p.heatmaps, true, ImGuiWindowFlags_NoScrollbar))
        drawHeatmapsPanel(*this);
    ImGui::EndChild();
    if (ImGui::BeginChild("losscurve", p.lossCurve, true, ImGuiWindowFlags_NoScrollbar))
        drawLossCurvePanel(*this);
    ImGui::EndChild();
    ImGui::SameLine();
    if (ImGui::BeginChild("spectrum", p.spectrum, true, ImGuiWindowFlags_NoScrollbar))
        m_session ? drawMethodsPanel(*this) : drawSpectrumPanel(*this);
    ImGui::EndChild();
    ImGui::EndGroup();
    ImGui::SameLine();
    ImGui::BeginGroup();
    if (ImGui::BeginChild("controls", p.controls, true)) drawControlsPanel(*this);
    ImGui::EndChild();
    if (ImGui::BeginChild("savings", p.savings, true)) drawSavingsPanel(*this);
    ImGui::EndChild();
    ImGui::EndGroup();
    drawStatusBar(*this);
    ImGui::End();
}

}  // namespace loralab::gui
