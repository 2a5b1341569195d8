#include "savings.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace loralab::gui {

SavingsFigures computeSavings(std::int64_t d, std::int64_t k, std::int64_t rank,
                              const std::string& modelName, const std::string& modules) {
    SavingsFigures f;
    f.d = d;
    f.k = k;
    f.rank = rank;
    f.layer = layerCounts(d, k, rank);
    f.layerFull = fullFineTuneMemory(f.layer.full, Precision::Fp32);
    f.layerLora = loraMemory(f.layer.full, f.layer.lora, Precision::Fp32);
    f.big = layerCounts(4096, 4096, std::min<std::int64_t>(rank, 4096));
    const ModelPreset& model = findModel(modelName);
    f.modelDisplayName = model.displayName;
    f.modules = modules;
    f.model = modelCounts(model, parseModules(modules, model), rank);
    f.modelFull = fullFineTuneMemory(f.model.base, Precision::Fp32);
    f.modelLora = loraMemory(f.model.base, f.model.trainable, Precision::Fp32);
    return f;
}

std::string formatCount(std::int64_t n) {
    const bool negative = n < 0;
    std::string digits = std::to_string(negative ? -n : n);
    std::string out;
    const int len = static_cast<int>(digits.size());
    for (int i = 0; i < len; ++i) {
        if (i > 0 && (len - i) % 3 == 0) out += ',';
        out += digits[static_cast<std::size_t>(i)];
    }
    return negative ? "-" + out : out;
}

std::string formatBytes(std::int64_t bytes) {
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (std::fabs(v) >= 1024.0 && u < 4) {
        v /= 1024.0;
        ++u;
    }
    char buf[64];
    if (u == 0)
        std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
    else
        std::snprintf(buf, sizeof buf, v < 10 ? "%.2f %s" : (v < 100 ? "%.1f %s" : "%.0f %s"), v,
                      units[u]);
    return buf;
}

std::string formatRatio(double ratio) {
    char buf[64];
    if (!std::isfinite(ratio)) return "—";
    if (ratio >= 100 || std::fabs(ratio - std::round(ratio)) < 1e-9)
        std::snprintf(buf, sizeof buf, "%.0f×", ratio);
    else if (ratio >= 10)
        std::snprintf(buf, sizeof buf, "%.1f×", ratio);
    else
        std::snprintf(buf, sizeof buf, "%.2g×", ratio);
    return buf;
}

std::string formatSavings(double ratio) {
    if (ratio > 0 && ratio < 1) return formatRatio(1.0 / ratio) + " more";
    return formatRatio(ratio) + " fewer";
}

std::string formatPercent(double percent) {
    char buf[64];
    if (percent >= 10)
        std::snprintf(buf, sizeof buf, "%.1f%%", percent);
    else if (percent >= 0.01)
        std::snprintf(buf, sizeof buf, "%.2f%%", percent);
    else
        std::snprintf(buf, sizeof buf, "%.2g%%", percent);
    return buf;
}

std::vector<SavingsRow> savingsRows(const SavingsFigures& f) {
    const std::string dk = std::to_string(f.d) + "×" + std::to_string(f.k);
    std::vector<SavingsRow> rows;
    rows.push_back({"Trainable (" + dk + ")", formatCount(f.layer.full), formatCount(f.layer.lora)});
    rows.push_back({"", formatRatio(1.0), formatSavings(f.layer.ratio)});
    rows.push_back({"Trainable %", "100%", formatPercent(f.layer.trainablePercent)});
    rows.push_back({"Adam state", formatBytes(f.layerFull.adamState), formatBytes(f.layerLora.adamState)});
    rows.push_back({"Training memory", formatBytes(f.layerFull.total()), formatBytes(f.layerLora.total())});
    rows.push_back({"4096×4096, r = " + std::to_string(std::min<std::int64_t>(f.rank, 4096)),
                    formatCount(f.big.full),
                    formatCount(f.big.lora) + " (" + formatSavings(f.big.ratio) + ")"});
    rows.push_back({f.modelDisplayName + " " + f.modules, formatCount(f.model.fullTargeted),
                    formatCount(f.model.trainable) + " (" + formatSavings(f.model.ratio) + ")"});
    rows.push_back({f.modelDisplayName + " trainable %", "100%",
                    formatPercent(f.model.trainablePercent)});
    rows.push_back({f.modelDisplayName + " memory", formatBytes(f.modelFull.total()),
                    formatBytes(f.modelLora.total())});
    return rows;
}

}  // namespace loralab::gui
