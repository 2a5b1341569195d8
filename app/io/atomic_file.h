// Whole-file writes and output folders. Both go through the one output path (output_file.h):
// "atomic" holds for regular files and missing paths; a FIFO or device is written in place.
#pragma once

#include "io/output_file.h"

#include <string>

namespace loralab {

// Writes `bytes` to `path` (binary) by output_file.h's rules; kept for existing callers.
void writeFileAtomic(const std::string& path, const std::string& bytes);

// Makes `dir` exist as a folder (creating parents). A symlink to a folder is used as it is; a
// dangling one gets its target created. Throws IoError if it cannot, or if a non-folder is in
// the way.
void ensureDirectory(const std::string& dir);

}  // namespace loralab
