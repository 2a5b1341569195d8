// App::openPath and App::useTargetFile: what a dropped or typed path does.
#include "app.h"

#include "io/adapter_reader.h"
#include "io/target_file.h"

#include <filesystem>

namespace loralab::gui {

namespace {

namespace fs = std::filesystem;

// Typed paths often come quoted (copied from a shell) or with a file:// prefix.
std::string cleanPath(std::string p) {
    while (!p.empty() && (p.back() == ' ' || p.back() == '\n' || p.back() == '\r')) p.pop_back();
    while (!p.empty() && p.front() == ' ') p.erase(0, 1);
    if (p.size() >= 2 && (p.front() == '"' || p.front() == '\'') && p.back() == p.front())
        p = p.substr(1, p.size() - 2);
    if (p.rfind("file://", 0) == 0) p = p.substr(7);
    return p;
}

bool isModelIndex(const std::string& path) {
    const std::string suffix = ".safetensors.index.json";
    return path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

void App::openPath(const std::string& rawPath) {
    const std::string path = cleanPath(rawPath);
    std::error_code ec;
    if (path.empty()) return setMessage("open: no path given", true);
    if (!fs::exists(path, ec)) return setMessage("open: " + path + ": no such file or folder", true);
    try {
        if (fs::is_directory(path, ec)) {
            if (isAdapterFolder(path)) {
                m_files.adapter = std::make_unique<AdapterView>(path);
                m_files.moduleFilter.fill('\0');
                m_files.uploadedAdapter = -1;
                const std::size_t n = m_files.adapter->adapter().modules().size();
                setMessage("adapter " + path + ": " + std::to_string(n) + (n == 1 ? " module" : " modules"));
                return;
            }
            if (fs::exists(fs::path(path) / "model.safetensors", ec) ||
                fs::exists(fs::path(path) / "model.safetensors.index.json", ec)) {
                m_files.tensors = std::make_unique<TensorListView>(path);
            } else {
                setMessage("open: " + path + " holds no adapter_config.json, model.safetensors or "
                           "model.safetensors.index.json", true);
                return;
            }
        } else if (isSafetensorsPath(path) || isModelIndex(path)) {
            m_files.tensors = std::make_unique<TensorListView>(path);
        } else {
            useTargetFile(path);
            return;
        }
        m_files.tensorFilter.fill('\0');
        setMessage(m_files.tensors->weights().source + ": " +
                   std::to_string(m_files.tensors->weights().entries.size()) + " tensors; pick one as the target");
    } catch (const std::exception& e) {
        setMessage(std::string("open: ") + e.what(), true);
    }
}

bool App::useTargetFile(const std::string& path, const std::string& tensor) {
    const Scenario previous = m_ui.scenario;
    bool ok = true;
    try {
        // The matrix is read first for its shape, so the rank can be fitted to it.
        const Matrix T = loadTargetFile(path, tensor);
        Scenario& s = m_ui.scenario;
        s.target = TargetKind::File;
        s.targetFile = path;
        s.targetTensor = tensor;
        s.steps = 0;
        s.rank = std::min<Index>(s.rank, std::min(T.rows(), T.cols()));
    } catch (const std::exception& e) {
        setMessage(std::string("target: ") + e.what(), true);
        ok = false;
    }
    if (ok) {
        m_ui.playing = false;
        setMessage("");
        rebuild();
        ok = !m_ui.messageIsError;
    }
    if (!ok) {  // the fit keeps its old target
        const std::string why = m_ui.message;
        m_ui.scenario = previous;
        setMessage(why, true);
        return false;
    }
    setMessage("target: " + (tensor.empty() ? path : tensor + " of " + path) + " (" +
               std::to_string(m_ui.scenario.d) + "x" + std::to_string(m_ui.scenario.k) + ")");
    return true;
}

}  // namespace loralab::gui
