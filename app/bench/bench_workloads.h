// The bench's cases and what each one costs, defined in one place:
//
//   workload  method  trains                      one step
//   fit       gram    B d×r, A r×k to a target T  GramObjective::evaluate + optimizer update
//   layer     lora    B, A on a frozen W0 (d×k)   LoraLayerTrainer::step, n tokens
//   full      full    W (d×k) itself              FullLayerTrainer::step, n tokens
//
// Flops are counted per step (the fit's Gram form: 4·d·k·r for T·Aᵀ and Bᵀ·T plus r²-sized terms;
// layer/full: the trainers' own flopsPerStep()). Bytes are the compulsory memory traffic of one
// step: frozen inputs read once (T; or W0, X, Y*), trainable parameters read and written,
// gradients written and read, optimizer state read and written. Memory estimates are the bytes
// resident at the case's peak, computed before anything is allocated.
#pragma once

#include "loralab/layer.h"
#include "loralab/optimizer.h"
#include "loralab/types.h"
#include "bench/bench.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace loralab {

enum class Workload { Fit, Layer, Full };
const char* workloadName(Workload w);  // "fit", "layer", "full"
const char* methodName(Workload w);    // "gram", "lora", "full"

struct BenchCase {
    Workload workload = Workload::Fit;
    Index d = 0, k = 0;
    Index rank = 0;   // 0 for full fine-tuning
    Index batch = 0;  // tokens n; 0 for fit
};

// The cases to run, grouped by size (fit ranks, then layer ranks, then full). Throws
// std::invalid_argument naming the option and what is allowed when `o` is invalid.
std::vector<BenchCase> planCases(const BenchOptions& o);

double caseBytesMoved(const BenchCase& c, OptimizerKind opt);   // bytes per step
double fitFlopsPerStep(Index d, Index k, Index r, OptimizerKind opt);

// Peak bytes resident while running the cases of one size in order, including the shared
// target or layer problem and its construction temporaries. Doubles: sizes up to 2^20 square.
double sizeMemoryEstimate(const std::vector<BenchCase>& casesOfOneSize, OptimizerKind opt);

// One training step of one case, set up once (all allocation happens in the make* functions).
class StepRunner {
public:
    virtual ~StepRunner() = default;
    virtual double step() = 0;            // returns the loss before the update
    virtual double flopsPerStep() const = 0;
};

// Shared data of one size: the fit target, or the layer problem (batch n, teacher rank 8).
Matrix makeBenchTarget(Index d, Index k, std::uint64_t seed);
LayerProblem makeBenchProblem(Index d, Index k, Index n, std::uint64_t seed);

// The runner keeps a pointer to `target` / `problem`: they must outlive it.
// `threads`: the most a step uses (the bench's --threads, resolved).
std::unique_ptr<StepRunner> makeFitRunner(const Matrix& target, Index rank, OptimizerKind opt,
                                          std::uint64_t seed, int threads);
std::unique_ptr<StepRunner> makeLayerRunner(const LayerProblem& problem, Index rank,
                                            OptimizerKind opt, std::uint64_t seed, int threads);
std::unique_ptr<StepRunner> makeFullRunner(const LayerProblem& problem, OptimizerKind opt,
                                           int threads);

}  // namespace loralab
