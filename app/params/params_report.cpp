#include "params/params_report.h"

#include <cstdio>
#include <ostream>
#include <stdexcept>

namespace loralab {

namespace {

using Json = nlohmann::ordered_json;

std::string bytesText(std::int64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double x = static_cast<double>(bytes);
    int u = 0;
    while (x >= 1024.0 && u < 4) {
        x /= 1024.0;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", x, units[u]);
    return buf;
}

std::string fixed(const char* format, double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, x);
    return buf;
}

Json memoryJson(const TrainingMemory& m) {
    Json j;
    j["weights"] = m.weights;
    j["gradients"] = m.gradients;
    j["adam_state"] = m.adamState;
    j["total"] = m.total();
    return j;
}

TrainingMemory qlora(const ParamsFigures& f) {
    return qloraMemory(f.qlora.nf4Bytes, f.qlora.bf16Params, f.trainable);
}

}  // namespace

std::string grouped(std::int64_t v) {
    std::string digits = std::to_string(v < 0 ? -v : v);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return v < 0 ? "-" + out : out;
}

std::string pad(const std::string& s, std::size_t width, bool right) {
    if (s.size() >= width) return s;
    return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

std::string ratioText(double ratio) {
    return ratio >= 1.0 ? fixed("%.4g", ratio) + "x fewer" : fixed("%.4g", 1.0 / ratio) + "x more";
}

Json figuresJson(Json what, const ParamsFigures& f) {
    Json& j = what;
    j["full_params"] = f.targeted;
    j["lora_params"] = f.trainable;
    j["ratio"] = f.ratio;
    j["trainable_percent"] = f.trainablePercent;
    Json memory;
    for (Precision p : {Precision::Fp32, Precision::Bf16}) {
        const char* name = p == Precision::Fp32 ? "fp32" : "bf16";
        memory[name]["full"] = memoryJson(fullFineTuneMemory(f.base, p));
        memory[name]["lora"] = memoryJson(loraMemory(f.base, f.trainable, p));
    }
    memory["mixed"]["full"] = memoryJson(mixedFullFineTuneMemory(f.base));
    memory["mixed"]["lora"] = memoryJson(mixedLoraMemory(f.base, f.trainable));
    memory["qlora"]["lora"] = memoryJson(qlora(f));
    j["memory_bytes"] = memory;
    j["activations_counted"] = false;
    j["adapter_file_bytes"] = f.adapterBytes;
    j["adapter_file_bytes_bf16"] = f.adapterBytesBf16;
    return j;
}

void printModelCounts(const ParamsFigures& f, std::ostream& out) {
    out << "  targeted matrices " << pad(grouped(f.targeted), 16)
        << "  (what full fine-tuning of them trains)\n";
    out << "  LoRA trainable    " << pad(grouped(f.trainable), 16) << "  " << ratioText(f.ratio) << '\n';
    out << "  trainable %       " << pad(fixed("%.4f", f.trainablePercent), 16)
        << "  trainable / (base + trainable), as peft prints it\n";
}

void printAdapterAndMemory(const ParamsFigures& f, std::ostream& out) {
    out << "  adapter file      " << pad(grouped(f.adapterBytes), 16) << "  bytes in fp32 ("
        << bytesText(f.adapterBytes) << "), " << grouped(f.adapterBytesBf16) << " in bf16\n";
    out << "\nMemory to train with Adam (weights + gradients + 2 Adam values per trainable "
           "parameter):\n";
    out << "                    " << pad("full fine-tuning", 18) << pad("LoRA", 14) << '\n';
    auto row = [&](const char* name, const std::string& full, const std::string& lora) {
        out << "  " << pad(name, 18, false) << pad(full, 18) << pad(lora, 14) << '\n';
    };
    for (Precision p : {Precision::Fp32, Precision::Bf16})
        row(p == Precision::Fp32 ? "fp32" : "bf16", bytesText(fullFineTuneMemory(f.base, p).total()),
            bytesText(loraMemory(f.base, f.trainable, p).total()));
    row("mixed fp16/bf16", bytesText(mixedFullFineTuneMemory(f.base).total()),
        bytesText(mixedLoraMemory(f.base, f.trainable).total()));
    row("QLoRA (NF4 base)", "-", bytesText(qlora(f).total()));
    out << "Mixed: half-precision weights, fp32 master copy and Adam moments of what trains.\n"
           "QLoRA: linear weights of the layers in NF4 with double quantization (4.127 bits), the "
           "rest in bf16;\n"
           "bf16 adapters and gradients, fp32 Adam moments. Activations are not counted: they "
           "grow with\n"
           "batch x sequence length and depend on gradient checkpointing.\n";
}

void rethrowForFlag(const std::exception& e) {
    const std::string what = e.what();
    for (const char* field : {"modules:", "rank:"})
        if (what.rfind(field, 0) == 0) throw std::invalid_argument("--" + what);
    throw std::invalid_argument(what);
}

}  // namespace loralab
