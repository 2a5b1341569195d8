#include "io/adapter_reader.h"

#include "io/peft_adapter.h"
#include "loralab/csv.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace loralab {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr const char* kModelPrefix = "base_model.model.";

std::string readText(const std::string& path, std::uintmax_t maxBytes) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw InputError(path + ": missing (an adapter folder holds " +
                                                kAdapterConfigFile + " and " + kAdapterWeightsFile + ")");
    if (fs::file_size(path, ec) > maxBytes) throw InputError(path + ": too large for an adapter config");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

AdapterConfig parseConfig(const std::string& path) {
    AdapterConfig c;
    try {
        c.raw = Json::parse(readText(path, std::uintmax_t{16} << 20));
    } catch (const Json::exception& e) {
        throw InputError(path + ": not valid JSON: " + e.what());
    }
    const Json& j = c.raw;
    if (!j.is_object()) throw InputError(path + ": not a JSON object");
    auto bad = [&](const std::string& what) { return InputError(path + ": " + what); };
    if (j.contains("peft_type")) {
        if (!j["peft_type"].is_string()) throw bad("'peft_type' is not a string");
        c.peftType = j["peft_type"].get<std::string>();
        if (c.peftType != "LORA")
            throw bad("peft_type '" + c.peftType.substr(0, 40) + "' is not a LoRA adapter (LORA)");
    }
    if (j.contains("r")) {
        if (!j["r"].is_number_integer() || j["r"].get<std::int64_t>() < 1) throw bad("'r' must be a positive integer");
        c.r = j["r"].get<std::int64_t>();
    }
    if (j.contains("lora_alpha")) {
        if (!j["lora_alpha"].is_number() || !std::isfinite(j["lora_alpha"].get<double>()))
            throw bad("'lora_alpha' must be a number");
        c.alpha = j["lora_alpha"].get<double>();
    }
    for (const auto& [key, flag] : {std::pair<const char*, bool*>{"use_rslora", &c.rslora}, {"use_dora", &c.dora}}) {
        if (!j.contains(key) || j[key].is_null()) continue;
        if (!j[key].is_boolean()) throw bad(std::string("'") + key + "' must be true or false");
        *flag = j[key].get<bool>();
    }
    for (const char* key : {"rank_pattern", "alpha_pattern"}) {
        if (!j.contains(key) || j[key].is_null()) continue;
        if (!j[key].is_object()) throw bad(std::string("'") + key + "' must be an object");
        for (const auto& [pattern, value] : j[key].items()) {
            const bool rank = key[0] == 'r';
            if (rank ? !value.is_number_integer() || value.get<std::int64_t>() < 1
                     : !value.is_number() || !std::isfinite(value.get<double>()))
                throw bad(std::string(key) + "['" + pattern + "'] must be a " +
                          (rank ? "positive integer" : "number"));
            if (rank) c.rankPattern.emplace_back(pattern, value.get<std::int64_t>());
            else c.alphaPattern.emplace_back(pattern, value.get<double>());
        }
    }
    return c;
}

// "x.lora_A.weight" or "x.lora_A.<adapter>.weight" → module "x", part 'A'; else false.
bool factorKey(const std::string& name, std::string& module, char& part) {
    for (const char p : {'A', 'B'}) {
        const std::string tag = std::string(".lora_") + p + ".";
        const auto at = name.rfind(tag);
        if (at == std::string::npos || at == 0) continue;
        const std::string rest = name.substr(at + tag.size());
        const auto dot = rest.find('.');
        const bool named = dot != std::string::npos && dot > 0 && rest.substr(dot) == ".weight";
        if (rest != "weight" && !named) continue;
        module = name.substr(0, at);
        part = p;
        return true;
    }
    return false;
}

template <typename T>
std::vector<std::string> keysOf(const std::vector<std::pair<std::string, T>>& pattern) {
    std::vector<std::string> keys;
    for (const auto& kv : pattern) keys.push_back(kv.first);
    return keys;
}

}  // namespace

bool naturalLess(const std::string& a, const std::string& b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
            std::size_t ei = i, ej = j;
            while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei]))) ++ei;
            while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej]))) ++ej;
            std::string x = a.substr(i, ei - i), y = b.substr(j, ej - j);
            x.erase(0, std::min(x.find_first_not_of('0'), x.size()));
            y.erase(0, std::min(y.find_first_not_of('0'), y.size()));
            if (x.size() != y.size()) return x.size() < y.size();
            if (x != y) return x < y;
            i = ei;
            j = ej;
        } else {
            if (a[i] != b[j]) return a[i] < b[j];
            ++i;
            ++j;
        }
    }
    return a.size() - i < b.size() - j || (a.size() - i == b.size() - j && a < b);
}

int matchPattern(const std::vector<std::string>& keys, const std::string& moduleName,
                 const std::string& source) {
    // std::regex compiles and matches by recursion: a key or a name far longer than any real
    // module path could exhaust the stack, so both are refused first.
    constexpr std::size_t kMaxKey = 2048, kMaxName = 1024;
    if (moduleName.size() > kMaxName)
        throw InputError(source + ": module name '" + moduleName.substr(0, 60) + "...' is longer than " +
                         std::to_string(kMaxName) + " characters");
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const std::string shown = keys[i].size() > 60 ? keys[i].substr(0, 57) + "..." : keys[i];
        if (keys[i].size() > kMaxKey)
            throw InputError(source + ": pattern key '" + shown + "' is longer than " +
                             std::to_string(kMaxKey) + " characters");
        try {
            if (std::regex_match(moduleName, std::regex("(.*\\.)?(" + keys[i] + ")")))
                return static_cast<int>(i);
        } catch (const std::regex_error&) {
            throw InputError(source + ": pattern key '" + shown + "' is not a valid regular expression");
        }
    }
    return -1;
}

bool isAdapterFolder(const std::string& dir) {
    std::error_code ec;
    return fs::is_directory(dir, ec) && fs::exists(fs::path(dir) / kAdapterConfigFile, ec);
}

AdapterFolder::AdapterFolder(const std::string& dir) : m_dir(dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw InputError(dir + ": not a folder; an adapter folder holds " + std::string(kAdapterConfigFile) +
                         " and " + kAdapterWeightsFile);
    const std::string configPath = (fs::path(dir) / kAdapterConfigFile).string();
    m_config = parseConfig(configPath);
    const std::string weights = (fs::path(dir) / kAdapterWeightsFile).string();
    if (!fs::exists(weights, ec))
        throw InputError(weights + ": missing (an adapter folder holds " + std::string(kAdapterConfigFile) +
                         " and " + kAdapterWeightsFile + ")");
    m_reader = std::make_unique<SafetensorsReader>(weights);

    std::map<std::string, AdapterModule> byName;
    for (const TensorInfo& t : m_reader->header().tensors) {
        std::string module;
        char part = 0;
        if (!factorKey(t.name, module, part)) {
            m_other.push_back(t.name);
            continue;
        }
        AdapterModule& m = byName[module];
        m.name = module;
        std::string& key = part == 'A' ? m.keyA : m.keyB;
        if (!key.empty())
            throw InputError(weights + ": module '" + module + "' has two lora_" + part + " tensors");
        key = t.name;
        if (t.shape.size() != 2)
            throw InputError(weights + ": tensor '" + t.name + "' has " + std::to_string(t.shape.size()) +
                             " dimensions; LoRA factors of a linear module have 2");
        if (part == 'A') {
            m.r = t.shape[0];
            m.k = t.shape[1];
            m.dtype = t.dtype;
        }
    }
    const std::vector<std::string> rankKeys = keysOf(m_config.rankPattern);
    const std::vector<std::string> alphaKeys = keysOf(m_config.alphaPattern);
    for (auto& [name, m] : byName) {
        if (m.keyA.empty() || m.keyB.empty())
            throw InputError(weights + ": module '" + name + "' has lora_" + (m.keyA.empty() ? "B" : "A") +
                             " but no lora_" + (m.keyA.empty() ? "A" : "B"));
        const TensorInfo& b = *m_reader->header().find(m.keyB);
        m.d = b.shape[0];
        if (b.shape[1] != m.r || m.r < 1 || m.d < 1 || m.k < 1)
            throw InputError(weights + ": module '" + name + "': lora_B is " + std::to_string(b.shape[0]) + "x" +
                             std::to_string(b.shape[1]) + " and lora_A " + std::to_string(m.r) + "x" +
                             std::to_string(m.k) + "; need B d x r and A r x k with d, r, k >= 1");
        const std::string inModel = name.rfind(kModelPrefix, 0) == 0 ? name.substr(std::string(kModelPrefix).size()) : name;
        const int rk = matchPattern(rankKeys, inModel, configPath);
        const std::int64_t r = rk >= 0 ? m_config.rankPattern[static_cast<std::size_t>(rk)].second : m_config.r;
        if (r != m.r)
            throw InputError(weights + ": module '" + name + "' has rank " + std::to_string(m.r) +
                             " but " + kAdapterConfigFile + " gives r = " + std::to_string(r) +
                             (rk >= 0 ? " (rank_pattern)" : ""));
        const int ak = matchPattern(alphaKeys, inModel, configPath);
        m.alpha = ak >= 0 ? m_config.alphaPattern[static_cast<std::size_t>(ak)].second : m_config.alpha;
        m.scale = m.alpha / (m_config.rslora ? std::sqrt(static_cast<double>(m.r)) : static_cast<double>(m.r));
        m_modules.push_back(m);
    }
    std::sort(m_modules.begin(), m_modules.end(),
              [](const AdapterModule& a, const AdapterModule& b) { return naturalLess(a.name, b.name); });
    if (m_modules.empty())
        throw InputError(weights + ": no LoRA factors (<module>.lora_A.weight and .lora_B.weight)");
}

void AdapterFolder::load(std::size_t i, Matrix& B, Matrix& A) {
    const AdapterModule& m = m_modules.at(i);
    B = m_reader->readMatrix(m.keyB);
    A = m_reader->readMatrix(m.keyA);
    for (const auto& [matrix, key] : {std::pair<const Matrix*, const std::string*>{&B, &m.keyB}, {&A, &m.keyA}})
        if (!allFinite(*matrix))
            throw InputError(m_reader->path() + ": tensor '" + *key + "' has non-finite values (inf or NaN)");
}

}  // namespace loralab
