// Method names, peft's trainable counts, the shared problem, the Method base and its factory.
#include "loralab/methods.h"
#include "loralab/format.h"
#include "loralab/names.h"

#include "method_impl.h"

#include "loralab/rng.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace loralab {

namespace {

constexpr Named<MethodKind> kMethods[] = {{MethodKind::Lora, "lora"},
                                          {MethodKind::Full, "full"},
                                          {MethodKind::Dora, "dora"},
                                          {MethodKind::Pissa, "pissa"},
                                          {MethodKind::Vera, "vera"}};

void requireDk(const Matrix& m, Index d, Index k, const std::string& what) {
    require(m.rows() == d && m.cols() == k, what,
            "is " + shapeStr(m) + "; must be d x k = " + shapeStr(d, k));
    require(m.allFinite(), what, "has non-finite entries");
}

}  // namespace

const char* methodName(MethodKind kind) { return nameIn(kMethods, kind); }

MethodKind parseMethod(const std::string& name) { return parseIn(kMethods, name, "method"); }

std::vector<MethodKind> parseMethodList(const std::string& list) {
    std::vector<MethodKind> out;
    std::stringstream in(list);
    std::string item;
    while (std::getline(in, item, ',')) {
        const MethodKind kind = parseMethod(item);
        require(std::find(out.begin(), out.end(), kind) == out.end(), "method list",
                "'" + item + "' appears twice in '" + list + "'");
        out.push_back(kind);
    }
    require(!out.empty() && list.back() != ',', "method list",
            "'" + list + "' names no method or ends in a comma; e.g. lora,dora,full");
    return out;
}

bool methodHasB(MethodKind kind) {
    return kind == MethodKind::Lora || kind == MethodKind::Dora || kind == MethodKind::Pissa;
}

std::int64_t trainableCount(MethodKind kind, std::int64_t d, std::int64_t k, std::int64_t r) {
    require(d >= 1 && k >= 1, "trainableCount",
            "d = " + std::to_string(d) + ", k = " + std::to_string(k) + "; both must be >= 1");
    if (kind == MethodKind::Full) return d * k;
    if (kind == MethodKind::Vera) {
        // VeRA's rank is the shared projections' width: it may exceed min(d, k).
        require(r >= 1, "trainableCount", "rank = " + std::to_string(r) + "; must be >= 1");
        return d + r;
    }
    requireShape(static_cast<Index>(d), static_cast<Index>(k), static_cast<Index>(r));
    const std::int64_t lora = r * (d + k);
    return kind == MethodKind::Dora ? lora + d : lora;
}

std::shared_ptr<const MethodProblem> makeProblem(Matrix base, Matrix target, Matrix baseFull,
                                                 StoreFn store) {
    require(target.rows() >= 1 && target.cols() >= 1, "target weight",
            "is " + shapeStr(target) + "; must be non-empty");
    const Index d = target.rows(), k = target.cols();
    requireDk(target, d, k, "target weight");
    requireDk(base, d, k, "base weight");
    if (baseFull.size() == 0) baseFull = base;
    requireDk(baseFull, d, k, "full-precision base weight");
    auto p = std::make_shared<MethodProblem>();
    p->spectrum = analyzeTarget(target - base);
    p->base = std::move(base);
    p->target = std::move(target);
    p->baseFull = std::move(baseFull);
    p->store = std::move(store);
    return p;
}

Method::Method(const MethodConfig& config, std::shared_ptr<const MethodProblem> problem)
    : m_config(config), m_problem(std::move(problem)) {
    require(m_problem != nullptr, "method", "no problem given");
    requireFinite(config.alpha, "alpha", true);
    require(config.threads >= 0, "threads",
            "threads = " + std::to_string(config.threads) + "; must be >= 0 (0 = all cores)");
    if (config.kind != MethodKind::Full) (void)trainableCount(config.kind, d(), k(), config.rank);
}

Method::~Method() = default;

double Method::scale() const {
    return methodHasB(kind()) ? loraScale(m_config.alpha, m_config.rank, m_config.rslora) : 1.0;
}

std::int64_t Method::trainableParams() const {
    std::int64_t n = 0;
    for (const Matrix& b : m_blocks) n += static_cast<std::int64_t>(b.size());
    return n;
}

Matrix Method::deltaW() const {
    Matrix dw = effectiveWeight();
    dw -= m_problem->base;
    return dw;
}

std::unique_ptr<Method> makeMethod(const MethodConfig& config,
                                   std::shared_ptr<const MethodProblem> problem) {
    switch (config.kind) {
        case MethodKind::Full: return std::make_unique<FullMethod>(config, std::move(problem));
        case MethodKind::Lora:
        case MethodKind::Pissa: return std::make_unique<LoraMethod>(config, std::move(problem));
        case MethodKind::Dora: return std::make_unique<DoraMethod>(config, std::move(problem));
        case MethodKind::Vera: return std::make_unique<VeraMethod>(config, std::move(problem));
    }
    throw std::invalid_argument("method: unknown kind");
}

void veraProjections(Index d, Index k, Index rank, std::uint64_t seed, Matrix& B, Matrix& A) {
    require(d >= 1 && k >= 1 && rank >= 1, "veraProjections",
            "d, k and rank must be >= 1; got " + shapeStr(d, k) + " at rank " +
                std::to_string(rank));
    // peft draws A then B from one generator, each U(±√(6/fan_in)) with fan_in its column count.
    Rng rng(seed);
    A.resize(rank, k);
    B.resize(d, rank);
    const double boundA = std::sqrt(6.0 / static_cast<double>(k));
    const double boundB = std::sqrt(6.0 / static_cast<double>(rank));
    rng.fillUniform(A, -boundA, boundA);
    rng.fillUniform(B, -boundB, boundB);
}

}  // namespace loralab
