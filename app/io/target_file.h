// Loading a fit target from a file: a CSV matrix, or a PNG/JPEG picture.
//
//   CSV:      comma-separated numbers, one row per line (core's parseCsvMatrix): d = rows,
//             k = columns; errors name "path:line:column".
//   Picture:  PNG or JPEG (stb_image), converted to grayscale and scaled to [0, 1]
//             (0 = black, 1 = white): d = height, k = width, T(y, x) = pixel (row 0 = top).
//
//   Weight:   one 2-D F32, F16 or BF16 tensor of a .safetensors file, named by `tensor`:
//             d×k = its shape (W is out×in); only the header and that tensor are read.
//
// The kind comes from the file's first bytes (PNG and JPEG signatures), so a picture with a
// wrong extension still loads; a file named .png/.jpg/.jpeg that is not a readable picture is
// an error rather than being parsed as CSV; a file named .safetensors is read as one.
#pragma once

#include "loralab/types.h"

#include <string>

namespace loralab {

// Largest d or k a target file may have (the fit needs a full SVD of T).
constexpr Index kMaxTargetFileDim = 4096;

// Throws InputError (bad contents, naming the path, and line:column for CSV; a missing or
// unreadable file names the path too; for .safetensors a missing --tensor, an absent tensor,
// one that is not 2-D, larger than maxDim or not finite). "-" reads standard input (see
// io/input_file.h) as CSV or a picture.
Matrix loadTargetFile(const std::string& path, const std::string& tensor = {},
                      Index maxDim = kMaxTargetFileDim);

// True when `path` names a .safetensors file (by its extension).
bool isSafetensorsPath(const std::string& path);

// Picture decoding alone (bytes already in memory); `source` names it in messages.
Matrix decodePicture(const std::string& bytes, const std::string& source,
                     Index maxDim = kMaxTargetFileDim);

}  // namespace loralab
