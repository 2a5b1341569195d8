// The base controls (in the controls panel): where W0 comes from and how it is held, the weight
// view's switch, the merge precision, and the adapters that share the base (hot swap, export,
// memory). The figures they change are drawn in the weight view (panel_weights.cpp).
#include "app.h"
#include "panels.h"
#include "savings.h"

#include <cstdio>
#include <string>

namespace loralab::gui {
namespace {

void title(const char* text) {
    ImGui::TextColored(ImVec4(1.0f, 0.82f, 0.35f, 1.0f), "%s", text);
    ImGui::Separator();
}

void adaptersSection(App& app, const BaseView& v) {
    title("Adapters on one base");
    const int n = app.adapterCount();
    for (int i = 0; i < n; ++i) {
        const Trainer* t = app.adapterTrainer(i);
        if (!t) continue;
        ImGui::PushID(i);
        char label[96];
        std::snprintf(label, sizeof label, "adapter %d  (target seed %llu, rank %lld)", i + 1,
                      static_cast<unsigned long long>(app.adapterTargetSeed(i)), static_cast<long long>(t->rank()));
        if (ImGui::RadioButton(label, app.activeAdapter() == i)) app.activateAdapter(i);
        helpTooltip("Hot swap: make this adapter the active one. The base stays in memory; only which B, A "
                    "are added changes, so the switch is instant.");
        ImGui::SameLine();
        if (ImGui::SmallButton("export")) app.exportAdapter(i);
        helpTooltip("Write this adapter in peft's layout to <out-dir>/adapter-N.");
        ImGui::PopID();
    }
    if (ImGui::Button("New adapter on target 2, 3, ...")) app.addAdapter();
    helpTooltip("Adds an adapter for the next target (next seed) on the same frozen base, and makes it active. "
                "Train it, then switch back: each keeps what it learned.");
    ImGui::TextWrapped("memory: base %s once + %d × %s = %s", formatBytes(static_cast<std::int64_t>(v.baseBytes)).c_str(), n,
                formatBytes(static_cast<std::int64_t>(v.adapterBytes)).c_str(),
                formatBytes(static_cast<std::int64_t>(v.baseBytes + v.adapterBytes * static_cast<std::uint64_t>(n))).c_str());
    helpTooltip("The base is stored once; each adapter adds r·(d + k) fp32 numbers. Merging instead would need "
                "a full copy of the weight per task.");
}

}  // namespace

void drawBaseControls(App& app) {
    Scenario& s = app.ui().scenario;
    title("Frozen base W0");
    const char* kinds[] = {"none (fit T alone)", "gaussian W0", "from --base-file"};
    int kind = static_cast<int>(s.base);
    if (ImGui::Combo("base", &kind, kinds, s.baseFile.empty() ? 2 : 3))
        app.setBase(static_cast<BaseKind>(kind), s.baseDtype, s.doubleQuant);
    helpTooltip("The weight LoRA adapts. With a base the fit is W' = W0ₛ + s·B·A against the fine-tuned "
                "W* = W0 + T; with none, today's fit of ΔW to T.");
    const BaseWeight* base = app.base();
    if (!base) return;
    const char* dtypes[] = {"fp32", "bf16", "fp16", "nf4 (QLoRA)"};
    int dtype = static_cast<int>(s.baseDtype);
    if (ImGui::Combo("held as", &dtype, dtypes, 4))
        app.setBase(s.base, static_cast<BaseDtype>(dtype), s.doubleQuant);
    helpTooltip("How W0 is stored in memory (W0ₛ). NF4: blocks of 64 values in row-major order, one fp32 "
                "absmax scale each, every value the nearest of 16 levels.");
    if (s.baseDtype == BaseDtype::Nf4) {
        bool dq = s.doubleQuant;
        if (ImGui::Checkbox("double quantization", &dq)) app.setBase(s.base, s.baseDtype, dq);
        helpTooltip("Quantize the block scales too (8 bits, blocks of 256): 4.13 bits a value instead of 4.5.");
    }
    const BaseView& v = app.baseView();
    ImGui::Text("%s, %.3g bits a value", formatBytes(static_cast<std::int64_t>(base->bytes())).c_str(),
                bitsPerValue(base->d(), base->k(), base->dtype, base->doubleQuant));
    helpTooltip("The base's size in memory; the weight view shows its quantization error and the floor.");
    bool weights = app.ui().weightView;
    if (ImGui::Checkbox("weight view: W0ₛ + s·B·A = W'  (W)", &weights)) app.ui().weightView = weights;
    helpTooltip("Show the frozen base, the adapter and the effective weight next to W* and the residual, "
                "instead of B, A and ΔW.");
    if (v.stored.size() == 0) return;

    title("Merge and unmerge");
    int prec = static_cast<int>(app.ui().mergePrecision);
    ImGui::RadioButton("merge in fp32", &prec, 0);
    ImGui::SameLine();
    ImGui::RadioButton("in bf16", &prec, 1);
    if (prec != static_cast<int>(app.ui().mergePrecision)) app.setMergePrecision(static_cast<MergePrecision>(prec));
    ImGui::SameLine();
    if (ImGui::SmallButton("export merged")) app.exportMerged();
    helpTooltip("Write W' = W0ₛ + s·B·A, merged in this precision, to <out-dir>/merged.safetensors: one F32 "
                "tensor layer.weight (as --export-merged does headless).");
    helpTooltip("Merging writes W' = W0ₛ + s·B·A into one weight: no extra latency, but stored in bf16 each "
                "entry is rounded (the rounding-error heatmap in the weight view).");
    adaptersSection(app, v);
}

}  // namespace loralab::gui
