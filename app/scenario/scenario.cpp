#include "scenario/scenario.h"

#include "io/base_file.h"
#include "io/input_file.h"
#include "io/target_file.h"
#include "loralab/names.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace loralab {

namespace {
const Named<BaseKind> kBaseKinds[] = {{BaseKind::None, "none"}, {BaseKind::Gaussian, "gaussian"}, {BaseKind::File, "file"}};
}  // namespace

const char* baseKindName(BaseKind kind) { return nameIn(kBaseKinds, kind); }
BaseKind parseBaseKind(const std::string& name) { return parseIn(kBaseKinds, name, "base"); }

TrainerConfig toTrainerConfig(const Scenario& s) {
    TrainerConfig c;
    c.target.kind = s.target;
    c.target.d = s.d;
    c.target.k = s.k;
    c.target.targetRank = s.targetRank;
    c.target.decayPower = s.decayPower;
    c.target.seed = s.seed;
    c.rank = s.rank;
    c.alpha = s.effectiveAlpha();
    c.rslora = s.rslora;
    c.init = s.init;
    c.optimizer.kind = s.optimizer;
    c.optimizer.lr = s.lr;
    c.seed = s.seed;
    c.threads = s.threads;
    return c;
}

namespace {

std::string shapeText(Index d, Index k) { return std::to_string(d) + "x" + std::to_string(k); }

void requireRank(const Scenario& s, Index d, Index k, const std::string& source) {
    const Index maxRank = std::min(d, k);
    if (s.rank > maxRank)
        throw std::invalid_argument("--rank " + std::to_string(s.rank) + " is larger than min(d, k) = " +
                                    std::to_string(maxRank) + " of " + source + " (" + shapeText(d, k) +
                                    "); allowed: 1 to " + std::to_string(maxRank));
}

std::string baseSource(const Scenario& s) {
    return "--base-file " + inputName(s.baseFile) +
           (s.baseTensor.empty() ? std::string() : " (tensor '" + s.baseTensor + "')");
}

// W0 for the scenario, d×k when the target fixes the shape (d, k > 0), else the file's own.
Matrix loadBase(const Scenario& s, Index d, Index k) {
    if (s.base == BaseKind::Gaussian) {
        // A seed of its own so that W0 and a Gaussian target are independent draws.
        return makeTarget({TargetKind::Full, d, k, 1, 1.0, s.seed ^ 0x5851F42D4C957F2Dull});
    }
    if (s.baseFile.empty())
        throw std::invalid_argument("--base file needs --base-file PATH (CSV, PNG/JPEG or .safetensors)");
    Matrix W0 = s.baseData ? *s.baseData : loadBaseFile(s.baseFile, s.baseTensor);
    if (d > 0 && (W0.rows() != d || W0.cols() != k))
        throw std::invalid_argument(baseSource(s) + " is " + shapeText(W0.rows(), W0.cols()) +
                                    " but the target is " + shapeText(d, k) +
                                    "; the base and the target must have the same shape");
    return W0;
}

}  // namespace

std::shared_ptr<const BaseWeight> makeScenarioBase(const Scenario& s, Index d, Index k) {
    if (s.base == BaseKind::None) return nullptr;
    if (s.base == BaseKind::Gaussian && (d <= 0 || k <= 0)) {
        d = s.d;
        k = s.k;
    }
    return std::make_shared<const BaseWeight>(makeBaseWeight(loadBase(s, d, k), s.baseDtype, s.doubleQuant));
}

Fit makeFit(const Scenario& s, const SvdControl& control) {
    Scenario shaped = s;
    Matrix W0;
    if (s.base == BaseKind::File && s.target != TargetKind::File) {
        // A generated target takes the base file's shape; given --d/--k must agree with it.
        W0 = loadBase(s, 0, 0);
        if (s.shapeGiven && (W0.rows() != s.d || W0.cols() != s.k))
            throw std::invalid_argument(baseSource(s) + " is " + shapeText(W0.rows(), W0.cols()) +
                                        " but --d/--k give " + shapeText(s.d, s.k) +
                                        "; leave --d/--k out or make them agree");
        shaped.d = W0.rows();
        shaped.k = W0.cols();
        requireRank(s, shaped.d, shaped.k, baseSource(s));
    }
    TrainerConfig config = toTrainerConfig(shaped);
    Matrix T;
    if (s.target == TargetKind::File) {
        if (s.targetFile.empty())
            throw std::invalid_argument("--target file needs --target-file PATH (CSV, PNG, JPEG or .safetensors)");
        T = s.targetData ? *s.targetData : loadTargetFile(s.targetFile, s.targetTensor);
        requireRank(s, T.rows(), T.cols(), inputName(s.targetFile));
        config.target.d = T.rows();
        config.target.k = T.cols();
    }

    Fit fit;
    if (s.base == BaseKind::None) {
        // No base: exactly the fit as it always was (the same constructor, the same target).
        fit.trainer = T.size() ? std::make_unique<Trainer>(config, std::move(T), control)
                               : std::make_unique<Trainer>(config, control);
        return fit;
    }
    if (T.size() == 0) {
        requireShape(config.target.d, config.target.k, config.rank);  // before building T
        T = makeTarget(config.target);
    }
    if (W0.size() == 0) W0 = loadBase(s, T.rows(), T.cols());
    auto base = std::make_shared<BaseWeight>(makeBaseWeight(std::move(W0), s.baseDtype, s.doubleQuant));
    Matrix Teff = effectiveTarget(T, base->W0, base->stored);
    TrainerConfig fileConfig = config;
    fileConfig.target.kind = TargetKind::File;
    fit.trainer = std::make_unique<Trainer>(fileConfig, std::move(Teff), control);
    fit.base = std::move(base);
    fit.target = std::make_shared<const Matrix>(std::move(T));
    return fit;
}

std::unique_ptr<Trainer> makeTrainer(const Scenario& s, const SvdControl& control) {
    return makeFit(s, control).trainer;
}

Matrix loadScenarioTarget(const Scenario& s) {
    if (s.target != TargetKind::File) return makeTarget(toTrainerConfig(s).target);
    if (s.targetFile.empty())
        throw std::invalid_argument("--target file needs --target-file PATH (CSV, PNG, JPEG or .safetensors)");
    Matrix T = s.targetData ? *s.targetData : loadTargetFile(s.targetFile, s.targetTensor);
    requireRank(s, T.rows(), T.cols(), inputName(s.targetFile));
    return T;
}

}  // namespace loralab
