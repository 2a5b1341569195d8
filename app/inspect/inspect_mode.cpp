#include "inspect/inspect_mode.h"

#include "inspect/adapter_inspect.h"
#include "io/atomic_file.h"
#include "io/model_weights.h"
#include "io/peft_adapter.h"
#include "loralab/csv.h"
#include "params/params_report.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <ostream>

namespace loralab {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

std::string num(const char* format, double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, x);
    return buf;
}

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

int listTensors(const InspectOptions& o, std::ostream& out) {
    if (o.resizeRank > 0)
        throw std::invalid_argument("--resize-rank applies to an adapter folder, not to " + o.path);
    const ModelWeights w = readModelWeights(o.path);
    std::int64_t total = 0;
    for (const WeightEntry& e : w.entries) total += elementCount(e.shape);
    if (o.json) {
        Json list = Json::array();
        for (const WeightEntry& e : w.entries)
            list.push_back({{"name", e.name}, {"dtype", e.dtype}, {"shape", e.shape},
                            {"params", elementCount(e.shape)}});
        out << Json{{"file", w.source}, {"files", w.files}, {"params", total}, {"tensors", list}}.dump() << '\n';
        return 0;
    }
    std::size_t width = 6;
    for (const WeightEntry& e : w.entries) width = std::max(width, std::min<std::size_t>(e.name.size(), 70));
    out << w.source << ": " << w.entries.size() << " tensors, " << grouped(total) << " parameters\n\n";
    out << pad("tensor", width + 2, false) << pad("dtype", 6, false) << pad("shape", 18, false)
        << pad("parameters", 14) << '\n';
    for (const WeightEntry& e : w.entries)
        out << pad(e.name, width + 2, false) << pad(e.dtype, 6, false) << pad(shapeText(e.shape), 18, false)
            << pad(grouped(elementCount(e.shape)), 14) << '\n';
    out << "\nUse one as a target: loralab --target-file " << (w.files == 1 ? w.source : "SHARD.safetensors")
        << " --tensor NAME (2-D, F32/F16/BF16)\n";
    return 0;
}

// α as the config writes it: an integer when it is one.
Json number(double x) {
    if (x == static_cast<double>(static_cast<long long>(x)) && std::abs(x) < 1e15) return static_cast<long long>(x);
    return x;
}

Json moduleJson(const ModuleReport& r) {
    const AdapterModule& m = r.module;
    Json j{{"name", m.name}, {"r", m.r}, {"alpha", number(m.alpha)}, {"scale", m.scale}, {"d", m.d}, {"k", m.k},
           {"dtype", m.dtype}, {"lora_A_shape", {m.r, m.k}}, {"lora_B_shape", {m.d, m.r}},
           {"frobenius_norm", r.frobenius}, {"rank_90", r.rank90}, {"rank_99", r.rank99}};
    Json sigma = Json::array();
    for (Index i = 0; i < r.sigma.size(); ++i) sigma.push_back(r.sigma[i]);
    j["singular_values"] = sigma;
    if (r.resizedRank > 0) {
        j["resized_r"] = r.resizedRank;
        j["relative_error"] = r.relativeError;
    }
    return j;
}

void printTable(const AdapterFolder& a, const std::vector<ModuleReport>& reports, Index resize,
                std::ostream& out) {
    const AdapterConfig& c = a.config();
    out << a.dir() << ": LoRA adapter, " << reports.size() << (reports.size() == 1 ? " module" : " modules")
        << ", r " << c.r << ", lora_alpha "
        << num("%g", c.alpha) << (c.rslora ? ", rsLoRA (scale alpha/sqrt(r))" : "")
        << (c.rankPattern.empty() && c.alphaPattern.empty() ? "" : ", with rank/alpha patterns") << "\n\n";
    std::size_t width = 6;
    for (const ModuleReport& r : reports) width = std::max(width, r.module.name.size());
    out << pad("module", width + 2, false) << pad("r", 5) << pad("alpha", 8) << pad("scale", 9)
        << pad("d x k", 14) << pad("|dW|_F", 11) << pad("r90", 5) << pad("r99", 5);
    if (resize > 0) out << pad("-> r", 6) << pad("rel. error", 12);
    out << "   singular values of dW\n";
    for (const ModuleReport& r : reports) {
        const AdapterModule& m = r.module;
        out << pad(m.name, width + 2, false) << pad(std::to_string(m.r), 5) << pad(num("%g", m.alpha), 8)
            << pad(num("%.4g", m.scale), 9) << pad(std::to_string(m.d) + " x " + std::to_string(m.k), 14)
            << pad(num("%.4g", r.frobenius), 11) << pad(std::to_string(r.rank90), 5)
            << pad(std::to_string(r.rank99), 5);
        if (resize > 0) out << pad(std::to_string(r.resizedRank), 6) << pad(num("%.4g", r.relativeError), 12);
        out << "  ";
        for (Index i = 0; i < r.sigma.size() && i < 4; ++i) out << ' ' << num("%.4g", r.sigma[i]);
        if (r.sigma.size() > 4) out << " ...";
        out << '\n';
    }
    out << "\nr90, r99: the fewest singular values holding 90 % and 99 % of |dW|_F^2 (dW = scale * B * A).\n";
    if (resize > 0)
        out << "rel. error: |dW - dW_R|_F / |dW|_F of the best rank-" << resize
            << " approximation (Eckart-Young).\n";
}

void writeResized(const InspectOptions& o, const AdapterFolder& a, const SafetensorsFile& file) {
    std::error_code ec;
    if (fs::exists(o.exportDir, ec) && fs::equivalent(o.exportDir, o.path, ec))
        throw std::invalid_argument("--export-adapter: " + o.exportDir +
                                    " is the adapter being read; choose another folder");
    ensureDirectory(o.exportDir);
    const fs::path dir(o.exportDir);
    writeSafetensors((dir / kAdapterWeightsFile).string(), file);
    writeFileAtomic((dir / kAdapterConfigFile).string(), resizedConfigJson(a, o.resizeRank));
}

int inspectAdapterFolder(const InspectOptions& o, std::ostream& out, std::ostream& err) {
    AdapterFolder adapter(o.path);
    if (o.resizeRank > 0 && adapter.config().dora)
        throw std::invalid_argument("--resize-rank: " + o.path +
                                    " is a DoRA adapter (use_dora); its magnitudes belong to the full "
                                    "rank, so it is not resized");
    if (adapter.config().dora)
        err << "loralab: note: DoRA adapter; its magnitude vectors are not part of dW = scale * B * A shown here\n";
    SafetensorsFile resized;
    const bool exporting = o.resizeRank > 0 && !o.exportDir.empty();
    auto progress = [&](std::size_t i, std::size_t n) {
        if (o.progressTty && n >= 8) err << "\rloralab: module " << i + 1 << " of " << n << std::flush;
    };
    const std::vector<ModuleReport> reports =
        inspectAdapter(adapter, o.resizeRank, exporting ? &resized : nullptr, progress);
    if (o.progressTty && reports.size() >= 8) err << "\r\033[K" << std::flush;
    if (exporting) writeResized(o, adapter, resized);
    if (o.json) {
        const AdapterConfig& c = adapter.config();
        Json j{{"adapter", o.path}, {"peft_type", c.peftType}, {"r", c.r}, {"lora_alpha", number(c.alpha)},
               {"use_rslora", c.rslora}, {"use_dora", c.dora}};
        Json modules = Json::array();
        for (const ModuleReport& r : reports) modules.push_back(moduleJson(r));
        j["modules"] = modules;
        j["other_tensors"] = adapter.otherTensors();
        if (o.resizeRank > 0) j["resize_rank"] = o.resizeRank;
        if (exporting) j["export"] = o.exportDir;
        out << j.dump() << '\n';
        return 0;
    }
    printTable(adapter, reports, o.resizeRank, out);
    if (!adapter.otherTensors().empty())
        out << adapter.otherTensors().size() << " other tensors (not LoRA factors) are "
            << (exporting ? "copied as they are.\n" : "not shown.\n");
    if (exporting)
        out << "wrote " << (fs::path(o.exportDir) / kAdapterWeightsFile).string() << " and "
            << kAdapterConfigFile << " (r = " << o.resizeRank << ")\n";
    return 0;
}

}  // namespace

int runInspect(const InspectOptions& o, std::ostream& out, std::ostream& err) {
    std::error_code ec;
    if (fs::is_directory(o.path, ec)) {
        if (isAdapterFolder(o.path)) return inspectAdapterFolder(o, out, err);
        if (o.resizeRank == 0 && (fs::exists(fs::path(o.path) / "model.safetensors", ec) ||
                                  fs::exists(fs::path(o.path) / "model.safetensors.index.json", ec)))
            return listTensors(o, out);
        throw InputError(o.path + ": no " + std::string(kAdapterConfigFile) +
                         " here; --inspect takes a peft adapter folder or a .safetensors file");
    }
    if (!fs::exists(o.path, ec)) throw InputError(o.path + ": no such file or folder");
    const std::string name = fs::path(o.path).filename().string();
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0 &&
        name.find(".index.json") == std::string::npos)
        throw InputError(o.path + ": --inspect takes a peft adapter folder, a .safetensors file or a "
                                  "model.safetensors.index.json" +
                         std::string(name == "config.json" ? "; count a config.json with --params --config" : ""));
    return listTensors(o, out);
}

}  // namespace loralab
