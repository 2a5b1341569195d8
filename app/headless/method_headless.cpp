// One method, or several side by side, trained with no window.
//
//   runMethodHeadless    progress, the curve (step,loss,floor,rank), summary or JSON, adapter
//   runCompareHeadless   every method in lockstep, a table (or JSON) in the order given
#include "headless/method_headless.h"

#include "cli/progress.h"
#include "io/curve_csv.h"
#include "io/output_file.h"
#include "io/peft_adapter.h"
#include "io/peft_variants.h"
#include "scenario/method_scenario.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <ostream>
#include <sstream>

namespace loralab {

namespace {

std::string fmt(const char* format, double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, x);
    return buf;
}

// Right-aligned in `width` columns (left-aligned when width < 0), for the comparison table.
std::string cell(const std::string& text, int width) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%*s", width, text.c_str());
    return buf;
}

// LoRA+'s ratio, when one is in force.
std::string ratioText(const Scenario& s) {
    return s.lrRatio == 1.0 ? std::string() : " (B at " + fmt("%g", s.lrRatio) + "x, LoRA+)";
}

// loss/floor, or nothing when the floor is numerically zero (a target LoRA fits exactly).
std::optional<double> overFloor(double loss, double floor, const MethodProblem& p) {
    if (floor > 1e-9 * p.spectrum.floor(0)) return loss / floor;
    return std::nullopt;
}

nlohmann::ordered_json orNull(const std::optional<double>& x) {
    return x ? nlohmann::ordered_json(*x) : nlohmann::ordered_json(nullptr);
}

void reportDivergence(std::ostream& err, const Scenario& s, const char* method, long long step) {
    err << "loralab: " << method << " diverged at step " << step
        << " (the loss or the parameters became non-finite) with --optimizer "
        << optimizerName(s.optimizer) << " --lr " << s.lr << "; try --lr " << s.lr / 10
        << " or lower\n";
}

}  // namespace

int runMethodHeadless(const HeadlessOptions& o, std::ostream& out, std::ostream& err,
                      GuiRunner renderOffscreen) {
    const Scenario& s = o.scenario;
    if (!o.curvePath.empty()) resolveOutput(o.curvePath, true);
    if (!o.exportDir.empty() && s.method == MethodKind::Full)
        throw std::invalid_argument("--export-adapter: full fine-tuning changes every weight and "
                                    "has no adapter");
    MethodTrainer trainer(toMethodTrainerConfig(s), makeMethodProblem(s));
    const MethodProblem& p = trainer.method().problem();
    std::optional<CurveCsvWriter> curve;
    if (!o.curvePath.empty()) curve.emplace(o.curvePath);
    std::ostream& summary = curve && curve->toStdout() ? err : out;

    const double floor = trainer.loraFloor();
    const double initial = trainer.currentLoss();
    if (curve) curve->append({0, initial, floor, trainer.method().rank()});
    cli::Progress progress(err, s.steps, o.progressTty);
    StepReport report;
    for (long long i = 0; i < s.steps && !report.diverged; ++i) {
        report = trainer.step(1);
        if (report.diverged) break;
        const double loss = trainer.currentLoss();
        if (curve) curve->append({trainer.stepCount(), loss, floor, trainer.method().rank()});
        progress.update(trainer.stepCount(), loss, floor);
    }
    const double final = trainer.currentLoss();
    progress.finish(trainer.stepCount(), final, floor);
    if (curve) {
        curve->commit();
        err << "wrote " << (curve->toStdout() ? std::string("the curve to standard output") : o.curvePath)
            << " (" << curve->rows() << " rows)\n";
    }

    const Method& m = trainer.method();
    const std::int64_t full = static_cast<std::int64_t>(m.d()) * m.k();
    if (o.json) {
        nlohmann::ordered_json j;
        j["d"] = m.d();
        j["k"] = m.k();
        j["rank"] = m.rank();
        j["alpha"] = m.config().alpha;
        j["scale"] = m.scale();
        j["target"] = targetKindName(s.target);
        j["method"] = methodName(m.kind());
        j["lr_ratio"] = s.lrRatio;
        j["optimizer"] = optimizerName(s.optimizer);
        j["lr"] = s.lr;
        j["steps"] = trainer.stepCount();
        j["seed"] = s.seed;
        j["initial_loss"] = initial;
        j["final_loss"] = final;
        j["floor"] = floor;
        j["final_over_floor"] = orNull(overFloor(final, floor, p));
        j["trainable_params"] = m.trainableParams();
        j["full_params"] = full;
        j["diverged"] = report.diverged;
        summary << j.dump() << '\n';
    } else {
        const auto ratio = overFloor(final, floor, p);
        summary << methodName(m.kind()) << " fit: target " << targetKindName(s.target) << " "
                << m.d() << "x" << m.k() << ", rank " << m.rank() << ", alpha " << m.config().alpha
                << ", " << optimizerName(s.optimizer) << " lr " << s.lr << ratioText(s) << ", seed "
                << s.seed << '\n'
                << "  steps          " << trainer.stepCount() << (report.diverged ? " (diverged)" : "") << '\n'
                << "  initial loss   " << fmt("%.6g", initial) << '\n'
                << "  final loss     " << fmt("%.6g", final) << '\n'
                << "  LoRA's floor   " << fmt("%.6g", floor) << "  (Eckart-Young at rank " << m.rank() << ")\n"
                << "  final / floor  " << (ratio ? fmt("%.6g", *ratio) : std::string("- (floor is 0)"))
                << (ratio && final < floor * (1 - 1e-4) ? "  (under LoRA's floor)" : "") << '\n'
                << "  parameters     " << m.trainableParams() << " trainable vs " << full << " full\n";
    }
    if (report.diverged) {
        reportDivergence(err, s, methodName(m.kind()), report.divergedAtStep);
        return 1;
    }
    if (!o.exportDir.empty()) {
        writeMethodAdapter(o.exportDir, o.moduleName, m);
        err << "wrote " << (std::filesystem::path(o.exportDir) / kAdapterWeightsFile).string()
            << " and " << kAdapterConfigFile << '\n';
    }
    return renderHeadlessScreenshot(o, s, err, renderOffscreen);
}

int runCompareHeadless(const HeadlessOptions& o, std::ostream& out, std::ostream& err,
                       GuiRunner renderOffscreen) {
    const Scenario& s = o.scenario;
    if (!o.exportDir.empty())
        throw std::invalid_argument("--export-adapter works on one method; with --compare leave it "
                                    "out (or use --method)");
    if (!o.curvePath.empty()) resolveOutput(o.curvePath, true);
    CompareConfig config;
    config.methods = s.compare;
    config.trainer = toMethodTrainerConfig(s);
    CompareRun run(config, makeMethodProblem(s));

    // The curve: a loss column per method, every step, then LoRA's floor.
    std::ostringstream csv;
    auto row = [&](long long step) {
        std::vector<std::optional<double>> losses;
        for (std::size_t m = 0; m < run.size(); ++m) losses.emplace_back(run.trainer(m).currentLoss());
        csv << compareCsvRow(step, losses, run.trainer(0).loraFloor()) << '\n';
    };
    csv << compareCsvHeader(s.compare) << '\n';
    row(0);
    cli::Progress progress(err, s.steps, o.progressTty);
    for (long long i = 1; i <= s.steps; ++i) {
        run.step(1);
        row(i);
        progress.update(i, run.trainer(0).currentLoss(), run.trainer(0).loraFloor());
    }
    progress.finish(s.steps, run.trainer(0).currentLoss(), run.trainer(0).loraFloor());
    const bool curveToStdout = o.curvePath == "-";
    if (!o.curvePath.empty()) {
        writeOutputFile(o.curvePath, csv.str(), true);
        if (!curveToStdout) err << "wrote " << o.curvePath << " (" << s.steps + 1 << " rows)\n";
    }
    std::ostream& summary = curveToStdout ? err : out;

    const std::vector<CompareResult> results = run.results();
    const MethodProblem& p = run.trainer(0).method().problem();
    const double floor = results.front().loraFloor;
    if (o.json) {
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (const CompareResult& r : results) {
            nlohmann::ordered_json j;
            j["method"] = methodName(r.method);
            j["trainable_params"] = r.trainableParams;
            j["initial_loss"] = r.initialLoss;
            j["final_loss"] = r.finalLoss;
            j["lora_floor"] = r.loraFloor;
            j["final_over_floor"] = orNull(overFloor(r.finalLoss, r.loraFloor, p));
            j["threshold"] = r.threshold;
            j["steps_to_threshold"] = nullptr;
            if (r.stepsToThreshold >= 0) j["steps_to_threshold"] = r.stepsToThreshold;
            j["under_floor"] = r.belowFloor;
            j["steps"] = r.steps;
            j["diverged"] = r.diverged;
            list.push_back(j);
        }
        nlohmann::ordered_json j;
        j["d"] = p.target.rows();
        j["k"] = p.target.cols();
        j["rank"] = s.rank;
        j["lr_ratio"] = s.lrRatio;
        j["steps"] = s.steps;
        j["results"] = list;
        summary << j.dump() << '\n';
    } else {
        const bool zeroFloor = !overFloor(1.0, floor, p);
        summary << "compare: target " << targetKindName(s.target) << " " << p.target.rows() << "x"
                << p.target.cols() << ", rank " << s.rank << ", alpha " << s.effectiveAlpha() << ", "
                << optimizerName(s.optimizer) << " lr " << s.lr << ratioText(s) << ", " << s.steps << " steps, seed " << s.seed << '\n'
                << "LoRA's floor at rank " << s.rank << ": " << fmt("%.6g", floor) << " (Eckart-Young)\n"
                << cell("method", -7) << cell("trainable", 12) << cell("final loss", 14)
                << cell("loss/floor", 12) << "  steps to "
                << (zeroFloor ? "1e-6 x initial" : "1.1 x floor") << '\n';
        for (const CompareResult& r : results) {
            const auto ratio = overFloor(r.finalLoss, r.loraFloor, p);
            summary << cell(methodName(r.method), -7)
                    << fmt("%12.0f", static_cast<double>(r.trainableParams))
                    << fmt("%14.6g", r.finalLoss) << (ratio ? fmt("%12.4g", *ratio) : cell("-", 12))
                    << "  " << (r.stepsToThreshold >= 0 ? std::to_string(r.stepsToThreshold) : "not reached")
                    << (r.belowFloor ? "  (under LoRA's floor)" : "") << (r.diverged ? "  (diverged)" : "")
                    << '\n';
        }
    }
    for (const CompareResult& r : results)
        if (r.diverged) reportDivergence(err, s, methodName(r.method), r.steps + 1);
    for (const CompareResult& r : results)
        if (r.diverged) return 1;
    return renderHeadlessScreenshot(o, s, err, renderOffscreen);
}

}  // namespace loralab
