#include "headless/headless.h"
#include "headless/method_headless.h"
#include "scenario/method_scenario.h"

#include "bench/bench_workloads.h"
#include "bench/sysinfo.h"
#include "cli/progress.h"
#include "io/atomic_file.h"
#include "io/base_file.h"
#include "io/curve_csv.h"
#include "io/output_file.h"
#include "io/peft_adapter.h"
#include "io/safetensors.h"
#include "io/target_file.h"
#include "loralab/merge.h"
#include "loralab/params.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <ostream>

namespace loralab {

namespace {

struct RunResult {
    double initialLoss = 0.0;
    double finalLoss = 0.0;
    double floor = 0.0;
    std::optional<double> finalOverFloor;  // unset when the floor is numerically zero
    long long steps = 0;
    bool diverged = false;
    long long divergedAtStep = -1;
};

std::string fmt(const char* format, double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, x);
    return buf;
}

void printJson(const HeadlessOptions& o, const Fit& fit, const RunResult& r, std::ostream& out) {
    const Scenario& s = o.scenario;
    const Trainer& t = *fit.trainer;
    const LayerCounts counts = layerCounts(t.d(), t.k(), t.rank());
    nlohmann::ordered_json j;
    j["d"] = t.d();
    j["k"] = t.k();
    j["rank"] = t.rank();
    j["alpha"] = t.factors().alpha;
    j["scale"] = t.factors().scale();
    j["target"] = targetKindName(s.target);
    j["method"] = methodName(s.method);
    j["lr_ratio"] = s.lrRatio;
    j["optimizer"] = optimizerName(s.optimizer);
    j["lr"] = s.lr;
    j["steps"] = r.steps;
    j["seed"] = s.seed;
    j["initial_loss"] = r.initialLoss;
    j["final_loss"] = r.finalLoss;
    j["floor"] = r.floor;
    j["final_over_floor"] = r.finalOverFloor ? nlohmann::ordered_json(*r.finalOverFloor) : nullptr;
    j["trainable_params"] = counts.lora;
    j["full_params"] = counts.full;
    j["diverged"] = r.diverged;
    j["base"] = baseKindName(s.base);
    j["base_dtype"] = baseDtypeName(s.baseDtype);
    j["quantization_error"] = fit.base ? fit.base->quantizationError : 0.0;
    out << j.dump() << '\n';
}

void printSummary(const HeadlessOptions& o, const Fit& fit, const RunResult& r, std::ostream& out) {
    const Scenario& s = o.scenario;
    const Trainer& t = *fit.trainer;
    const LayerCounts counts = layerCounts(t.d(), t.k(), t.rank());
    out << "LoRA fit: target " << targetKindName(s.target) << " " << t.d() << "x" << t.k()
        << ", rank " << t.rank() << ", alpha " << t.factors().alpha << " (scale "
        << t.factors().scale() << (s.rslora ? ", rsLoRA" : "") << "), " << optimizerName(s.optimizer)
        << " lr " << s.lr << ", seed " << s.seed << '\n';
    out << "  steps          " << r.steps << (r.diverged ? " (diverged)" : "") << '\n';
    out << "  initial loss   " << fmt("%.6g", r.initialLoss) << '\n';
    out << "  final loss     " << fmt("%.6g", r.finalLoss) << '\n';
    out << "  floor          " << fmt("%.6g", r.floor) << "  (Eckart-Young: best any rank-"
        << t.rank() << " matrix can do)\n";
    out << "  final / floor  "
        << (r.finalOverFloor ? fmt("%.6g", *r.finalOverFloor) : std::string("- (floor is 0)")) << '\n';
    out << "  parameters     " << counts.lora << " trainable (LoRA) vs " << counts.full
        << " full: " << fmt("%.3g", counts.ratio) << "x fewer\n";
    if (fit.base)
        out << "  base W0        " << baseKindName(s.base) << " held in " << baseDtypeName(s.baseDtype)
            << (fit.base->doubleQuant ? " (double-quantized scales)" : "") << ": "
            << fit.base->bytes() << " bytes, quantization error "
            << fmt("%.6g", fit.base->quantizationError) << " (the floor includes it)\n";
}

// W' = W0s + s·B·A as one F32 tensor; with no base, W0 = 0.
void writeMerged(const HeadlessOptions& o, const Fit& fit) {
    const Factors& f = fit.trainer->factors();
    writeMergedWeight(o.mergedPath, o.moduleName,
                      fit.base ? mergeAdapter(fit.base->stored, f, MergePrecision::Fp32) : f.deltaW());
}

// The spectrum's progress at large sizes: a line saying what is computed, and on a terminal
// its percentage redrawn in place.
class SpectrumProgress {
public:
    SpectrumProgress(const Scenario& s, bool tty, std::ostream& err) : m_err(err) {
        if (static_cast<double>(s.d) * static_cast<double>(s.k) < 1024.0 * 1024.0) return;
        const Index values = Trainer::spectrumValues(s.rank, s.d, s.k);
        m_err << "loralab: building the " << s.d << "x" << s.k << " target and its top " << values
              << " singular values (for the Eckart-Young floor)...\n";
        m_tty = tty;
    }
    SvdControl control() {
        SvdControl c;
        if (m_tty)
            c.progress = [this](double f) {
                m_err << "\r  spectrum " << static_cast<int>(100.0 * f) << " %" << std::flush;
                m_drawn = true;
            };
        return c;
    }
    ~SpectrumProgress() {
        if (m_drawn) m_err << '\n';
    }

private:
    std::ostream& m_err;
    bool m_tty = false;
    bool m_drawn = false;
};

// An output that would replace the target file the run reads is a usage error, not a loss.
void refuseOverwritingTarget(const Scenario& s, const std::string& output, const char* flag) {
    if (output.empty() || output == "-" || s.target != TargetKind::File || s.targetFile == "-")
        return;
    std::error_code ec;
    if (std::filesystem::equivalent(output, s.targetFile, ec))
        throw std::invalid_argument(std::string(flag) + " " + output +
                                    " would overwrite the --target-file; choose another path");
}

void refuseOverwritingBase(const Scenario& s, const std::string& output, const char* flag) {
    if (output.empty() || output == "-" || s.base != BaseKind::File || s.baseFile == "-") return;
    std::error_code ec;
    if (std::filesystem::equivalent(output, s.baseFile, ec))
        throw std::invalid_argument(std::string(flag) + " " + output +
                                    " would overwrite the --base-file; choose another path");
}

}  // namespace

double headlessMemoryEstimate(const Scenario& s, int threads) {
    const TrainerConfig c = toTrainerConfig(s);
    const double t = 4.0 * static_cast<double>(s.d) * static_cast<double>(s.k);
    const Index values = Trainer::spectrumValues(s.rank, s.d, s.k);
    BenchCase fit;
    fit.workload = Workload::Fit;
    fit.d = s.d;
    fit.k = s.k;
    fit.rank = s.rank;
    const double build = targetMemoryBytes(c.target);
    const double spectrum = t + spectrumMemoryBytes(s.d, s.k, values, threads);
    const double train = sizeMemoryEstimate({fit}, s.optimizer);
    // A base keeps W0, W0ₛ and T beside the trainer's T_eff.
    const double base = s.base == BaseKind::None ? 0.0 : 3.0 * t;
    return std::max({build, spectrum, train}) + base + kProgramBaselineBytes;
}

double windowMemoryEstimate(const Scenario& s) {
    // The window keeps the current fit on screen while the worker builds the next one.
    return 2.0 * (headlessMemoryEstimate(s, 1) - kProgramBaselineBytes) + kProgramBaselineBytes;
}

int runHeadless(const HeadlessOptions& o, std::ostream& out, std::ostream& err,
                GuiRunner renderOffscreen) {
    if (!o.screenshotPath.empty()) {
        if (!renderOffscreen) throw std::invalid_argument("--screenshot: no renderer in this build");
        resolveOutput(o.screenshotPath);
    }
    if (!o.scenario.compare.empty()) return runCompareHeadless(o, out, err, renderOffscreen);
    if (usesMethodTrainer(o.scenario)) return runMethodHeadless(o, out, err, renderOffscreen);
    Scenario s = o.scenario;
    refuseOverwritingTarget(s, o.curvePath, "--curve");
    refuseOverwritingTarget(s, o.screenshotPath, "--screenshot");
    if (s.target != TargetKind::File) {
        requireShape(s.d, s.k, s.rank);  // a bad rank is reported as such, not as memory
        const std::string what = "a " + std::to_string(s.d) + "x" + std::to_string(s.k) +
                                 " target at rank " + std::to_string(s.rank);
        if (refuseWhatCannotFit("--headless", what,
                                headlessMemoryEstimate(s, resolveThreads(s.threads)),
                                "use smaller --d/--k", err))
            return 2;
    }
    refuseOverwritingTarget(s, o.mergedPath, "--export-merged");
    refuseOverwritingBase(s, o.mergedPath, "--export-merged");
    refuseOverwritingBase(s, o.curvePath, "--curve");
    // Outputs are checked before the long work, so a typo fails in the first second (a folder
    // where a file should go: exit 2; a missing folder: exit 1).
    if (!o.curvePath.empty()) resolveOutput(o.curvePath, true);
    if (!o.mergedPath.empty()) resolveOutput(o.mergedPath);
    // Standard input can be read once: the screenshot's trainer reuses these bytes.
    if (s.target == TargetKind::File && s.targetFile == "-")
        s.targetData = std::make_shared<const Matrix>(loadTargetFile(s.targetFile));
    if (s.base == BaseKind::File && s.baseFile == "-")
        s.baseData = std::make_shared<const Matrix>(loadBaseFile(s.baseFile, s.baseTensor));
    Fit fit;
    {
        SpectrumProgress spectrum(s, o.progressTty, err);
        fit = makeFit(s, spectrum.control());  // bad file or scenario: caller exits 2
    }
    Trainer* trainer = fit.trainer.get();

    std::optional<CurveCsvWriter> curve;
    if (!o.curvePath.empty()) curve.emplace(o.curvePath);
    if (!o.exportDir.empty()) ensureDirectory(o.exportDir);
    // When standard output carries the CSV, the readable summary goes to stderr.
    std::ostream& summary = curve && curve->toStdout() ? err : out;

    // One step at a time: the trainer evaluates the loss of each new state as part of the step
    // (cached, so currentLoss() is free), which gives the curve every step without depending
    // on the trainer's history, which thins itself on long runs. A divergence restores the
    // last finite state, so the curve holds exactly the finite steps before it.
    RunResult r;
    r.initialLoss = trainer->currentLoss();
    const double floor = trainer->currentFloor();
    if (curve) curve->append({0, r.initialLoss, floor, trainer->rank()});
    cli::Progress progress(err, s.steps, o.progressTty);
    for (long long i = 0; i < s.steps; ++i) {
        const StepReport report = trainer->step(1);
        if (report.diverged) {
            r.diverged = true;
            r.divergedAtStep = report.divergedAtStep;
            break;
        }
        const double loss = trainer->currentLoss();
        if (curve) curve->append({trainer->stepCount(), loss, floor, trainer->rank()});
        progress.update(trainer->stepCount(), loss, floor);
    }
    r.steps = trainer->stepCount();
    r.finalLoss = trainer->currentLoss();
    r.floor = floor;
    const double meanSquareT = trainer->spectrum().floor(0);  // ‖T‖²/(dk)
    if (r.floor > 1e-9 * meanSquareT) r.finalOverFloor = r.finalLoss / r.floor;
    if (s.steps > 0) progress.finish(r.steps, r.finalLoss, r.floor);  // --steps 0: nothing ran

    if (curve) {
        curve->commit();
        err << "wrote " << (curve->toStdout() ? std::string("the curve to standard output") : o.curvePath)
            << " (" << curve->rows() << " rows)\n";
    }

    if (o.json) printJson(o, fit, r, summary);
    else printSummary(o, fit, r, summary);

    if (r.diverged) {
        err << "loralab: diverged at step " << r.divergedAtStep
            << " (the loss or the factors became non-finite) with --optimizer "
            << optimizerName(s.optimizer) << " --lr " << s.lr << "; try --lr " << s.lr / 10
            << " or lower\n";
        return 1;
    }

    if (r.steps > 0 && r.finalLoss > r.initialLoss)
        err << "loralab: warning: the loss rose from " << fmt("%.6g", r.initialLoss) << " to "
            << fmt("%.6g", r.finalLoss) << "; --lr " << s.lr << " is probably too large for --optimizer "
            << optimizerName(s.optimizer) << " (try --lr " << s.lr / 10 << ")\n";

    if (!o.exportDir.empty()) {
        writeAdapter(o.exportDir, o.moduleName, trainer->factors());
        err << "wrote " << (std::filesystem::path(o.exportDir) / kAdapterWeightsFile).string()
            << " and " << kAdapterConfigFile << '\n';
    }
    if (!o.mergedPath.empty()) {
        writeMerged(o, fit);
        err << "wrote " << o.mergedPath << " (tensor " << o.moduleName << ".weight, " << trainer->d()
            << "x" << trainer->k() << " F32)\n";
    }
    return renderHeadlessScreenshot(o, s, err, renderOffscreen);
}

int renderHeadlessScreenshot(const HeadlessOptions& o, const Scenario& s, std::ostream& err,
                             GuiRunner renderOffscreen) {
    if (o.screenshotPath.empty()) return 0;
    GuiOptions g;
    g.scenario = s;
    g.screenshotPath = o.screenshotPath;
    g.frames = o.frames;
    g.scenarioGiven = true;
    const int code = renderOffscreen(g);
    if (code == 0) err << "wrote " << o.screenshotPath << '\n';
    return code;
}

}  // namespace loralab
