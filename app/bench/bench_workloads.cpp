// The bench's cases: planning, cost model and the step runners (see bench_workloads.h).
#include "bench/bench_workloads.h"

#include "loralab/factors.h"
#include "loralab/objective.h"
#include "loralab/target.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace loralab {

namespace {

constexpr Index kMaxDim = Index{1} << 20;
constexpr Index kTeacherRank = 8;
constexpr double kLearningRate = 1e-3;  // small: the bench times steps, it must not diverge
constexpr double kFloat = sizeof(float);

std::string str(long long v) { return std::to_string(v); }

// Optimizer state floats per trainable parameter.
double stateFloats(OptimizerKind opt) {
    switch (opt) {
        case OptimizerKind::Sgd: return 0.0;
        case OptimizerKind::Momentum: return 1.0;
        case OptimizerKind::Adam: return 2.0;
    }
    return 2.0;
}

// Flops of one optimizer update per parameter (the core's layer trainers count the same).
double updateFlops(OptimizerKind opt) {
    switch (opt) {
        case OptimizerKind::Sgd: return 2.0;
        case OptimizerKind::Momentum: return 4.0;
        case OptimizerKind::Adam: return 12.0;
    }
    return 12.0;
}

// Bytes per step for `params` trainable parameters: parameters read + written, gradients
// written + read, state read + written.
double trainableTraffic(double params, OptimizerKind opt) {
    return kFloat * params * (2.0 + 2.0 + 2.0 * stateFloats(opt));
}

OptimizerConfig benchOptimizer(OptimizerKind kind) {
    OptimizerConfig c;
    c.kind = kind;
    c.lr = kLearningRate;
    return c;
}

LayerConfig benchLayer(OptimizerKind kind, int threads) { return {benchOptimizer(kind), threads}; }

class FitRunner : public StepRunner {
public:
    FitRunner(const Matrix& T, Index rank, OptimizerKind opt, std::uint64_t seed, int threads)
        : m_objective(T, threads),
          m_factors(makeFactors(T.rows(), T.cols(), rank, static_cast<double>(rank), false,
                                Init::Peft, seed)),
          m_optimizer(benchOptimizer(opt), {{T.rows(), rank}, {rank, T.cols()}}, threads),
          m_dB(Matrix::Zero(T.rows(), rank)),
          m_dA(Matrix::Zero(rank, T.cols())),
          m_scale(m_factors.scale()),
          m_flops(fitFlopsPerStep(T.rows(), T.cols(), rank, opt)) {}

    double step() override {
        const double loss = m_objective.evaluate(m_factors.B, m_factors.A, m_scale, &m_dB, &m_dA);
        m_optimizer.beginStep();
        m_optimizer.updatePair(m_factors.B, m_dB, m_factors.A, m_dA);
        return loss;
    }
    double flopsPerStep() const override { return m_flops; }

private:
    GramObjective m_objective;
    Factors m_factors;
    Optimizer m_optimizer;
    Matrix m_dB, m_dA;
    double m_scale;
    double m_flops;
};

class LayerRunner : public StepRunner {
public:
    LayerRunner(const LayerProblem& p, Index rank, OptimizerKind opt, std::uint64_t seed,
                int threads)
        : m_trainer(p,
                    makeFactors(p.W0.rows(), p.W0.cols(), rank, static_cast<double>(rank), false,
                                Init::Peft, seed),
                    benchLayer(opt, threads)) {}
    double step() override { return m_trainer.step(); }
    double flopsPerStep() const override { return m_trainer.flopsPerStep(); }

private:
    LoraLayerTrainer m_trainer;
};

class FullRunner : public StepRunner {
public:
    FullRunner(const LayerProblem& p, OptimizerKind opt, int threads)
        : m_trainer(p, benchLayer(opt, threads)) {}
    double step() override { return m_trainer.step(); }
    double flopsPerStep() const override { return m_trainer.flopsPerStep(); }

private:
    FullLayerTrainer m_trainer;
};

}  // namespace

const char* workloadName(Workload w) {
    switch (w) {
        case Workload::Fit: return "fit";
        case Workload::Layer: return "layer";
        case Workload::Full: return "full";
    }
    return "?";
}

const char* methodName(Workload w) {
    switch (w) {
        case Workload::Fit: return "gram";
        case Workload::Layer: return "lora";
        case Workload::Full: return "full";
    }
    return "?";
}

std::vector<BenchCase> planCases(const BenchOptions& o) {
    const std::string& w = o.workload;
    require(w == "fit" || w == "layer" || w == "full" || w == "all", "--workload",
            "'" + w + "'; allowed: fit, layer, full, all");
    const bool fit = w == "fit" || w == "all";
    const bool layer = w == "layer" || w == "all";
    const bool full = w == "full" || w == "all";

    std::vector<std::pair<Index, Index>> sizes;
    if (o.d != 0 || o.k != 0) {
        require(o.d >= 1 && o.d <= kMaxDim && o.k >= 1 && o.k <= kMaxDim, "--d/--k",
                "d = " + str(o.d) + ", k = " + str(o.k) + "; each allowed 1.." + str(kMaxDim));
        sizes.emplace_back(o.d, o.k);
    } else {
        require(!o.sizes.empty(), "--sizes", "the list is empty; give at least one size");
        for (Index s : o.sizes) {
            require(s >= 1 && s <= kMaxDim, "--sizes",
                    str(s) + " is not a size; allowed 1.." + str(kMaxDim));
            sizes.emplace_back(s, s);
        }
    }
    if (fit || layer) {
        require(!o.ranks.empty(), "--ranks", "the list is empty; give at least one rank");
        for (const auto& [d, k] : sizes)
            for (Index r : o.ranks)
                require(r >= 1 && r <= std::min(d, k), "--ranks",
                        "rank " + str(r) + " does not fit " + str(d) + "x" + str(k) +
                            "; allowed 1.." + str(std::min(d, k)));
    }
    if (layer || full)
        require(o.batch >= 1 && o.batch <= kMaxDim, "--batch",
                str(o.batch) + "; allowed 1.." + str(kMaxDim));
    require(o.threads >= 0 && o.threads <= 4096, "--threads",
            str(o.threads) + "; allowed 0 (all cores) .. 4096");
    require(o.warmup >= 0 && o.warmup <= 1000000, "--warmup",
            str(o.warmup) + "; allowed 0..1000000");
    require(o.reps >= 1 && o.reps <= 1000000, "--reps", str(o.reps) + "; allowed 1..1000000");

    std::vector<BenchCase> cases;
    for (const auto& [d, k] : sizes) {
        if (fit)
            for (Index r : o.ranks) cases.push_back({Workload::Fit, d, k, r, 0});
        if (layer)
            for (Index r : o.ranks) cases.push_back({Workload::Layer, d, k, r, o.batch});
        if (full) cases.push_back({Workload::Full, d, k, 0, o.batch});
    }
    return cases;
}

double fitFlopsPerStep(Index d, Index k, Index r, OptimizerKind opt) {
    const double dd = static_cast<double>(d), kk = static_cast<double>(k);
    const double rr = static_cast<double>(r);
    // T·Aᵀ and Bᵀ·T: 4dkr. AAᵀ, BᵀB, B(AAᵀ), (BᵀB)A: 4r²(d+k). Scale/subtract, loss terms: 4r(d+k).
    return 4.0 * dd * kk * rr + 4.0 * rr * rr * (dd + kk) + 4.0 * rr * (dd + kk) +
           updateFlops(opt) * rr * (dd + kk);
}

double caseBytesMoved(const BenchCase& c, OptimizerKind opt) {
    const double d = static_cast<double>(c.d), k = static_cast<double>(c.k);
    const double r = static_cast<double>(c.rank), n = static_cast<double>(c.batch);
    switch (c.workload) {
        case Workload::Fit: return kFloat * d * k + trainableTraffic(r * (d + k), opt);
        case Workload::Layer:
            return kFloat * (d * k + k * n + d * n) + trainableTraffic(r * (d + k), opt);
        case Workload::Full: return kFloat * (k * n + d * n) + trainableTraffic(d * k, opt);
    }
    return 0.0;
}

double sizeMemoryEstimate(const std::vector<BenchCase>& cases, OptimizerKind opt) {
    double peak = 0.0;
    const double s = stateFloats(opt);
    for (const BenchCase& c : cases) {
        const double d = static_cast<double>(c.d), k = static_cast<double>(c.k);
        const double r = static_cast<double>(c.rank), n = static_cast<double>(c.batch);
        const double t = static_cast<double>(std::min<Index>(kTeacherRank, std::min(c.d, c.k)));
        double floats = 0.0;
        switch (c.workload) {
            case Workload::Fit:
                // T + B, A + dB, dA + state + Gram workspaces (T·Aᵀ, Bᵀ·T, in double near the floor)
                floats = d * k + (4.0 + s) * r * (d + k) + 4.0 * r * (d + k) + 64.0 * d;
                break;
            case Workload::Layer: {
                const double build = 2.0 * d * k + k * n + d * n + t * (d + k);  // W0, ΔW*, X, Y*
                const double run = d * k + k * n + 2.0 * d * n + 2.0 * r * n + (3.0 + s) * r * (d + k);
                floats = std::max(build, run);
                break;
            }
            case Workload::Full: {
                const double build = 2.0 * d * k + k * n + d * n + t * (d + k);
                const double run = (3.0 + s) * d * k + k * n + 2.0 * d * n;  // W0, W, dW, state
                floats = std::max(build, run);
                break;
            }
        }
        peak = std::max(peak, kFloat * floats);
    }
    return peak;
}

Matrix makeBenchTarget(Index d, Index k, std::uint64_t seed) {
    TargetSpec spec;
    spec.kind = TargetKind::Full;
    spec.d = d;
    spec.k = k;
    spec.seed = seed;
    return makeTarget(spec);
}

LayerProblem makeBenchProblem(Index d, Index k, Index n, std::uint64_t seed) {
    return makeLayerProblem(d, k, n, std::min<Index>(kTeacherRank, std::min(d, k)), seed);
}

std::unique_ptr<StepRunner> makeFitRunner(const Matrix& target, Index rank, OptimizerKind opt,
                                          std::uint64_t seed, int threads) {
    return std::make_unique<FitRunner>(target, rank, opt, seed, threads);
}

std::unique_ptr<StepRunner> makeLayerRunner(const LayerProblem& problem, Index rank,
                                            OptimizerKind opt, std::uint64_t seed, int threads) {
    return std::make_unique<LayerRunner>(problem, rank, opt, seed, threads);
}

std::unique_ptr<StepRunner> makeFullRunner(const LayerProblem& problem, OptimizerKind opt,
                                           int threads) {
    return std::make_unique<FullRunner>(problem, opt, threads);
}

}  // namespace loralab
