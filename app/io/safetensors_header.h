// safetensors headers: what a file holds, read and checked without touching its tensor data.
//
// Layout: an 8-byte little-endian u64 N, N bytes of JSON, then the data. The JSON maps each
// tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (byte offsets relative to
// the start of the data) and may hold "__metadata__" (string → string). Writers pad the JSON
// with spaces to a multiple of 8 so the data stays aligned.
//
// Every check a reader needs before it allocates or seeks (each failure throws InputError
// naming the file, and the tensor when there is one): N fits the file and 100 MiB; the JSON is
// an object; dtype is a known one; shape is a list of non-negative integers whose product,
// times the dtype's size, fits in 64 bits and equals end − begin; the tensors cover the data
// exactly once (no overlap, no gap, nothing past the end of the file).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace loralab {

struct TensorInfo {
    std::string name;
    std::string dtype;                // "F32", "BF16", "I64", …
    int dtypeBytes = 0;               // bytes per value
    std::vector<std::int64_t> shape;  // row-major (C order), as PyTorch stores it
    std::int64_t elements = 0;        // product of shape
    std::uint64_t begin = 0, end = 0; // byte range within the data
};

struct SafetensorsHeader {
    std::vector<TensorInfo> tensors;             // sorted by name
    std::map<std::string, std::string> metadata;
    std::uint64_t dataOffset = 0;                // 8 + N: where the data starts in the file
    std::uint64_t dataBytes = 0;

    const TensorInfo* find(const std::string& name) const;  // nullptr when absent
};

// Bytes per value of a safetensors dtype, 0 for one this reader does not know.
int dtypeBytes(const std::string& dtype);

// `prefix` holds at least the file's first 8 + N bytes (the whole file does); `fileBytes` is
// the file's size. `source` names it in messages. Throws InputError.
SafetensorsHeader parseSafetensorsHeader(const std::string& prefix, std::uint64_t fileBytes,
                                         const std::string& source);

// Reads only the 8 + N header bytes of `path`. Throws InputError (also for an unreadable file).
SafetensorsHeader readSafetensorsHeader(const std::string& path);

// What a writer needs to lay out a file: each tensor's name, dtype and shape.
struct TensorEntry {
    std::string name;
    std::string dtype;
    std::vector<std::int64_t> shape;
};

// The first 8 + N bytes of a file holding `tensors` (data in name order, no gaps) and
// `metadata`, exactly as writeSafetensors writes them. Throws std::invalid_argument for an
// empty or reserved name, a name given twice, an unknown dtype or a negative dimension.
std::string encodeSafetensorsHeader(const std::vector<TensorEntry>& tensors,
                                    const std::map<std::string, std::string>& metadata);

// The size of that whole file in bytes: the header above plus every tensor's data.
std::int64_t safetensorsFileBytes(const std::vector<TensorEntry>& tensors,
                                  const std::map<std::string, std::string>& metadata);

}  // namespace loralab
