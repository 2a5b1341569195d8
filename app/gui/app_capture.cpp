// The App's captures: the window or the loss-curve panel read back after a render and written
// as PNG (screenshot.h), with the result in the status bar and one line on stderr.
#include "app.h"

#include "screenshot.h"

#include <cstdio>
#include <ctime>

namespace loralab::gui {

void App::requestScreenshot(const std::string& path) {
    m_pendingCapture = Capture{path.empty() ? timestampedPath(m_options.outDir, std::time(nullptr)) : path, false};
}

void App::requestCurveExport(const std::string& path) {
    m_pendingCapture = Capture{path.empty() ? timestampedPath(m_options.outDir, std::time(nullptr)) : path, true};
}

void App::beforeRender(const ImDrawData* data) {
    m_heatmaps.beginRender(data);
    m_displayW = data->DisplaySize.x;
    m_displayH = data->DisplaySize.y;
}

void App::afterRender(int fbWidth, int fbHeight) {
    m_captureFailed = false;
    if (!m_pendingCapture) return;
    const Capture c = *m_pendingCapture;
    m_pendingCapture.reset();
    const float sx = m_displayW > 0 ? static_cast<float>(fbWidth) / m_displayW : 1.0f;
    const float sy = m_displayH > 0 ? static_cast<float>(fbHeight) / m_displayH : 1.0f;
    Image img;
    if (c.curveOnly) {
        const ScreenRect r = m_ui.curveRect;
        if (!r.valid()) {
            m_lastCaptureOk = false;
            m_captureFailed = true;
            setMessage("export curve: the loss-curve panel is not visible", true);
            return;
        }
        img = captureFramebuffer(static_cast<int>(r.min.x * sx), static_cast<int>(r.min.y * sy),
                                 static_cast<int>((r.max.x - r.min.x) * sx),
                                 static_cast<int>((r.max.y - r.min.y) * sy), fbWidth, fbHeight);
    } else {
        img = captureFramebuffer(0, 0, fbWidth, fbHeight, fbWidth, fbHeight);
    }
    std::string error;
    m_lastCaptureOk = writePng(c.path, img, error);
    m_lastCapturePath = c.path;
    m_captureFailed = !m_lastCaptureOk;
    if (m_lastCaptureOk) {
        setMessage(std::string(c.curveOnly ? "loss curve" : "screenshot") + " saved to " + c.path + " (" +
                   std::to_string(img.width) + "×" + std::to_string(img.height) + ")");
        // One line on stderr: where it went, and where ΔW was drawn (the GUI tests read it).
        const ScreenRect& w = m_ui.deltaWRect;
        std::fprintf(stderr, "loralab: %s %s (%dx%d); deltaW heatmap at %.0f,%.0f size %.0fx%.0f\n",
                     c.curveOnly ? "loss curve" : "screenshot", c.path.c_str(), img.width, img.height, w.min.x,
                     w.min.y, w.max.x - w.min.x, w.max.y - w.min.y);
    } else {
        setMessage(error, true);
    }
}

}  // namespace loralab::gui
