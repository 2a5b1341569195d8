#include "inspect/adapter_inspect.h"

#include "loralab/csv.h"

#include <algorithm>
#include <cmath>

namespace loralab {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kModelPrefix = "base_model.model.";

std::string inModel(const std::string& name) {
    return name.rfind(kModelPrefix, 0) == 0 ? name.substr(std::string(kModelPrefix).size()) : name;
}

// A module path as a regular expression that matches only itself.
std::string escapeRegex(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos) out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

ModuleSpectrum analyzeModule(const Matrix& B, const Matrix& A, double scale) {
    ModuleSpectrum s;
    s.svd = adapterSvd(B, A, scale);
    s.frobenius = s.svd.sigma.norm();
    s.rank90 = energyRank(s.svd.sigma, 0.90);
    s.rank99 = energyRank(s.svd.sigma, 0.99);
    return s;
}

Index resizedRank(const AdapterModule& m, Index rank) { return std::min<Index>(rank, m.r); }

double resizedScale(const AdapterModule& m, Index rank, bool rslora) {
    const auto r = static_cast<double>(resizedRank(m, rank));
    return m.alpha / (rslora ? std::sqrt(r) : r);
}

std::vector<ModuleReport> inspectAdapter(AdapterFolder& adapter, Index resizeRank,
                                         SafetensorsFile* resized,
                                         const std::function<void(std::size_t, std::size_t)>& progress) {
    std::vector<ModuleReport> reports;
    const std::size_t n = adapter.modules().size();
    for (std::size_t i = 0; i < n; ++i) {
        if (progress) progress(i, n);
        const AdapterModule& m = adapter.modules()[i];
        Matrix B, A;
        adapter.load(i, B, A);
        const ModuleSpectrum s = analyzeModule(B, A, m.scale);
        ModuleReport r;
        r.module = m;
        r.sigma = s.svd.sigma;
        r.frobenius = s.frobenius;
        r.rank90 = s.rank90;
        r.rank99 = s.rank99;
        if (resizeRank > 0) {
            r.resizedRank = resizedRank(m, resizeRank);
            const double newScale = resizedScale(m, resizeRank, adapter.config().rslora);
            TruncatedFactors t;
            if (newScale != 0.0) {
                t = truncateRank(s.svd, r.resizedRank, newScale);
            } else {  // lora_alpha = 0: ΔW is 0 whatever the factors hold
                t.B = Matrix::Zero(m.d, r.resizedRank);
                t.A = Matrix::Zero(r.resizedRank, m.k);
            }
            // truncateRank keeps at most min(r, d, k) directions; pad to the rank the config says.
            if (t.B.cols() < r.resizedRank) {
                t.B.conservativeResizeLike(Matrix::Zero(m.d, r.resizedRank));
                t.A.conservativeResizeLike(Matrix::Zero(r.resizedRank, m.k));
            }
            r.relativeError = t.relativeError;
            if (resized) {
                resized->tensors[m.keyB] = toTensor(t.B);
                resized->tensors[m.keyA] = toTensor(t.A);
            }
        }
        reports.push_back(std::move(r));
    }
    if (resized) {
        resized->metadata = adapter.reader().header().metadata;
        for (const std::string& name : adapter.otherTensors())
            resized->tensors[name] = adapter.reader().readTensor(name);
    }
    return reports;
}

std::string resizedConfigJson(const AdapterFolder& adapter, Index rank) {
    const AdapterConfig& c = adapter.config();
    Json j = c.raw;
    j["r"] = rank;
    Json pattern = Json::object();
    std::vector<std::string> keys;
    for (const auto& [key, r] : c.rankPattern) {
        pattern[key] = std::min<std::int64_t>(r, rank);
        keys.push_back(key);
    }
    // Modules no key matches take the global r; where theirs was below R they keep it, under
    // their own path (after the existing keys, which match first).
    for (const AdapterModule& m : adapter.modules()) {
        const std::string path = inModel(m.name);
        if (resizedRank(m, rank) != rank && matchPattern(keys, path, adapter.dir()) < 0)
            pattern[escapeRegex(path)] = resizedRank(m, rank);
    }
    j["rank_pattern"] = pattern;
    return j.dump(2) + "\n";
}

}  // namespace loralab
