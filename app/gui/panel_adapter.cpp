// The window of an opened peft adapter: its modules (searchable) on the left; for the chosen
// one B, A, ΔW = s·B·A and ΔW_R (what resizing to rank R keeps) as heatmaps, the rank slider,
// and σ(ΔW) with the first R highlighted.
#include "app.h"
#include "panels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace loralab::gui {

namespace {

constexpr ImU32 kKeptColour = IM_COL32(90, 160, 255, 255);
constexpr ImU32 kDroppedColour = IM_COL32(120, 120, 130, 255);
constexpr ImU32 kTextColour = IM_COL32(220, 220, 220, 255);

float largestAbs(const Matrix& m) { return m.size() ? m.cwiseAbs().maxCoeff() : 0.0f; }

void uploadIfChanged(App& app, const AdapterView& view) {
    OpenFiles& files = app.files();
    HeatmapRenderer& hm = app.heatmaps();
    if (!hm.ready() || files.uploadedAdapter == view.version()) return;
    hm.upload(AdapterSlotB, view.shownB());
    hm.upload(AdapterSlotA, view.shownA());
    hm.upload(AdapterSlotDeltaW, view.shownDeltaW());
    hm.upload(AdapterSlotKept, view.shownKept());
    files.uploadedAdapter = view.version();
}

// One labelled heatmap of `rows`×`cols` cells fitted into a `w`×`h` box at the cursor.
void heatmap(App& app, int slot, const char* label, const char* tip, Index rows, Index cols, float w,
             float h, float scale) {
    ImGui::BeginGroup();
    ImGui::TextUnformatted(label);
    helpTooltip(tip);
    const float cell = std::min(w / static_cast<float>(cols), h / static_cast<float>(rows));
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    const ImVec2 size(std::max(1.0f, cell * static_cast<float>(cols)), std::max(1.0f, cell * static_cast<float>(rows)));
    ImGui::Dummy(ImVec2(w, size.y));
    if (app.heatmaps().ready())
        app.heatmaps().draw(ImGui::GetWindowDrawList(), slot, p0, ImVec2(p0.x + size.x, p0.y + size.y),
                            scale > 0 ? scale : 1.0f);
    ImGui::EndGroup();
}

void sigmaBars(const VectorD& sigma, Index kept) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    ImGui::InvisibleButton("##sigma", ImVec2(std::max(1.0f, avail.x), std::max(1.0f, avail.y)));
    const bool hovered = ImGui::IsItemHovered();
    const float line = ImGui::GetTextLineHeight();
    const ImVec2 p0(origin.x + ImGui::CalcTextSize("0.000").x + 10, origin.y + 4);
    const ImVec2 p1(origin.x + avail.x - 6, origin.y + avail.y - line - 6);
    if (p1.x - p0.x < 20 || p1.y - p0.y < 10 || sigma.size() == 0) return;
    const Index n = sigma.size();
    const float bw = (p1.x - p0.x) / static_cast<float>(n);
    const double top = sigma(0) > 0 ? sigma(0) : 1.0;
    for (Index i = 0; i < n; ++i) {
        const float x = p0.x + static_cast<float>(i) * bw;
        const float y = p1.y - static_cast<float>(sigma(i) / top) * (p1.y - p0.y);
        dl->AddRectFilled(ImVec2(x + bw * 0.1f, y), ImVec2(x + bw * 0.9f, p1.y), i < kept ? kKeptColour : kDroppedColour);
    }
    dl->AddLine(ImVec2(p0.x, p1.y), ImVec2(p1.x, p1.y), kTextColour);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g", top);
    dl->AddText(ImVec2(origin.x + 2, p0.y), kTextColour, buf);
    std::snprintf(buf, sizeof buf, "σ₁ … σ%lld of ΔW; blue: kept at rank %lld", static_cast<long long>(n),
                  static_cast<long long>(kept));
    dl->AddText(ImVec2(p0.x, p1.y + 3), kTextColour, buf);
    if (hovered) {
        const Index i = std::clamp<Index>(static_cast<Index>((ImGui::GetIO().MousePos.x - p0.x) / bw), 0, n - 1);
        ImGui::SetTooltip("σ%lld(ΔW) = %.5g%s", static_cast<long long>(i + 1), sigma(i),
                          i < kept ? " (kept)" : " (dropped by the resize)");
    }
}

void moduleList(App& app, AdapterView& view) {
    OpenFiles& files = app.files();
    ImGui::SetNextItemWidth(-1);
    if (ImGui::InputTextWithHint("##modules", "search (e.g. layers.3 v_proj)", files.moduleFilter.data(),
                                 files.moduleFilter.size()))
        view.setFilter(files.moduleFilter.data());
    if (!ImGui::BeginChild("##modulelist", ImVec2(0, 0), false)) {
        ImGui::EndChild();
        return;
    }
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(view.visible().size()));
    std::size_t clicked = view.selected();
    while (clipper.Step())
        for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
            const std::size_t i = view.visible()[static_cast<std::size_t>(row)];
            const AdapterModule& m = view.adapter().modules()[i];
            ImGui::PushID(static_cast<int>(i));
            if (ImGui::Selectable(view.shortName(i).c_str(), i == view.selected())) clicked = i;
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("%s\nr = %lld, B %lld×%lld, A %lld×%lld, %s", m.name.c_str(),
                                  static_cast<long long>(m.r), static_cast<long long>(m.d), static_cast<long long>(m.r),
                                  static_cast<long long>(m.r), static_cast<long long>(m.k), m.dtype.c_str());
            ImGui::PopID();
        }
    ImGui::EndChild();
    if (clicked != view.selected()) {
        try {
            view.select(clicked);
        } catch (const std::exception& e) {
            app.setMessage(std::string("adapter: ") + e.what(), true);
        }
    }
}

void moduleDetail(App& app, AdapterView& view) {
    const AdapterModule& m = view.module();
    const ModuleSpectrum& s = view.spectrum();
    ImGui::TextWrapped("%s", m.name.c_str());
    ImGui::Text("B %lld×%lld   A %lld×%lld   scale s = %.4g   ‖ΔW‖_F = %.4g   90 %%: rank %lld   99 %%: rank %lld",
                static_cast<long long>(m.d), static_cast<long long>(m.r), static_cast<long long>(m.r),
                static_cast<long long>(m.k), m.scale, s.frobenius, static_cast<long long>(s.rank90),
                static_cast<long long>(s.rank99));
    helpTooltip("‖ΔW‖_F from σ(ΔW), computed through QR of B and Aᵀ (ΔW itself is never formed). "
                "90 % / 99 %: the fewest singular values holding that share of ‖ΔW‖²_F.");
    int rank = static_cast<int>(view.keepRank());
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
    if (ImGui::SliderInt("resize to rank", &rank, 1, static_cast<int>(m.r))) view.setKeepRank(rank);
    helpTooltip("What --inspect --resize-rank R keeps of this module: the truncated SVD of ΔW, the best "
                "rank-R matrix (Eckart–Young).");
    ImGui::Text("Rank %lld keeps %.1f %% of ‖ΔW‖²_F; relative error ‖ΔW − ΔW_R‖_F / ‖ΔW‖_F = %.4f",
                static_cast<long long>(view.keepRank()), 100.0 * view.keptEnergy(), view.relativeError());

    uploadIfChanged(app, view);
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float w = (avail.x - 3 * gap) / 4, h = std::max(40.0f, avail.y * 0.55f - ImGui::GetTextLineHeightWithSpacing());
    const float scaleW = std::max(largestAbs(view.shownDeltaW()), largestAbs(view.shownKept()));
    const bool sampled = view.rows().size() < static_cast<std::size_t>(m.d) || view.cols().size() < static_cast<std::size_t>(m.k);
    const char* sampleNote = sampled ? " Large: evenly spaced rows and columns are shown, each entry exact." : "";
    const std::string tipB = std::string("B (d×r), its own colour scale.") + sampleNote;
    const std::string tipA = std::string("A (r×k), its own colour scale.") + sampleNote;
    const std::string tipW = std::string("ΔW = s·B·A; same colour scale as ΔW_R.") + sampleNote;
    const std::string tipK = std::string("ΔW_R: what the rank-R adapter reproduces.") + sampleNote;
    const Index rows = static_cast<Index>(view.rows().size()), cols = static_cast<Index>(view.cols().size());
    heatmap(app, AdapterSlotB, "B", tipB.c_str(), rows, m.r, w, h, largestAbs(view.shownB()));
    ImGui::SameLine();
    heatmap(app, AdapterSlotA, "A", tipA.c_str(), m.r, cols, w, h, largestAbs(view.shownA()));
    ImGui::SameLine();
    heatmap(app, AdapterSlotDeltaW, "ΔW", tipW.c_str(), rows, cols, w, h, scaleW);
    ImGui::SameLine();
    const std::string keptLabel = "ΔW at rank " + std::to_string(view.keepRank());
    heatmap(app, AdapterSlotKept, keptLabel.c_str(), tipK.c_str(), rows, cols, w, h, scaleW);
    sigmaBars(s.svd.sigma, view.keepRank());
}

}  // namespace

void drawAdapterWindow(App& app) {
    OpenFiles& files = app.files();
    if (!files.adapter) return;
    AdapterView& view = *files.adapter;
    const AdapterConfig& c = view.adapter().config();
    bool open = true;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowSize(ImVec2(vp->WorkSize.x * 0.85f, vp->WorkSize.y * 0.8f), ImGuiCond_Appearing);
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.075f, vp->WorkPos.y + vp->WorkSize.y * 0.1f),
                            ImGuiCond_Appearing);
    ImGui::SetNextWindowBgAlpha(1.0f);  // the fit's panels behind it would show through
    const std::string title = "Adapter: " + view.dir() + "###adapter";
    if (ImGui::Begin(title.c_str(), &open)) {
        const std::size_t n = view.adapter().modules().size();
        ImGui::Text("%zu module%s   r = %lld   lora_alpha = %g%s%s", n, n == 1 ? "" : "s",
                    static_cast<long long>(c.r), c.alpha, c.rslora ? "   rsLoRA: s = α/√r" : "",
                    c.rankPattern.empty() && c.alphaPattern.empty() ? "" : "   (rank/alpha patterns)");
        const float listW = ImGui::GetContentRegionAvail().x * 0.32f;
        if (ImGui::BeginChild("##left", ImVec2(listW, 0), true)) moduleList(app, view);
        ImGui::EndChild();
        ImGui::SameLine();
        if (ImGui::BeginChild("##right", ImVec2(0, 0), true)) moduleDetail(app, view);
        ImGui::EndChild();
    }
    ImGui::End();
    if (!open) files.adapter.reset();
}

}  // namespace loralab::gui
