// libFuzzer target: the safetensors reader (app/io/safetensors_header.h, app/io/safetensors.h).
//
// Any input must either decode into tensors whose data matches their shapes, or throw
// InputError with a one-line message; anything else (another exception, a crash, a sanitizer
// report, an allocation beyond the input's size) is a bug.
#include "io/safetensors.h"
#include "loralab/csv.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    try {
        const loralab::SafetensorsFile f = loralab::decodeSafetensors(bytes, "<fuzz>");
        std::size_t values = 0;
        for (const auto& [name, t] : f.tensors) {
            std::size_t n = 1;
            for (std::int64_t s : t.shape) n *= static_cast<std::size_t>(s);
            if (n != t.data.size()) std::abort();  // data that does not match the shape
            values += n;
        }
        if (2 * values > size) std::abort();  // every value is at least 2 bytes of the input
        // The header alone, as --params --weights reads it, must agree with the full read.
        const loralab::SafetensorsHeader h = loralab::parseSafetensorsHeader(bytes, size, "<fuzz>");
        if (h.tensors.size() != f.tensors.size()) std::abort();
    } catch (const loralab::InputError& e) {
        const std::string message = e.what();
        if (message.empty() || message.find('\n') != std::string::npos) std::abort();
    }
    return 0;
}
