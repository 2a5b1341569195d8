// The status line: step, loss, rates, play state and the last message (errors in red).
#include "app.h"
#include "panels.h"

#include <cstdio>
#include <string>

namespace loralab::gui {

void drawStatusBar(App& app) {
    const UiState& ui = app.ui();
    ImGui::AlignTextToFramePadding();
    if (app.hasModel()) {
        const FitView& dv = app.derived();
        char loss[32];
        if (dv.loss <= dv.zeroLevel)
            std::snprintf(loss, sizeof loss, "≈ 0");
        else
            std::snprintf(loss, sizeof loss, "%.4g", dv.loss);
        MethodSession* session = app.session();
        const std::string who = session ? std::string(" (") + methodName(session->kind(session->selected())) + ")" : "";
        ImGui::Text("%s  step %lld   loss%s %s", ui.playing ? "▶ training" : "■ paused", app.stepCount(),
                    who.c_str(), loss);
        if (ui.framesPerSecond > 0) {  // measured over half a second: absent in the first frames
            ImGui::SameLine(0, 24);
            ImGui::Text("%.0f steps/s   %.0f fps", ui.stepsPerSecond, ui.framesPerSecond);
        }
    }
    if (app.building()) {  // the worker's job: what it builds and how far it is
        if (app.hasModel()) ImGui::SameLine(0, 30);
        ImGui::TextColored(ImVec4(1.0f, 0.85f, 0.4f, 1.0f), "%s", app.buildWhat().c_str());
        ImGui::SameLine();
        const float f = static_cast<float>(app.buildProgress());
        char pct[16];
        std::snprintf(pct, sizeof pct, "%.0f %%", 100.0 * f);
        ImGui::ProgressBar(f, ImVec2(ImGui::GetTextLineHeight() * 8, 0), pct);
        helpTooltip("Runs on a worker thread: the window stays usable, and what is shown is the previous state until it is ready. A newer change replaces it.");
    }
    if (!ui.message.empty()) {
        ImGui::SameLine(0, 30);
        if (ui.messageIsError)
            ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", ui.message.c_str());
        else
            ImGui::TextColored(ImVec4(0.7f, 0.9f, 1.0f, 1.0f), "%s", ui.message.c_str());
        helpTooltip(ui.message.c_str());
    }
}

}  // namespace loralab::gui
