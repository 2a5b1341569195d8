// The App's frozen base: adopting a rebuilt fit, the weight view's matrices, merge precision,
// and several adapters on one base with hot swap and export.
#include "app.h"

#include "io/base_file.h"
#include "io/peft_adapter.h"

#include <filesystem>

namespace loralab::gui {

namespace {
// The status-bar guard of app.cpp, for the actions here: an error is shown, never thrown.
template <typename F>
void shown(App& app, const char* what, F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        app.setMessage(std::string(what) + ": " + e.what(), true);
    }
}
}  // namespace

void App::adoptFit(Fit&& fit) {
    const bool hadBase = m_base != nullptr;
    m_base = std::move(fit.base);
    if (m_base && !hadBase) m_ui.weightView = true;  // a new base is what the user wants to see
    m_adapters.clear();
    Adapter first;
    first.target = fit.target;
    first.targetSeed = m_ui.scenario.seed;
    m_adapters.push_back(std::move(first));
    m_active = 0;
    m_plainSpectrum.reset();
    m_baseVersion = -1;
    if (!m_base) m_ui.weightView = false;
}

const Trainer* App::adapterTrainer(int index) const {
    if (index < 0 || index >= adapterCount()) return nullptr;
    return index == m_active ? m_trainer.get() : m_adapters[static_cast<std::size_t>(index)].parked.get();
}

std::uint64_t App::adapterTargetSeed(int index) const {
    return index >= 0 && index < adapterCount() ? m_adapters[static_cast<std::size_t>(index)].targetSeed : 0;
}

double App::plainFloor() const {
    return m_plainSpectrum && m_trainer && m_plainSpectrum->covers(m_trainer->rank())
               ? m_plainSpectrum->floor(m_trainer->rank())
               : -1.0;
}

void App::setBase(BaseKind kind, BaseDtype dtype, bool doubleQuant) {
    Scenario& s = m_ui.scenario;
    const Scenario before = s;
    s.base = kind;
    s.baseDtype = dtype;
    s.doubleQuant = doubleQuant && dtype == BaseDtype::Nf4;
    if (m_trainer) s.rank = m_trainer->rank();
    s.steps = 0;
    setMessage("");  // an earlier error must not read as this rebuild's
    rebuild();
    if (!m_trainer || m_ui.messageIsError) {
        s = before;  // e.g. base file with no path: keep what worked
        return;
    }
    if (m_base) m_ui.weightView = true;
}

bool App::useBaseFile(const std::string& path, const std::string& tensor) {
    Scenario& s = m_ui.scenario;
    const Scenario before = s;
    bool ok = true;
    try {
        // Read once, here: its shape sets the fit's and the rank is fitted to it.
        auto W0 = std::make_shared<const Matrix>(loadBaseFile(path, tensor));
        s.base = BaseKind::File;
        s.baseFile = path;
        s.baseTensor = tensor;
        s.baseData = W0;
        if (s.target != TargetKind::File) {
            s.d = W0->rows();
            s.k = W0->cols();
        }
        s.shapeGiven = false;
        s.steps = 0;
        s.rank = std::min<Index>(m_trainer ? m_trainer->rank() : s.rank, std::min(W0->rows(), W0->cols()));
    } catch (const std::exception& e) {
        setMessage(std::string("base: ") + e.what(), true);
        ok = false;
    }
    if (ok) {
        m_ui.playing = false;
        setMessage("");
        rebuild();
        ok = m_trainer && !m_ui.messageIsError;
    }
    if (!ok) {  // the fit keeps its old base
        const std::string why = m_ui.message;
        s = before;
        setMessage(why, true);
        return false;
    }
    m_ui.weightView = true;
    setMessage("base: " + (tensor.empty() ? path : tensor + " of " + path) + " (" +
               std::to_string(s.d) + "x" + std::to_string(s.k) + ", frozen)");
    return true;
}

void App::setMergePrecision(MergePrecision precision) {
    m_ui.mergePrecision = precision;
    m_baseVersion = -1;
    changed();
}

void App::addAdapter() {
    if (!m_trainer || !m_base) return;
    shown(*this, "new adapter", [&] {
        // The same base (its W0 handed over as data), the next target seed.
        Scenario s = m_ui.scenario;
        s.seed = m_adapters.back().targetSeed + 1;
        s.base = BaseKind::File;
        s.baseFile = "(shared base)";
        s.baseTensor.clear();
        s.baseData = std::make_shared<const Matrix>(m_base->W0);
        s.shapeGiven = false;
        s.rank = m_trainer->rank();
        s.steps = 0;
        if (s.threads <= 0) s.threads = 1;
        Fit fit = makeFit(s);
        Adapter a;
        a.parked = std::move(fit.trainer);
        a.target = fit.target;
        a.targetSeed = s.seed;
        m_adapters.push_back(std::move(a));
        activateAdapter(adapterCount() - 1);
        setMessage("adapter " + std::to_string(adapterCount()) + ": a new target (seed " +
                   std::to_string(s.seed) + ") on the same base; press Play to train it");
    });
}

void App::activateAdapter(int index) {
    if (index < 0 || index >= adapterCount() || index == m_active || !m_trainer) return;
    m_ui.playing = false;
    std::swap(m_adapters[static_cast<std::size_t>(m_active)].parked, m_trainer);
    std::swap(m_adapters[static_cast<std::size_t>(index)].parked, m_trainer);
    m_active = index;
    m_plainSpectrum.reset();
    m_fixed.reset();
    ++m_targetVersion;
    m_baseVersion = -1;
    changed();
}

void App::exportAdapter(int index) {
    const Trainer* t = adapterTrainer(index);
    if (!t) return;
    shown(*this, "export adapter", [&] {
        const std::string dir =
            (std::filesystem::path(m_options.outDir.empty() ? "." : m_options.outDir) /
             ("adapter-" + std::to_string(index + 1))).string();
        writeAdapter(dir, "layer", t->factors());
        setMessage("adapter " + std::to_string(index + 1) + " written to " + dir + " (" +
                   kAdapterWeightsFile + ", " + kAdapterConfigFile + ")");
    });
}

void App::exportMerged() {
    if (!m_trainer || !m_base) return;
    shown(*this, "export merged", [&] {
        const std::string path =
            (std::filesystem::path(m_options.outDir.empty() ? "." : m_options.outDir) / "merged.safetensors").string();
        const Factors& f = m_fixed ? *m_fixed : m_trainer->factors();
        writeMergedWeight(path, "layer", mergeAdapter(m_base->stored, f, m_ui.mergePrecision));
        setMessage(std::string("W' = W0s + s·B·A (merged in ") + mergePrecisionName(m_ui.mergePrecision) +
                   ") written to " + path + " as F32 tensor layer.weight");
    });
}

void App::updateBaseDerived() {
    if (!m_base || !m_trainer) return;
    const Adapter& a = m_adapters[static_cast<std::size_t>(m_active)];
    if (!a.target) return;
    // The top values the rank needs (a rebuild brings them from the worker; an adapter switch
    // or a larger rank computes them here).
    const Index rank = m_trainer->rank();
    if (!m_plainSpectrum || !m_plainSpectrum->covers(rank)) {
        SvdControl one;
        one.threads = 1;
        m_plainSpectrum = topSpectrum(*a.target, Trainer::spectrumValues(rank, a.target->rows(), a.target->cols()), one);
    }
    if (m_x.size() != m_trainer->k()) m_x = forwardInput(m_trainer->k(), 12345);
    const Factors& f = m_fixed ? *m_fixed : m_trainer->factors();
    updateBaseView(m_baseView, *m_base, *a.target, f, m_ui.mergePrecision, m_x);
    m_baseVersion = m_version;
}

void App::uploadBaseHeatmaps() {
    if (!m_base || m_baseUploaded == m_baseVersion || m_baseView.stored.size() == 0) return;
    m_heatmaps.upload(SlotStored, m_baseView.stored);
    m_heatmaps.upload(SlotAdapter, m_baseView.adapter);
    m_heatmaps.upload(SlotEffective, m_baseView.effective);
    m_heatmaps.upload(SlotWanted, m_baseView.wanted);
    m_heatmaps.upload(SlotWeightResidual, m_baseView.residual);
    m_heatmaps.upload(SlotQuantError, m_baseView.quantError);
    m_heatmaps.upload(SlotMergeError, m_baseView.mergeError);
    const ForwardPass& f = m_baseView.forward;
    m_heatmaps.upload(SlotFwdBase, f.base);
    m_heatmaps.upload(SlotFwdBottleneck, f.bottleneck);
    m_heatmaps.upload(SlotFwdAdapter, f.adapter);
    m_heatmaps.upload(SlotFwdSum, f.sum);
    m_heatmaps.upload(SlotFwdMerged, f.merged);
    m_heatmaps.upload(SlotFwdDiff, f.sum - f.merged);
    m_baseUploaded = m_baseVersion;
}

}  // namespace loralab::gui
