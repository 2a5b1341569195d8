// --params --config PATH and --params --weights PATH: a real model's counts from its
// config.json (shapes as transformers builds them) or its safetensors headers (any
// architecture, no tensor data read), with --modules matched as peft matches target_modules.
#pragma once

#include "params/params_mode.h"

#include <iosfwd>

namespace loralab {

// Throws InputError (a bad file) or std::invalid_argument naming the flag (--modules, --rank).
int sourceParams(const ParamsOptions& options, std::ostream& out);

}  // namespace loralab
