// libFuzzer target: the picture loader (app/io/target_file.h, decodePicture).
//
// stb_image has a long list of CVEs on malformed files; the loader must not add to them. Any
// input must either decode into a matrix within the size limit with every value in [0, 1], or
// throw InputError; anything else (another exception, a crash, a sanitizer report) is a bug.
// stb_image's decoders are compiled into this target (stb_image_instrumented.c) so that the
// fuzzer sees their branches and the sanitizers check them, not only our wrapper.
#include "io/target_file.h"
#include "loralab/csv.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    constexpr loralab::Index kMaxDim = 64;  // small, so the size check is hit often and runs stay fast
    try {
        const loralab::Matrix T = loralab::decodePicture(bytes, "<fuzz>", kMaxDim);
        if (T.rows() < 1 || T.cols() < 1 || T.rows() > kMaxDim || T.cols() > kMaxDim ||
            !T.allFinite() || T.minCoeff() < 0.0f || T.maxCoeff() > 1.0f)
            std::abort();  // accepted something the contract forbids
    } catch (const loralab::InputError&) {
    }
    return 0;
}
