// Training controls: shape, rank, target, init, α, optimizer, learning rate, seed, play/step/reset.
#include "app.h"
#include "panels.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace loralab::gui {
namespace {

void tip(const char* text) {
    if (ImGui::IsItemHovered()) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 26);
        ImGui::TextUnformatted(text);
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
    }
}

template <typename E>
struct Choice {
    E value;
    const char* label;
    const char* help;
};

const Choice<TargetKind> kTargets[] = {
    {TargetKind::Full, "full rank (Gaussian)", "i.i.d. N(0, 1) entries: every singular value matters, so any rank below min(d, k) leaves a floor."},
    {TargetKind::LowRank, "low rank r*", "T = U·V of rank r*: a rank-r adapter with r ≥ r* can fit it exactly (floor 0)."},
    {TargetKind::Identity, "identity", "The d×k identity: a flat spectrum, the worst case for a low-rank fit."},
    {TargetKind::Decay, "decaying spectrum", "σᵢ ∝ i^(−p): a few directions carry most of the energy, like real weight updates."},
    {TargetKind::File, "from file", "The matrix read from --target-file (CSV or picture)."},
};
const Choice<Init> kInits[] = {
    {Init::Peft, "peft (B = 0)", "Hugging Face peft's default: B = 0, A ~ U(−1/√k, 1/√k), so ΔW = 0 at step 0."},
    {Init::Gaussian, "gaussian (B = 0)", "B = 0, A ~ N(0, 1/r)."},
    {Init::Svd, "svd (at the floor)", "B, A from the target's top-r SVD: training starts at the Eckart–Young floor."},
};
const Choice<OptimizerKind> kOptimizers[] = {
    {OptimizerKind::Sgd, "SGD", "p −= lr·g"},
    {OptimizerKind::Momentum, "momentum", "SGD with momentum 0.9 (PyTorch's form)."},
    {OptimizerKind::Adam, "Adam", "Adam (β₁ 0.9, β₂ 0.999): two extra values per trainable parameter."},
};

template <typename E, std::size_t N>
bool choiceCombo(const char* label, E& value, const Choice<E> (&choices)[N], const char* help,
                 bool allowFile = true, const char* preview = nullptr) {
    const char* current = "?";
    for (const auto& c : choices)
        if (c.value == value) current = c.label;
    if (preview) current = preview;
    bool changed = false;
    if (ImGui::BeginCombo(label, current)) {
        for (const auto& c : choices) {
            if constexpr (std::is_same_v<E, TargetKind>)
                if (c.value == TargetKind::File && !allowFile) continue;
            if (ImGui::Selectable(c.label, c.value == value && !preview)) {
                changed = c.value != value || preview != nullptr;
                value = c.value;
            }
            tip(c.help);
        }
        ImGui::EndCombo();
    }
    tip(help);
    return changed;
}

void sectionTitle(const char* text) {
    ImGui::TextColored(ImVec4(1.0f, 0.82f, 0.35f, 1.0f), "%s", text);
    ImGui::Separator();
}

}  // namespace

void helpTooltip(const char* text) { tip(text); }

void drawControlsPanel(App& app) {
    UiState& ui = app.ui();
    Scenario& s = ui.scenario;
    const float labelW = ImGui::CalcTextSize("steps/frame").x + ImGui::GetStyle().ItemInnerSpacing.x * 2;
    ImGui::PushItemWidth(-labelW);

    // Play / Step / Reset first: the teacher's most used buttons.
    const float bw = (ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3;
    if (ImGui::Button(ui.playing ? "Pause" : "Play", ImVec2(bw, 0))) app.togglePlay();
    tip("Train continuously (Space). The window stays responsive: at most ~5 ms of training per frame.");
    ImGui::SameLine();
    if (ImGui::Button("Step", ImVec2(bw, 0))) app.stepOnce();
    tip("One optimizer step (S or →).");
    ImGui::SameLine();
    if (ImGui::Button("Reset", ImVec2(bw, 0))) app.reset();
    tip("Fresh factors from the seed; same target (R).");
    int spf = ui.stepsPerFrame;
    if (ImGui::SliderInt("steps/frame", &spf, 1, 2000, "%d", ImGuiSliderFlags_Logarithmic)) ui.stepsPerFrame = std::max(1, spf);
    tip("Speed: optimizer steps per frame while playing (cut short when a frame's time budget is used up).");

    // The active preset's note, where the teacher looks first.
    const int pi = ui.presetIndex;
    if (pi >= 0 && pi < static_cast<int>(app.presets().size()) && !app.presets()[static_cast<std::size_t>(pi)].note.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.88f, 1.0f, 1.0f));
        ImGui::TextWrapped("%s", app.presets()[static_cast<std::size_t>(pi)].note.c_str());
        ImGui::PopStyleColor();
    }

    if (!app.hasModel()) {
        ImGui::PopItemWidth();
        return;
    }
    const Index maxRank = std::min(s.d, s.k);

    sectionTitle("Shape and rank");
    // Live while dragging; above rank kMaxSpectrumRank shrinking needs a large SVD, so the new
    // rank is applied when the slider is released.
    const bool dragging = ui.pendingRank > 0;
    int rank = dragging ? ui.pendingRank : static_cast<int>(app.currentRank());
    const bool moved = ImGui::SliderInt("rank r", &rank, 1, static_cast<int>(maxRank));
    const bool released = ImGui::IsItemDeactivatedAfterEdit();
    if (moved) {
        if (rank <= kMaxSpectrumRank && app.currentRank() <= kMaxSpectrumRank) {
            app.setRank(rank);
            ui.pendingRank = 0;
        } else {
            ui.pendingRank = rank;
        }
    }
    if (released && ui.pendingRank > 0) {
        app.setRank(ui.pendingRank);
        ui.pendingRank = 0;
    }
    const std::string rankTip =
        "LoRA rank r, from 1 to min(d, k). Changing it while training keeps what was learned: growing keeps ΔW, "
        "shrinking keeps its best rank-r approximation. Above r = " + std::to_string(kMaxSpectrumRank) +
        " the change applies when you release the slider.";
    tip(rankTip.c_str());
    const bool fileTarget = s.target == TargetKind::File;
    int d = static_cast<int>(s.d), k = static_cast<int>(s.k);
    ImGui::BeginDisabled(fileTarget && !app.showingPresetFactors() && !s.targetFile.empty());
    // d and k side by side: one line.
    const float half = (ImGui::CalcItemWidth() - ImGui::GetStyle().ItemInnerSpacing.x) * 0.5f;
    ImGui::SetNextItemWidth(half);
    const bool dEdit = ImGui::SliderInt("##d", &d, 2, 512, "d = %d");
    const bool dDone = ImGui::IsItemDeactivatedAfterEdit();
    tip("Rows d of W, T and ΔW (2..512). Applied when you release the slider: a new target and fresh factors.");
    ImGui::SameLine(0, ImGui::GetStyle().ItemInnerSpacing.x);
    ImGui::SetNextItemWidth(half);
    const bool kEdit = ImGui::SliderInt("d × k", &k, 2, 512, "k = %d");
    const bool kDone = ImGui::IsItemDeactivatedAfterEdit();
    tip("Columns k of W, T and ΔW (2..512). Applied when you release the slider.");
    ImGui::EndDisabled();
    if (dEdit || kEdit) {
        s.d = std::clamp(d, 2, 512);
        s.k = std::clamp(k, 2, 512);
    }
    if (dDone || kDone) {
        if (s.target == TargetKind::File && s.targetFile.empty()) s.target = TargetKind::Full;
        s.rank = std::min<Index>(app.currentRank(), std::min(s.d, s.k));
        s.targetRank = std::min<Index>(s.targetRank, std::min(s.d, s.k));
        s.steps = 0;
        app.rebuild();
        if (!app.hasModel()) {
            ImGui::PopItemWidth();
            return;
        }
    }

    drawMethodControls(app);

    sectionTitle("Target T");
    TargetKind kind = s.target;
    const bool presetTarget = app.showingPresetFactors() || (fileTarget && s.targetFile.empty());
    if (choiceCombo("target", kind, kTargets,
                    presetTarget ? "The preset's own s·B·A is the target; pick a kind to replace it."
                                 : "What B·A is fitted to.",
                    !s.targetFile.empty(), presetTarget ? "preset: T = s·B·A" : nullptr)) {
        s.target = kind;
        s.rank = app.currentRank();
        s.steps = 0;
        app.rebuild();
    }
    if (s.target == TargetKind::LowRank) {
        int tr = static_cast<int>(s.targetRank);
        ImGui::SliderInt("target r*", &tr, 1, static_cast<int>(std::min(s.d, s.k)));
        s.targetRank = tr;
        tip("Rank r* of the low-rank target. With r ≥ r* the floor is 0. Applied on release.");
        if (ImGui::IsItemDeactivatedAfterEdit()) {
            s.rank = app.currentRank();
            app.rebuild();
        }
    }
    if (s.target == TargetKind::Decay) {
        float p = static_cast<float>(s.decayPower);
        ImGui::SliderFloat("decay p", &p, 0.0f, 3.0f, "%.2f");
        s.decayPower = p;
        tip("σᵢ ∝ i^(−p): larger p, faster decay, easier to fit at low rank. Applied on release.");
        if (ImGui::IsItemDeactivatedAfterEdit()) {
            s.rank = app.currentRank();
            app.rebuild();
        }
    }
    int seed = static_cast<int>(s.seed);
    ImGui::InputInt("seed", &seed);
    tip("Seed of the target and of the factors' initialization. Applied when you leave the field.");
    if (ImGui::IsItemDeactivatedAfterEdit() && seed >= 0) {
        s.seed = static_cast<std::uint64_t>(seed);
        s.rank = app.currentRank();
        app.rebuild();
    }

    sectionTitle("Adapter and optimizer");
    Init init = s.init;
    if (choiceCombo("init", init, kInits, "How B and A start. Changing it restarts training.")) {
        s.init = init;
        s.rank = app.currentRank();
        app.rebuild();
    }
    bool autoAlpha = !s.alpha.has_value();
    if (ImGui::Checkbox("α = r", &autoAlpha)) app.setAlpha(autoAlpha ? std::nullopt : std::optional<double>(static_cast<double>(app.currentRank())), s.rslora);
    tip("With α = r the scale s = α/r is 1. Untick to set α yourself.");
    ImGui::SameLine();
    bool rs = s.rslora;
    if (ImGui::Checkbox("rsLoRA", &rs)) app.setAlpha(s.alpha, rs);
    tip("rsLoRA: s = α/√r instead of α/r (keeps the update's size steady as r grows).");
    ImGui::SameLine(0, 20);
    ImGui::Text("s = %.4g", app.currentScale());
    tip("The scale in ΔW = s·B·A.");
    if (s.alpha) {
        float a = static_cast<float>(*s.alpha);
        if (ImGui::SliderFloat("α", &a, 0.25f, 128.0f, "%.3g", ImGuiSliderFlags_Logarithmic)) app.setAlpha(static_cast<double>(a), s.rslora);
        tip("LoRA α: the scale is s = α/r (or α/√r). Changing it keeps ΔW (B is rescaled).");
    }
    OptimizerKind opt = s.optimizer;
    if (choiceCombo("optimizer", opt, kOptimizers, "The update rule. Changing it restarts its state.")) app.setOptimizer(opt, s.lr);
    float lr = static_cast<float>(s.lr);
    if (ImGui::SliderFloat("learning rate", &lr, 1e-4f, 1.0f, "%.2e", ImGuiSliderFlags_Logarithmic)) app.setLearningRate(static_cast<double>(lr));
    tip("Step size (log scale). Too large and training diverges: the app restores the last good state and pauses.");

    sectionTitle("View and slides");
    ImGui::Checkbox("one colour scale for all matrices", &ui.sharedScale);
    tip("On: every heatmap uses the same value-to-colour map, so sizes compare across B, A, ΔW and T. Off: each matrix is scaled to its own largest |value|.");
    const float halfW = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
    if (ImGui::Button("Screenshot (F12)", ImVec2(halfW, 0))) app.requestScreenshot();
    tip("Saves the whole window as loralab-YYYYmmdd-HHMMSS.png in the output folder (--out-dir).");
    ImGui::SameLine();
    if (ImGui::Button("Export curve", ImVec2(halfW, 0))) app.requestCurveExport();
    tip("Saves only the loss-curve panel as a PNG, for a slide.");
    if (ImGui::Button("Export curve as CSV", ImVec2(-1, 0))) app.exportCurveCsv();
    tip("Saves the losses as loralab-YYYYmmdd-HHMMSS.csv in the output folder: step,loss,floor,rank, or with methods a loss column per method and LoRA's floor.");
    drawBaseControls(app);
    ImGui::PopItemWidth();
}

}  // namespace loralab::gui
