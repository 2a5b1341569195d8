// The dispatcher: what the CPU and the OS support (cpuid, xgetbv), LORALAB_KERNEL, and the
// kernel table in use (loralab/isa.h, kernels.h).
#include "loralab/isa.h"

#include "kernels.h"
#include "loralab/names.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace loralab {

namespace {

#if defined(__x86_64__) || defined(__i386__)
struct X86Features {
    bool v3 = false, v4 = false;
};

// XCR0, the register state the OS saves on a context switch (valid only when OSXSAVE is set).
unsigned long long xcr0() {
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (static_cast<unsigned long long>(hi) << 32) | lo;
}

X86Features detect() {
    X86Features f;
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    const bool fma = c & (1u << 12), movbe = c & (1u << 22), osxsave = c & (1u << 27),
               avx = c & (1u << 28), f16c = c & (1u << 29);
    if (!osxsave || !avx) return f;
    const unsigned long long xcr = xcr0();
    const bool ymmState = (xcr & 0x6) == 0x6;     // SSE and AVX state
    const bool zmmState = (xcr & 0xE6) == 0xE6;   // + opmask, ZMM0-15 upper halves, ZMM16-31
    unsigned maxLeaf = __get_cpuid_max(0, nullptr);
    if (maxLeaf < 7) return f;
    __cpuid_count(7, 0, a, b, c, d);
    const bool bmi1 = b & (1u << 3), avx2 = b & (1u << 5), bmi2 = b & (1u << 8);
    const bool avx512f = b & (1u << 16), avx512dq = b & (1u << 17), avx512cd = b & (1u << 28),
               avx512bw = b & (1u << 30), avx512vl = b & (1u << 31);
    bool lzcnt = false;
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) lzcnt = c & (1u << 5);
    f.v3 = ymmState && fma && movbe && f16c && bmi1 && avx2 && bmi2 && lzcnt;
    f.v4 = f.v3 && zmmState && avx512f && avx512dq && avx512cd && avx512bw && avx512vl;
    return f;
}

const X86Features& features() {
    static const X86Features f = detect();
    return f;
}
#endif

constexpr Named<Isa> kIsas[] = {
    {Isa::Generic, "generic"}, {Isa::Avx2, "avx2"}, {Isa::Avx512, "avx512"}};

struct Choice {
    Isa isa = Isa::Generic;
    std::string error;  // non-empty: LORALAB_KERNEL cannot be honoured
};

Choice choose() {
    Choice c;
    const char* forced = std::getenv("LORALAB_KERNEL");
    if (forced == nullptr || *forced == '\0') {
        c.isa = bestIsa();
        return c;
    }
    try {
        c.isa = parseIsa(forced);
    } catch (const std::invalid_argument&) {
        c.error = std::string("LORALAB_KERNEL=") + forced + " is unknown; choose " +
                  choiceList(kIsas);
        return c;
    }
    if (!cpuSupports(c.isa))
        c.error = std::string("LORALAB_KERNEL=") + forced + ": this CPU cannot run it; it can run " +
                  (bestIsa() == Isa::Avx2 ? "generic or avx2" : "generic");
    return c;
}

}  // namespace

const char* isaName(Isa isa) { return nameIn(kIsas, isa); }

Isa parseIsa(const char* name) { return parseIn(kIsas, name, "kernel"); }

bool cpuSupports(Isa isa) {
#if defined(LORALAB_X86_KERNELS)
    if (isa == Isa::Avx2) return features().v3;
    if (isa == Isa::Avx512) return features().v4;
#endif
    return isa == Isa::Generic;
}

Isa bestIsa() {
    if (cpuSupports(Isa::Avx512)) return Isa::Avx512;
    if (cpuSupports(Isa::Avx2)) return Isa::Avx2;
    return Isa::Generic;
}

Isa activeIsa() {
    static const Choice choice = choose();
    if (!choice.error.empty()) throw std::invalid_argument(choice.error);
    return choice.isa;
}

namespace detail {

const KernelTable& kernelTable(Isa isa) {
    if (!cpuSupports(isa))
        throw std::invalid_argument(std::string("kernel: this CPU cannot run ") + isaName(isa));
#if defined(LORALAB_X86_KERNELS)
    if (isa == Isa::Avx512) return avx512::table();
    if (isa == Isa::Avx2) return avx2::table();
#endif
    return generic::table();
}

const KernelTable& kernels() {
    static const KernelTable& table = kernelTable(activeIsa());
    return table;
}

}  // namespace detail

}  // namespace loralab
