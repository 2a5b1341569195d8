#include "io/base_file.h"

#include "io/input_file.h"
#include "io/safetensors.h"
#include "io/target_file.h"
#include "loralab/input_error.h"

#include <stdexcept>

namespace loralab {

Matrix loadBaseFile(const std::string& path, const std::string& tensorName) {
    const bool safetensors = isSafetensorsPath(path);
    if (safetensors && tensorName.empty())
        throw std::invalid_argument("--base-file " + path +
                                    " is a .safetensors file: name the weight with --base-tensor NAME");
    if (!safetensors && !tensorName.empty())
        throw std::invalid_argument("--base-tensor applies to a .safetensors --base-file only (got " +
                                    inputName(path) + ")");
    Matrix W0 = loadTargetFile(path, tensorName, kMaxTargetFileDim);
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
