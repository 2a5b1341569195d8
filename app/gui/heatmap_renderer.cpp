#include "heatmap_renderer.h"

#include "gl.h"
#include "heatmap_frag_glsl.h"  // generated: kHeatmapFragSource
#include "heatmap_vert_glsl.h"  // generated: kHeatmapVertSource

#include <algorithm>

namespace loralab::gui {
namespace {

GLuint compile(GLenum type, const char* source, const char* name, std::string& error) {
    GLuint shader = glCreateShader(type);
    glShaderSource(shader, 1, &source, nullptr);
    glCompileShader(shader);
    GLint ok = 0;
    glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[2048] = {};
        glGetShaderInfoLog(shader, sizeof log, nullptr, log);
        error = std::string("compiling ") + name + ": " + log;
        glDeleteShader(shader);
        return 0;
    }
    return shader;
}

}  // namespace

HeatmapRenderer::~HeatmapRenderer() = default;  // GL objects need a context: see shutdown()

bool HeatmapRenderer::init(std::string& error) {
    GLuint vs = compile(GL_VERTEX_SHADER, kHeatmapVertSource, "shaders/heatmap.vert.glsl", error);
    if (!vs) return false;
    GLuint fs = compile(GL_FRAGMENT_SHADER, kHeatmapFragSource, "shaders/heatmap.frag.glsl", error);
    if (!fs) {
        glDeleteShader(vs);
        return false;
    }
    GLuint program = glCreateProgram();
    glAttachShader(program, vs);
    glAttachShader(program, fs);
    glLinkProgram(program);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint ok = 0;
    glGetProgramiv(program, GL_LINK_STATUS, &ok);
    if (!ok) {
        char log[2048] = {};
        glGetProgramInfoLog(program, sizeof log, nullptr, log);
        error = std::string("linking the heatmap shader: ") + log;
        glDeleteProgram(program);
        return false;
    }
    m_program = program;
    m_uRect = glGetUniformLocation(program, "uRect");
    m_uFbSize = glGetUniformLocation(program, "uFbSize");
    m_uTex = glGetUniformLocation(program, "uTex");
    m_uScale = glGetUniformLocation(program, "uScale");
    m_uCellPx = glGetUniformLocation(program, "uCellPx");
    m_uGrid = glGetUniformLocation(program, "uGrid");
    glGenVertexArrays(1, &m_vao);
    return true;
}

void HeatmapRenderer::shutdown() {
    for (Slot& s : m_slots)
        if (s.texture) glDeleteTextures(1, &s.texture);
    m_slots.clear();
    if (m_vao) glDeleteVertexArrays(1, &m_vao);
    if (m_program) glDeleteProgram(m_program);
    m_vao = m_program = 0;
    m_requests.clear();
}

void HeatmapRenderer::upload(int slot, const Matrix& m) {
    if (slot < 0 || m.size() == 0) return;
    if (static_cast<std::size_t>(slot) >= m_slots.size()) m_slots.resize(static_cast<std::size_t>(slot) + 1);
    Slot& s = m_slots[static_cast<std::size_t>(slot)];
    GLint previous = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
    if (!s.texture) {
        glGenTextures(1, &s.texture);
        glBindTexture(GL_TEXTURE_2D, s.texture);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    } else {
        glBindTexture(GL_TEXTURE_2D, s.texture);
    }
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    if (s.rows != m.rows() || s.cols != m.cols()) {
        glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, static_cast<GLsizei>(m.rows()),
                     static_cast<GLsizei>(m.cols()), 0, GL_RED, GL_FLOAT, m.data());
        s.rows = m.rows();
        s.cols = m.cols();
    } else {
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, static_cast<GLsizei>(m.rows()),
                        static_cast<GLsizei>(m.cols()), GL_RED, GL_FLOAT, m.data());
    }
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous));
}

Index HeatmapRenderer::rows(int slot) const {
    return slot >= 0 && static_cast<std::size_t>(slot) < m_slots.size() ? m_slots[static_cast<std::size_t>(slot)].rows : 0;
}
Index HeatmapRenderer::cols(int slot) const {
    return slot >= 0 && static_cast<std::size_t>(slot) < m_slots.size() ? m_slots[static_cast<std::size_t>(slot)].cols : 0;
}

void HeatmapRenderer::beginFrame() { m_requests.clear(); }

void HeatmapRenderer::draw(ImDrawList* list, int slot, ImVec2 p0, ImVec2 p1, float scale,
                           float gridMinCellPx) {
    if (!ready() || slot < 0 || static_cast<std::size_t>(slot) >= m_slots.size()) return;
    const Slot& s = m_slots[static_cast<std::size_t>(slot)];
    if (!s.texture || p1.x - p0.x < 1.0f || p1.y - p0.y < 1.0f) return;
    Request r;
    r.owner = this;
    r.texture = s.texture;
    r.p0 = p0;
    r.p1 = p1;
    r.scale = scale > 0.0f && std::isfinite(scale) ? scale : 1.0f;
    r.cellW = (p1.x - p0.x) / static_cast<float>(s.cols);
    r.cellH = (p1.y - p0.y) / static_cast<float>(s.rows);
    r.grid = std::min(r.cellW, r.cellH) >= gridMinCellPx;
    m_requests.push_back(r);
    list->AddCallback(&HeatmapRenderer::callback, &m_requests.back());
    list->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
}

void HeatmapRenderer::beginRender(const ImDrawData* data) {
    m_displayPos = data->DisplayPos;
    m_fbScale = data->FramebufferScale;
    m_fbWidth = data->DisplaySize.x * data->FramebufferScale.x;
    m_fbHeight = data->DisplaySize.y * data->FramebufferScale.y;
}

void HeatmapRenderer::callback(const ImDrawList*, const ImDrawCmd* cmd) {
    const auto* r = static_cast<const Request*>(cmd->UserCallbackData);
    r->owner->render(*r, cmd);
}

void HeatmapRenderer::render(const Request& r, const ImDrawCmd* cmd) const {
    if (m_fbWidth <= 0 || m_fbHeight <= 0) return;
    auto toFb = [&](ImVec2 p) {
        return ImVec2((p.x - m_displayPos.x) * m_fbScale.x, (p.y - m_displayPos.y) * m_fbScale.y);
    };
    // Clip to the ImGui window's clip rectangle (GL scissor has its origin bottom-left).
    const ImVec2 c0 = toFb(ImVec2(cmd->ClipRect.x, cmd->ClipRect.y));
    const ImVec2 c1 = toFb(ImVec2(cmd->ClipRect.z, cmd->ClipRect.w));
    if (c1.x <= c0.x || c1.y <= c0.y) return;
    glEnable(GL_SCISSOR_TEST);
    glScissor(static_cast<GLint>(c0.x), static_cast<GLint>(m_fbHeight - c1.y),
              static_cast<GLsizei>(c1.x - c0.x), static_cast<GLsizei>(c1.y - c0.y));
    glDisable(GL_BLEND);
    const ImVec2 q0 = toFb(r.p0), q1 = toFb(r.p1);
    glUseProgram(m_program);
    glBindVertexArray(m_vao);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, r.texture);
    glUniform1i(m_uTex, 0);
    glUniform4f(m_uRect, q0.x, q0.y, q1.x, q1.y);
    glUniform2f(m_uFbSize, m_fbWidth, m_fbHeight);
    glUniform1f(m_uScale, r.scale);
    glUniform2f(m_uCellPx, r.cellW * m_fbScale.x, r.cellH * m_fbScale.y);
    glUniform1i(m_uGrid, r.grid ? 1 : 0);
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    glEnable(GL_BLEND);
}

}  // namespace loralab::gui
