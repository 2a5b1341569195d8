#include "io/base_file.h"

#include "io/input_file.h"
#include "io/safetensors.h"
#include "io/target_file.h"
#include "loralab/input_error.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace loralab {

bool isSafetensorsPath(const std::string& path) {
    const std::string ext = ".safetensors";
    if (path.size() < ext.size()) return false;
    std::string tail = path.substr(path.size() - ext.size());
    std::transform(tail.begin(), tail.end(), tail.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return tail == ext;
}

namespace {

std::string tensorNames(const SafetensorsFile& file) {
    std::string names;
    int shown = 0;
    for (const auto& [name, tensor] : file.tensors) {
        if (shown++ == 8) return names + ", ...";
        names += (names.empty() ? "" : ", ") + name;
    }
    return names.empty() ? "no tensors" : names;
}

Matrix loadTensor(const std::string& path, const std::string& name) {
    const SafetensorsFile file = readSafetensors(path);
    const auto it = file.tensors.find(name);
    if (it == file.tensors.end())
        throw InputError(path + ": no tensor '" + name + "' (--base-tensor); the file holds " +
                         tensorNames(file));
    const Tensor& t = it->second;
    if (t.shape.size() != 2)
        throw InputError(path + ": tensor '" + name + "' has " + std::to_string(t.shape.size()) +
                         " dimensions; a base weight needs 2 (d x k)");
    if (t.shape[0] < 1 || t.shape[1] < 1 || t.shape[0] > kMaxTargetFileDim || t.shape[1] > kMaxTargetFileDim)
        throw InputError(path + ": tensor '" + name + "' is " + std::to_string(t.shape[0]) + "x" +
                         std::to_string(t.shape[1]) + "; allowed: 1 to " +
                         std::to_string(kMaxTargetFileDim) + " in each dimension");
    return toMatrix(t);
}

}  // namespace

Matrix loadBaseFile(const std::string& path, const std::string& tensorName) {
    const bool safetensors = isSafetensorsPath(path);
    if (safetensors && tensorName.empty())
        throw std::invalid_argument("--base-file " + path +
                                    " is a .safetensors file: name the weight with --base-tensor NAME");
    if (!safetensors && !tensorName.empty())
        throw std::invalid_argument("--base-tensor applies to a .safetensors --base-file only (got " +
                                    inputName(path) + ")");
    Matrix W0 = safetensors ? loadTensor(path, tensorName)
                            : loadTargetFile(path, kMaxTargetFileDim, "--base-file");
    if (!W0.allFinite())
        throw InputError(inputName(path) + (safetensors ? ": tensor '" + tensorName + "'" : std::string()) +
                         ": the base weight has non-finite entries (NaN or inf)");
    return W0;
}

void writeMergedWeight(const std::string& path, const std::string& moduleName, const Matrix& merged) {
    SafetensorsFile file;
    file.tensors[moduleName + ".weight"] = toTensor(merged);
    file.metadata["format"] = "pt";
    writeSafetensors(path, file);
}

}  // namespace loralab
