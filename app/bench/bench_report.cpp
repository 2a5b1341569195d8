// Bench output: the field table, the markdown printer and the JSON printer.
#include "bench/bench_report.h"

#include "bench/bench.h"
#include "loralab/format.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <ostream>

#ifndef LORALAB_VERSION
#define LORALAB_VERSION "unknown"
#endif

namespace loralab {

namespace {

using Json = nlohmann::ordered_json;

std::string format(const char* fmt, double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, x);
    return buf;
}


Json timing(const BenchResult& r, double value) { return r.ok ? Json(value) : Json(nullptr); }
std::string timingText(const BenchResult& r, const std::string& text) {
    return r.ok ? text : std::string("-");
}

// One row per column. `key` is the JSON name (nullptr: markdown only), `header` the markdown
// column (nullptr: JSON only); `omitWhenNull` drops the key from JSON when its value is null.
struct Field {
    const char* key;
    const char* header;
    Json (*json)(const BenchResult&);
    std::string (*text)(const BenchResult&);
    bool omitWhenNull = false;
};

const std::vector<Field>& resultFields() {
    static const std::vector<Field> fields{
        {"workload", "workload", [](const BenchResult& r) { return Json(workloadName(r.c.workload)); },
         [](const BenchResult& r) { return std::string(workloadName(r.c.workload)); }},
        {"method", "method", [](const BenchResult& r) { return Json(methodName(r.c.workload)); },
         [](const BenchResult& r) { return std::string(methodName(r.c.workload)); }},
        {"d", "d", [](const BenchResult& r) { return Json(r.c.d); },
         [](const BenchResult& r) { return std::to_string(r.c.d); }},
        {"k", "k", [](const BenchResult& r) { return Json(r.c.k); },
         [](const BenchResult& r) { return std::to_string(r.c.k); }},
        {"rank", "rank",
         [](const BenchResult& r) { return r.c.rank > 0 ? Json(r.c.rank) : Json(nullptr); },
         [](const BenchResult& r) { return r.c.rank > 0 ? std::to_string(r.c.rank) : "-"; }},
        {"batch", "batch",
         [](const BenchResult& r) { return r.c.batch > 0 ? Json(r.c.batch) : Json(nullptr); },
         [](const BenchResult& r) { return r.c.batch > 0 ? std::to_string(r.c.batch) : "-"; }},
        {"threads", nullptr, [](const BenchResult& r) { return Json(r.threads); }, nullptr},
        {"optimizer", nullptr, [](const BenchResult& r) { return Json(optimizerName(r.optimizer)); },
         nullptr},
        {"ms_median", "median ms", [](const BenchResult& r) { return timing(r, r.msMedian); },
         [](const BenchResult& r) { return r.ok ? significant(r.msMedian) : "FAILED"; }},
        {"ms_mean", nullptr, [](const BenchResult& r) { return timing(r, r.msMean); }, nullptr},
        {nullptr, "mean ± sd ms", nullptr,
         [](const BenchResult& r) { return timingText(r, significant(r.msMean) + " ± " + significant(r.msSd)); }},
        {"ms_min", "min ms", [](const BenchResult& r) { return timing(r, r.msMin); },
         [](const BenchResult& r) { return timingText(r, significant(r.msMin)); }},
        {"ms_sd", nullptr, [](const BenchResult& r) { return timing(r, r.msSd); }, nullptr},
        {"reps", nullptr, [](const BenchResult& r) { return Json(r.reps); }, nullptr},
        {"warmup", nullptr, [](const BenchResult& r) { return Json(r.warmup); }, nullptr},
        {"gflops", "GFLOP/s", [](const BenchResult& r) { return timing(r, r.gflops); },
         [](const BenchResult& r) { return timingText(r, significant(r.gflops)); }},
        {"peak_rss_mb", "peak RSS MiB", [](const BenchResult& r) { return Json(r.peakRssMb); },
         [](const BenchResult& r) { return format("%.0f", r.peakRssMb); }},
        {"limit_gflops", "limit GFLOP/s",
         [](const BenchResult& r) { return r.limitGflops > 0.0 ? Json(r.limitGflops) : Json(nullptr); },
         [](const BenchResult& r) { return r.limitGflops > 0.0 ? significant(r.limitGflops) : "-"; }},
        {"limit_gbs", "limit GB/s",
         [](const BenchResult& r) { return r.limitGbs > 0.0 ? Json(r.limitGbs) : Json(nullptr); },
         [](const BenchResult& r) { return r.limitGbs > 0.0 ? significant(r.limitGbs) : "-"; }},
        {"roofline_ms", "roofline ms", [](const BenchResult& r) { return Json(r.rooflineMs); },
         [](const BenchResult& r) { return significant(r.rooflineMs); }},
        {"efficiency", "efficiency", [](const BenchResult& r) { return timing(r, r.efficiency); },
         [](const BenchResult& r) { return timingText(r, format("%.2f", r.efficiency)); }},
        {"error", nullptr,
         [](const BenchResult& r) { return r.ok ? Json(nullptr) : Json(r.error); }, nullptr, true},
    };
    return fields;
}

// Display width of UTF-8 text (continuation bytes take no column): "±" is one column.
std::size_t columns(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::string mib(std::int64_t bytes) { return format("%.0f", static_cast<double>(bytes) / (1 << 20)); }

}  // namespace

void summarizeTimes(const std::vector<double>& ms, BenchResult& r) {
    r.reps = static_cast<int>(ms.size());
    if (ms.empty()) return;
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    r.msMedian = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    r.msMin = sorted.front();
    r.msMean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(n);
    double ss = 0.0;
    for (double x : sorted) ss += (x - r.msMean) * (x - r.msMean);
    r.msSd = n > 1 ? std::sqrt(ss / static_cast<double>(n - 1)) : 0.0;
}

namespace {

std::string msText(double seconds) {
    return std::to_string(static_cast<int>(std::lround(seconds * 1000.0))) + " ms";
}

}  // namespace

void printMarkdown(const BenchReport& rep, std::ostream& out) {
    const MachineInfo& m = rep.machine;
    out << "## loralab " << LORALAB_VERSION << " bench\n\n";
    out << "- machine: " << (m.hostname.empty() ? "?" : m.hostname) << ", "
        << (m.cpuModel.empty() ? "unknown CPU" : m.cpuModel) << ", " << m.cores << " cores, "
        << mib(m.memTotal) << " MiB RAM (" << mib(m.memAvailable) << " MiB available)\n";
    out << "- threads: " << rep.threads << "; optimizer: "
        << (rep.results.empty() ? "-" : optimizerName(rep.results.front().optimizer))
        << "; warm-up " << rep.warmup << " steps"
        << (rep.warmup > 0 ? " and at least " + msText(kBenchMinWarmupSeconds) : "")
        << "; at least " << rep.reps << " timed steps and " << msText(kBenchMinTimedSeconds)
        << " per case\n";
    out << "- build: " << rep.build.type << " (" << rep.build.compiler << "; " << rep.build.flags
        << "); fit kernel " << rep.build.fitKernel << ", large products " << rep.build.gemm
        << "\n";
    out << "- BLAS: " << (m.openblasCore.empty() ? "Eigen only (OpenBLAS not linked)"
                                                 : "OpenBLAS, core " + m.openblasCore);
    if (!m.openblasCoretypeEnv.empty())
        out << " (forced by OPENBLAS_CORETYPE=" << m.openblasCoretypeEnv << ")";
    out << "\n";
    const MachineLimits& l = rep.limits;
    out << "- limits (this run, " << rep.threads << " threads): peak " << significant(l.peakFlops / 1e9)
        << " GFLOP/s (" << l.peakSource << " SGEMM " << l.gemmSize << "^3";
    if (l.openblasFlops > 0.0)
        out << "; eigen " << significant(l.eigenFlops / 1e9) << ", openblas " << significant(l.openblasFlops / 1e9);
    out << "), memory " << significant(l.bandwidth / 1e9) << " GB/s (triad " << significant(l.triadBandwidth / 1e9)
        << ")";
    if (!l.readCurve.empty()) {
        out << ", read stream";
        for (const auto& [bytes, bw] : l.readCurve)
            out << (bytes == l.readCurve.front().first ? " " : ", ")
                << (bytes >= (1 << 20) ? std::to_string(bytes >> 20) + " MiB "
                                       : std::to_string(bytes >> 10) + " KiB ")
                << significant(bw / 1e9);
        out << " GB/s";
    }
    out << (l.isolated ? "; measured in a child process" : "") << "\n";
    out << "- roofline ms = max(flops / peak, bytes / bandwidth at the case's working set), with "
           "the limits measured again right after each case (limit columns: the peak SGEMM and "
           "the read stream over a buffer of its working set); efficiency = roofline / median\n";
    if (!rep.build.optimized)
        out << "\nWARNING: this is not an optimized build (" << rep.build.type
            << (rep.build.sanitized ? ", sanitizers on" : "")
            << "); times are not representative. Build with -DCMAKE_BUILD_TYPE=Release.\n";
    if (!m.openblasCoretypeEnv.empty())
        out << "\nWARNING: OPENBLAS_CORETYPE=" << m.openblasCoretypeEnv
            << " makes OpenBLAS use that CPU's kernels instead of its own detection (Haswell's "
               "AVX2 kernels halve SGEMM on AVX-512 CPUs): the peak and the layer times are not "
               "this machine's best. Unset it to measure the machine.\n";
    if (m.loadAverage > 0.5 * m.cores)
        out << "\nNOTE: the load average was " << format("%.1f", m.loadAverage) << " on " << m.cores
            << " cores when the bench started: other processes compete for the CPU and the times "
               "are noisy.\n";
    out << '\n';

    std::vector<const Field*> cols;
    for (const Field& f : resultFields())
        if (f.header) cols.push_back(&f);
    std::vector<std::vector<std::string>> cells;
    std::vector<std::size_t> width;
    for (const Field* f : cols) width.push_back(columns(f->header));
    for (const BenchResult& r : rep.results) {
        std::vector<std::string> row;
        for (std::size_t i = 0; i < cols.size(); ++i) {
            row.push_back(cols[i]->text(r));
            width[i] = std::max(width[i], columns(row.back()));
        }
        cells.push_back(std::move(row));
    }
    auto line = [&](const std::vector<std::string>& row) {
        out << '|';
        for (std::size_t i = 0; i < row.size(); ++i)
            out << ' ' << row[i] << std::string(width[i] - std::min(width[i], columns(row[i])), ' ')
                << " |";
        out << '\n';
    };
    std::vector<std::string> header, rule;
    for (std::size_t i = 0; i < cols.size(); ++i) {
        header.push_back(cols[i]->header);
        rule.push_back(std::string(width[i], '-'));
    }
    line(header);
    line(rule);
    for (const auto& row : cells) line(row);
    for (const BenchResult& r : rep.results)
        if (!r.ok)
            out << "\nFAILED: " << workloadName(r.c.workload) << ' ' << r.c.d << 'x' << r.c.k
                << (r.c.rank > 0 ? " r=" + std::to_string(r.c.rank) : "") << ": " << r.error
                << '\n';
}

void printJson(const BenchReport& rep, std::ostream& out) {
    const MachineInfo& m = rep.machine;
    const MachineLimits& l = rep.limits;
    Json machine;
    machine["name"] = m.hostname;
    machine["cpu"] = m.cpuModel;
    machine["cores"] = m.cores;
    machine["memory_total_mb"] = static_cast<double>(m.memTotal) / (1 << 20);
    machine["memory_available_mb"] = static_cast<double>(m.memAvailable) / (1 << 20);
    machine["openblas_core"] = m.openblasCore.empty() ? Json(nullptr) : Json(m.openblasCore);
    machine["openblas_coretype_env"] =
        m.openblasCoretypeEnv.empty() ? Json(nullptr) : Json(m.openblasCoretypeEnv);
    machine["load_average"] = m.loadAverage;
    machine["threads"] = rep.threads;
    machine["peak_gflops"] = l.peakFlops / 1e9;
    machine["peak_source"] = l.peakSource;
    machine["gemm_size"] = l.gemmSize;
    machine["eigen_gflops"] = l.eigenFlops / 1e9;
    machine["openblas_gflops"] = l.openblasFlops > 0.0 ? Json(l.openblasFlops / 1e9) : Json(nullptr);
    machine["bandwidth_gbs"] = l.bandwidth / 1e9;
    machine["triad_gbs"] = l.triadBandwidth / 1e9;
    Json curve = Json::array();
    for (const auto& [bytes, bw] : l.readCurve) {
        Json point;
        point["bytes"] = bytes;
        point["gbs"] = bw / 1e9;
        curve.push_back(std::move(point));
    }
    machine["read_gbs_by_size"] = std::move(curve);
    machine["limits_isolated"] = l.isolated;

    Json build;
    build["type"] = rep.build.type;
    build["optimized"] = rep.build.optimized;
    build["sanitized"] = rep.build.sanitized;
    build["compiler"] = rep.build.compiler;
    build["flags"] = rep.build.flags;
    build["fit_kernel"] = rep.build.fitKernel;
    build["gemm"] = rep.build.gemm;

    Json results = Json::array();
    for (const BenchResult& r : rep.results) {
        Json row;
        for (const Field& f : resultFields()) {
            if (!f.key) continue;
            Json v = f.json(r);
            if (f.omitWhenNull && v.is_null()) continue;
            row[f.key] = std::move(v);
        }
        results.push_back(std::move(row));
    }

    Json j;
    j["loralab"] = LORALAB_VERSION;
    j["machine"] = std::move(machine);
    j["build"] = std::move(build);
    j["results"] = std::move(results);
    out << j.dump() << '\n';
}

}  // namespace loralab
