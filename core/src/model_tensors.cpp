// Models as tensor lists: decoder layouts, peft's module matching, counts (see model_tensors.h).
//
//   elementCount / checkDecoderShapes / decoderTensors / presetTensors   the tensor lists
//   linearModules / selectModules                                      what LoRA can adapt
//   tensorCounts / qloraBase                                           totals
#include "loralab/model_tensors.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>
#include <stdexcept>

namespace loralab {

namespace {

std::string str(std::int64_t v) { return std::to_string(v); }

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    const auto last = s.find_last_not_of(" \t");
    return s.substr(first, last - first + 1);
}

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::string> splitDots(const std::string& name) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = name.find('.', start);
        parts.push_back(name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) return parts;
        start = dot + 1;
    }
}

bool isNumber(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// A numbered block ("layers.7", "h.7", "blocks.7") and no part naming an embedding or the head.
bool insideDecoderLayer(const std::string& moduleName) {
    bool numbered = false;
    for (const std::string& part : splitDots(moduleName)) {
        const std::string p = lower(part);
        if (p.find("embed") != std::string::npos || p == "wte" || p == "wpe" || p == "lm_head")
            return false;
        if (isNumber(part)) numbered = true;
    }
    return numbered;
}

// q → q_proj … down → down_proj; other items as given.
std::string moduleKey(const std::string& item) {
    for (const char* shortName : {"q", "k", "v", "o", "gate", "up", "down"})
        if (item == shortName) return item + "_proj";
    return item;
}

bool matches(const std::string& moduleName, const std::string& key) {
    return moduleName == key || endsWith(moduleName, "." + key);
}

// "q_proj, k_proj, …": the distinct last parts of the decoder layers' linear modules (of all
// linear modules when no layer is numbered).
std::string existingSuffixes(const std::vector<LinearModule>& linear) {
    std::vector<std::string> seen;
    for (bool layersOnly : {true, false}) {
        for (const LinearModule& m : linear) {
            if (layersOnly && !m.inDecoderLayer) continue;
            const std::string last = m.name.substr(m.name.find_last_of('.') + 1);
            if (std::find(seen.begin(), seen.end(), last) == seen.end()) seen.push_back(last);
        }
        if (!seen.empty()) break;
    }
    if (seen.empty()) return "none: no 2-D .weight tensors";
    std::string out;
    for (std::size_t i = 0; i < seen.size() && i < 16; ++i) out += (i ? ", " : "") + seen[i];
    return out + (seen.size() > 16 ? ", …" : "");
}

void add(std::vector<NamedShape>& out, const std::string& name, std::vector<std::int64_t> shape) {
    out.push_back({name, std::move(shape)});
}

// One linear layer: weight (out×in) and, when `bias`, its bias (out).
void linear(std::vector<NamedShape>& out, const std::string& module, std::int64_t outDim,
            std::int64_t inDim, bool bias) {
    add(out, module + ".weight", {outDim, inDim});
    if (bias) add(out, module + ".bias", {outDim});
}

}  // namespace

std::int64_t elementCount(const std::vector<std::int64_t>& shape) {
    std::int64_t n = 1;
    for (std::int64_t s : shape) {
        require(s >= 0, "shape", "dimension " + str(s) + " is negative");
        if (s != 0 && n > std::numeric_limits<std::int64_t>::max() / s)
            throw std::invalid_argument("shape: the element count overflows 64 bits");
        n *= s;
    }
    return n;
}

void checkDecoderShapes(const DecoderShapes& d) {
    auto dim = [](std::int64_t v, const char* field, std::int64_t max) {
        require(v >= 1 && v <= max, field, str(v) + "; allowed 1.." + str(max));
    };
    dim(d.hidden, "hidden", std::int64_t{1} << 20);
    dim(d.intermediate, "intermediate", std::int64_t{1} << 22);
    dim(d.layers, "layers", 1 << 12);
    dim(d.heads, "heads", 1 << 14);
    dim(d.kvHeads, "kvHeads", d.heads);
    dim(d.headDim, "headDim", 1 << 14);
    dim(d.vocab, "vocab", std::int64_t{1} << 24);
    require(d.heads % d.kvHeads == 0, "kvHeads",
            str(d.kvHeads) + " does not divide heads = " + str(d.heads) +
                "; grouped-query attention shares each KV head among heads / kvHeads query heads");
}

std::vector<NamedShape> decoderTensors(const DecoderShapes& d) {
    checkDecoderShapes(d);
    const std::int64_t h = d.hidden, qOut = d.heads * d.headDim, kvOut = d.kvHeads * d.headDim;
    std::vector<NamedShape> t;
    add(t, "model.embed_tokens.weight", {d.vocab, h});
    for (std::int64_t i = 0; i < d.layers; ++i) {
        const std::string layer = "model.layers." + str(i) + ".";
        add(t, layer + "input_layernorm.weight", {h});
        if (d.fusedProjections) {
            linear(t, layer + "self_attn.qkv_proj", qOut + 2 * kvOut, h, d.qkvBias);
        } else {
            linear(t, layer + "self_attn.q_proj", qOut, h, d.qkvBias);
            linear(t, layer + "self_attn.k_proj", kvOut, h, d.qkvBias);
            linear(t, layer + "self_attn.v_proj", kvOut, h, d.qkvBias);
        }
        linear(t, layer + "self_attn.o_proj", h, qOut, d.oBias);
        add(t, layer + "post_attention_layernorm.weight", {h});
        if (d.fusedProjections) {
            linear(t, layer + "mlp.gate_up_proj", 2 * d.intermediate, h, d.mlpBias);
        } else {
            linear(t, layer + "mlp.gate_proj", d.intermediate, h, d.mlpBias);
            linear(t, layer + "mlp.up_proj", d.intermediate, h, d.mlpBias);
        }
        linear(t, layer + "mlp.down_proj", h, d.intermediate, d.mlpBias);
    }
    add(t, "model.norm.weight", {h});
    if (!d.tiedEmbeddings) add(t, "lm_head.weight", {d.vocab, h});
    return t;
}

std::vector<NamedShape> presetTensors(const ModelPreset& m) {
    baseParams(m);  // validates the preset
    const std::int64_t h = m.hidden;
    auto norm = [&](std::vector<NamedShape>& t, const std::string& name) {
        add(t, name + ".weight", {h});
        if (m.layerNormBias) add(t, name + ".bias", {h});
    };
    std::vector<NamedShape> t;
    add(t, "model.embed_tokens.weight", {m.vocab, h});
    if (m.maxPositions > 0) add(t, "model.embed_positions.weight", {m.maxPositions, h});
    const char* modules[] = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                             "self_attn.o_proj", "mlp.gate_proj",    "mlp.up_proj",
                             "mlp.down_proj"};
    for (std::int64_t i = 0; i < m.layers; ++i) {
        const std::string layer = "model.layers." + str(i) + ".";
        norm(t, layer + "input_layernorm");
        for (int j = 0; j < 7; ++j) {
            const auto which = static_cast<Module>(j);
            if (which == Module::Gate && !m.gatedMlp) continue;
            const ModuleShape s = moduleShape(m, which);
            const bool qkv = which == Module::Q || which == Module::K || which == Module::V;
            linear(t, layer + modules[j], s.out, s.in, m.allBiases || (m.qkvBias && qkv));
        }
        norm(t, layer + "post_attention_layernorm");
    }
    norm(t, "model.norm");
    if (!m.tiedEmbeddings) add(t, "lm_head.weight", {m.vocab, h});
    return t;
}

std::vector<LinearModule> linearModules(const std::vector<NamedShape>& tensors) {
    std::vector<LinearModule> out;
    for (const NamedShape& t : tensors) {
        if (t.shape.size() != 2 || !endsWith(t.name, ".weight") || t.name.size() <= 7) continue;
        LinearModule m;
        m.name = t.name.substr(0, t.name.size() - 7);
        m.out = t.shape[0];
        m.in = t.shape[1];
        m.inDecoderLayer = insideDecoderLayer(m.name);
        out.push_back(std::move(m));
    }
    return out;
}

ModuleSelection selectModules(const std::vector<LinearModule>& linear, const std::string& list) {
    const std::string allowed =
        "; allowed: comma-separated q,k,v,o,gate,up,down, module names or suffixes (here: " +
        existingSuffixes(linear) + "), or all-linear";
    const std::string whole = trim(list);
    require(!whole.empty(), "modules", "the list is empty" + allowed);
    ModuleSelection sel;
    if (whole == "all-linear") {
        sel.keys.push_back(whole);
        for (const LinearModule& m : linear)
            if (m.inDecoderLayer) sel.modules.push_back(m);
        require(!sel.modules.empty(), "modules",
                "all-linear found no 2-D weight inside numbered layers" + allowed);
        return sel;
    }
    std::vector<bool> chosen(linear.size(), false);
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = whole.find(',', start);
        const std::string item =
            trim(whole.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        require(!item.empty(), "modules", "empty entry in '" + list + "'" + allowed);
        require(item != "all-linear", "modules",
                "all-linear cannot be combined with other modules in '" + list + "'" + allowed);
        const std::string key = moduleKey(item);
        require(std::find(sel.keys.begin(), sel.keys.end(), key) == sel.keys.end(), "modules",
                "'" + item + "' is listed twice" + allowed);
        bool any = false;
        for (std::size_t i = 0; i < linear.size(); ++i)
            if (matches(linear[i].name, key)) chosen[i] = any = true;
        require(any, "modules",
                "'" + item + "'" + (key != item ? " (" + key + ")" : "") +
                    " matches no linear module" + allowed);
        sel.keys.push_back(key);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    for (std::size_t i = 0; i < linear.size(); ++i)
        if (chosen[i]) sel.modules.push_back(linear[i]);
    return sel;
}

ModelCounts tensorCounts(const std::vector<NamedShape>& tensors,
                         const std::vector<LinearModule>& selected, std::int64_t rank) {
    require(!selected.empty(), "modules", "no module selected");
    ModelCounts c;
    for (const NamedShape& t : tensors) {
        const std::int64_t n = elementCount(t.shape);
        require(c.base <= std::numeric_limits<std::int64_t>::max() / 2 - n, "tensors",
                "the parameter total overflows");
        c.base += n;
    }
    require(c.base >= 1, "tensors", "the model has no parameters");
    for (const LinearModule& m : selected) {
        const std::int64_t maxRank = std::min(m.out, m.in);
        require(rank >= 1 && rank <= maxRank, "rank",
                str(rank) + " is larger than " + m.name + " (" + str(m.out) + "x" + str(m.in) +
                    ") allows; allowed: an integer from 1 to " + str(maxRank));
        c.trainable += rank * (m.out + m.in);
        c.fullTargeted += m.out * m.in;
    }
    c.ratio = static_cast<double>(c.fullTargeted) / static_cast<double>(c.trainable);
    c.trainablePercent =
        100.0 * static_cast<double>(c.trainable) / static_cast<double>(c.base + c.trainable);
    return c;
}

QloraBase qloraBase(const std::vector<NamedShape>& tensors) {
    QloraBase q;
    std::set<std::string> quantized;
    for (const LinearModule& m : linearModules(tensors))
        if (m.inDecoderLayer) quantized.insert(m.name + ".weight");
    for (const NamedShape& t : tensors) {
        const std::int64_t n = elementCount(t.shape);
        if (quantized.count(t.name)) q.nf4Bytes += nf4Bytes(n);
        else q.bf16Params += n;
    }
    return q;
}

}  // namespace loralab
