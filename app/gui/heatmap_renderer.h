// Heatmaps of float matrices, drawn inside ImGui windows by a GLSL colormap.
//
// Each matrix lives in an R32F texture (width = rows, height = cols: the column-major data is
// uploaded as is). draw() queues an ImDrawList callback; when the ImGui OpenGL3 backend reaches
// it, the heatmap shader (shaders/heatmap.*.glsl, embedded) paints the rectangle with the
// diverging blue–white–red map, symmetric around 0, cells crisp (texelFetch) and grid lines
// when cells are big. Then the backend's render state is restored.
//
//   renderer.init(err)          once, with a current GL 3.3 context
//   renderer.upload(slot, M)    when a matrix changes
//   renderer.draw(list, slot, rect, scale)   while building the UI, between NewFrame and Render
//   renderer.beginRender(drawData)           after ImGui::Render(), before RenderDrawData
#pragma once

#include "loralab/types.h"

#include <imgui.h>

#include <deque>
#include <string>
#include <vector>

namespace loralab::gui {

class HeatmapRenderer {
public:
    HeatmapRenderer() = default;
    HeatmapRenderer(const HeatmapRenderer&) = delete;
    HeatmapRenderer& operator=(const HeatmapRenderer&) = delete;
    ~HeatmapRenderer();

    bool init(std::string& error);  // compiles the shader; false with a message on failure
    void shutdown();                // frees GL objects (needs the context still current)
    bool ready() const { return m_program != 0; }

    // Uploads `m` into texture slot `slot` (slots are created on demand).
    void upload(int slot, const Matrix& m);
    Index rows(int slot) const;
    Index cols(int slot) const;

    // Queues slot `slot` drawn into [p0, p1] (screen coordinates), values ±scale saturated.
    // Grid lines appear when a cell is at least `gridMinCellPx` pixels on both sides.
    void draw(ImDrawList* list, int slot, ImVec2 p0, ImVec2 p1, float scale,
              float gridMinCellPx = 7.0f);

    void beginFrame();                        // forget last frame's queued draws
    void beginRender(const ImDrawData* data); // framebuffer mapping for the callbacks

private:
    struct Slot {
        unsigned texture = 0;
        Index rows = 0, cols = 0;
    };
    struct Request {
        HeatmapRenderer* owner;
        unsigned texture;
        ImVec2 p0, p1;
        float scale;
        float cellW, cellH;
        bool grid;
    };
    static void callback(const ImDrawList* list, const ImDrawCmd* cmd);
    void render(const Request& r, const ImDrawCmd* cmd) const;

    unsigned m_program = 0, m_vao = 0;
    int m_uRect = -1, m_uFbSize = -1, m_uTex = -1, m_uScale = -1, m_uCellPx = -1, m_uGrid = -1;
    std::vector<Slot> m_slots;
    std::deque<Request> m_requests;  // stable addresses: the draw list keeps pointers
    ImVec2 m_displayPos{0, 0}, m_fbScale{1, 1};
    float m_fbWidth = 0, m_fbHeight = 0;
};

}  // namespace loralab::gui
