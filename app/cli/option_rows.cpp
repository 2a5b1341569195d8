// The option table's building blocks (see option_rows.h).
#include "cli/option_rows.h"

#include "scenario/presets.h"
#include "loralab/factors.h"
#include "loralab/optimizer.h"
#include "loralab/params.h"
#include "loralab/target.h"

namespace loralab::cli {

std::string join(const std::vector<std::string>& items, const char* sep) {
    std::string out;
    for (const std::string& s : items) out += (out.empty() ? "" : sep) + s;
    return out;
}

OptionRow flagRow(const char* flag, unsigned modes, const char* group, const char* help,
                  Apply apply) {
    OptionRow r{flag, modes, ValueKind::Flag, "", group, help};
    r.apply = apply;
    return r;
}

OptionRow intRow(const char* flag, unsigned modes, const char* valueName, const char* group,
                 const char* help, long long lo, long long hi, Apply apply, Show show) {
    OptionRow r{flag, modes, ValueKind::Integer, valueName, group, help};
    r.minInt = lo;
    r.maxInt = hi;
    r.apply = apply;
    r.show = show;
    return r;
}

OptionRow listRow(const char* flag, unsigned modes, const char* valueName, const char* group,
                  const char* help, long long lo, long long hi, Apply apply, Show show) {
    OptionRow r = intRow(flag, modes, valueName, group, help, lo, hi, apply, show);
    r.kind = ValueKind::IntegerList;
    return r;
}

OptionRow realRow(const char* flag, unsigned modes, const char* valueName, const char* group,
                  const char* help, double lo, bool loOpen, double hi, Apply apply, Show show) {
    OptionRow r{flag, modes, ValueKind::Real, valueName, group, help};
    r.minReal = lo;
    r.minOpen = loOpen;
    r.maxReal = hi;
    r.apply = apply;
    r.show = show;
    return r;
}

OptionRow choiceRow(const char* flag, unsigned modes, const char* valueName, const char* group,
                    const char* help, std::vector<std::string> (*choices)(), Apply apply,
                    Show show) {
    OptionRow r{flag, modes, ValueKind::Choice, valueName, group, help};
    r.choices = choices;
    r.apply = apply;
    r.show = show;
    return r;
}

OptionRow textRow(const char* flag, unsigned modes, const char* valueName, const char* group,
                  const char* help, Apply apply, Show show) {
    OptionRow r{flag, modes, ValueKind::Text, valueName, group, help};
    r.apply = apply;
    r.show = show;
    return r;
}

std::string listText(const std::vector<Index>& v) {
    std::string out;
    for (Index x : v) out += (out.empty() ? "" : ",") + std::to_string(x);
    return out;
}

std::vector<std::string> initChoices() {
    return {initName(Init::Peft), initName(Init::Gaussian), initName(Init::Svd)};
}
std::vector<std::string> targetChoices() {
    return {targetKindName(TargetKind::Full), targetKindName(TargetKind::LowRank),
            targetKindName(TargetKind::Identity), targetKindName(TargetKind::Decay),
            targetKindName(TargetKind::File)};
}
std::vector<std::string> baseChoices() { return {"none", "gaussian", "file"}; }  // BaseKind's names
std::vector<std::string> baseDtypeChoices() { return {"fp32", "bf16", "fp16", "nf4"}; }  // BaseDtype's
std::vector<std::string> optimizerChoices() {
    return {optimizerName(OptimizerKind::Sgd), optimizerName(OptimizerKind::Momentum),
            optimizerName(OptimizerKind::Adam)};
}
std::vector<std::string> presetChoices() {
    std::vector<std::string> names;
    for (const Preset& p : builtinPresets()) names.push_back(p.name);
    return names;
}
std::vector<std::string> workloadChoices() { return {"fit", "layer", "full", "all"}; }
std::vector<std::string> modelChoices() {
    std::vector<std::string> names;
    for (const ModelPreset& m : modelPresets()) names.push_back(m.name);
    names.push_back("list");
    return names;
}

}  // namespace loralab::cli
