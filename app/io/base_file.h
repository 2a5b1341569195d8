// Loading the frozen base W0 from a file: a CSV matrix or a PNG/JPEG picture (as a target file
// is read, io/target_file.h), or one 2-D F32, F16 or BF16 tensor of a .safetensors file, by name
// (PyTorch's nn.Linear keeps its weight as out×in, so the tensor's rows are d, its columns k).
#pragma once

#include "io/target_file.h"  // isSafetensorsPath
#include "loralab/types.h"

#include <string>

namespace loralab {

// Throws InputError naming the path (and the tensor): unreadable file, bad contents, a missing
// tensor (the message lists the names the file holds), a tensor that is not 2-D, too large
// (past kMaxTargetFileDim), or with non-finite entries; std::invalid_argument when a
// .safetensors file comes without a tensor name or another file with one.
Matrix loadBaseFile(const std::string& path, const std::string& tensorName);

// Writes a merged weight W' (d×k) as one F32 tensor '<moduleName>.weight' (PyTorch's out×in),
// atomically through the project's output path. Throws like writeSafetensors.
void writeMergedWeight(const std::string& path, const std::string& moduleName, const Matrix& merged);

}  // namespace loralab
