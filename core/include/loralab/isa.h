// Which SIMD kernels the core runs: chosen at run time from what the CPU (and the OS) support.
//
//   generic  portable code (no intrinsics): any x86-64, arm64, ...
//   avx2     x86-64-v3: AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE, with the OS saving YMM state
//   avx512   x86-64-v4: the above plus AVX-512 F, BW, CD, DQ, VL, with the OS saving ZMM and
//            opmask state
//
// The environment variable LORALAB_KERNEL=generic|avx2|avx512 forces one; the choice is made
// once per process, on first use.
#pragma once

namespace loralab {

enum class Isa { Generic, Avx2, Avx512 };

const char* isaName(Isa isa);             // "generic", "avx2", "avx512"
Isa parseIsa(const char* name);  // throws std::invalid_argument listing the names

// Whether this CPU and OS can run `isa`'s kernels (cpuid and xgetbv, checked once).
bool cpuSupports(Isa isa);
Isa bestIsa();  // the widest this machine supports

// The kernels in use: LORALAB_KERNEL when set, else bestIsa(). Throws std::invalid_argument
// (one line, naming the variable) when LORALAB_KERNEL names an unknown kernel or one this
// machine cannot run. Programs call it once at start-up to report that as a usage error.
Isa activeIsa();

}  // namespace loralab
