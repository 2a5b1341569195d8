// File > Open's path box, and the tensor list of an opened .safetensors file. The adapter's
// window is in panel_adapter.cpp.
#include "app.h"
#include "panels.h"

#include "io/target_file.h"
#include "params/params_report.h"

#include <algorithm>
#include <cstdio>

namespace loralab::gui {

namespace {

// What a row of the tensor list can do with its tensor. A new action is one more entry: its label, why it cannot apply to a tensor ("" when it can), and what it does.
struct TensorAction {
    const char* label;
    const char* tooltip;
    std::string (*problem)(const WeightEntry&);
    void (*apply)(App&, const WeightEntry&);
};

const std::vector<TensorAction>& tensorActions() {
    static const std::vector<TensorAction> actions{  // a constant table
        {"Target", "Fit B·A to this weight: it becomes the target T (d×k = out×in).",
         [](const WeightEntry& e) { return targetProblem(e, kMaxTargetFileDim); },
         [](App& app, const WeightEntry& e) { app.useTargetFile(e.file, e.name); }},
        {"Base", "Make this weight the frozen base W0 (the weight view shows W0 + s·B·A); a "
                 "generated target takes its shape.",
         [](const WeightEntry& e) { return targetProblem(e, kMaxTargetFileDim); },
         [](App& app, const WeightEntry& e) { app.useBaseFile(e.file, e.name); }},
    };
    return actions;
}

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string s;
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "×" : "") + std::to_string(shape[i]);
    return shape.empty() ? "scalar" : s;
}

void placeWindow(float widthShare, float heightShare) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const ImVec2 size(vp->WorkSize.x * widthShare, vp->WorkSize.y * heightShare);
    ImGui::SetNextWindowSize(size, ImGuiCond_Appearing);
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + (vp->WorkSize.x - size.x) * 0.5f,
                                   vp->WorkPos.y + (vp->WorkSize.y - size.y) * 0.5f),
                            ImGuiCond_Appearing);
    ImGui::SetNextWindowBgAlpha(1.0f);  // the fit's panels behind it would show through
}

void drawOpenBox(App& app) {
    OpenFiles& files = app.files();
    if (!files.openBox) return;
    placeWindow(0.5f, 0.0f);
    if (ImGui::Begin("Open a file or folder", &files.openBox, ImGuiWindowFlags_AlwaysAutoResize)) {
        if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 36);
        const bool enter = ImGui::InputText("##path", files.pathText.data(), files.pathText.size(),
                                            ImGuiInputTextFlags_EnterReturnsTrue);
        ImGui::SameLine();
        if ((ImGui::Button("Open") || enter) && files.pathText[0] != '\0') {
            app.openPath(files.pathText.data());
            if (!app.ui().messageIsError) files.openBox = false;
        }
        ImGui::TextDisabled("A picture or CSV (the target), a .safetensors file, or a peft adapter folder.");
        ImGui::TextDisabled("Dropping it on the window does the same.");
    }
    ImGui::End();
}

void drawTensorList(App& app) {
    OpenFiles& files = app.files();
    if (!files.tensors) return;
    TensorListView& view = *files.tensors;
    bool open = true;
    placeWindow(0.62f, 0.7f);
    const std::string title = "Tensors: " + view.weights().source + "###tensors";
    if (ImGui::Begin(title.c_str(), &open)) {
        ImGui::Text("%zu tensors in %zu file%s, %s parameters", view.weights().entries.size(),
                    view.weights().files, view.weights().files == 1 ? "" : "s",
                    grouped(view.totalParams()).c_str());
        ImGui::SetNextItemWidth(-1);
        if (ImGui::InputTextWithHint("##filter", "search (e.g. layers.0 q_proj)", files.tensorFilter.data(),
                                     files.tensorFilter.size()))
            view.setFilter(files.tensorFilter.data());
        const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                      ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable;
        const int columns = 3 + static_cast<int>(tensorActions().size());
        if (ImGui::BeginTable("tensors", columns, flags)) {
            ImGui::TableSetupScrollFreeze(0, 1);
            ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthStretch);
            ImGui::TableSetupColumn("dtype", ImGuiTableColumnFlags_WidthFixed);
            ImGui::TableSetupColumn("shape", ImGuiTableColumnFlags_WidthFixed);
            for (const TensorAction& a : tensorActions())
                ImGui::TableSetupColumn(a.label, ImGuiTableColumnFlags_WidthFixed);
            ImGui::TableHeadersRow();
            ImGuiListClipper clipper;  // thousands of tensors: only the visible rows are built
            clipper.Begin(static_cast<int>(view.visible().size()));
            const WeightEntry* chosen = nullptr;
            const TensorAction* action = nullptr;
            while (clipper.Step()) {
                for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
                    const WeightEntry& e = view.weights().entries[view.visible()[static_cast<std::size_t>(row)]];
                    ImGui::TableNextRow();
                    ImGui::TableNextColumn();
                    ImGui::TextUnformatted(e.name.c_str());
                    ImGui::TableNextColumn();
                    ImGui::TextUnformatted(e.dtype.c_str());
                    ImGui::TableNextColumn();
                    ImGui::TextUnformatted(shapeText(e.shape).c_str());
                    for (const TensorAction& a : tensorActions()) {
                        ImGui::TableNextColumn();
                        const std::string why = a.problem(e);
                        ImGui::PushID(row);
                        ImGui::BeginDisabled(!why.empty());
                        if (ImGui::SmallButton(a.label)) {
                            chosen = &e;
                            action = &a;
                        }
                        ImGui::EndDisabled();
                        if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
                            ImGui::SetTooltip("%s", why.empty() ? a.tooltip : ("Not usable: " + why).c_str());
                        ImGui::PopID();
                    }
                }
            }
            ImGui::EndTable();
            if (chosen) action->apply(app, *chosen);
        }
    }
    ImGui::End();
    if (!open) files.tensors.reset();
}

}  // namespace

void drawFileWindows(App& app) {
    drawOpenBox(app);
    drawTensorList(app);
    drawAdapterWindow(app);
}

}  // namespace loralab::gui
