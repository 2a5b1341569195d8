// madvise(MADV_HUGEPAGE) on large, freshly allocated matrices (see huge_pages.h).
#include "loralab/huge_pages.h"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace loralab {

void adviseHugePages(void* p, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    constexpr std::uintptr_t kPage = 4096, kHuge = std::uintptr_t{2} << 20;
    if (p == nullptr || bytes < kHuge) return;
    const auto begin = (reinterpret_cast<std::uintptr_t>(p) + kPage - 1) & ~(kPage - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(kPage - 1);
    if (end > begin)  // advice only: a kernel without THP answers EINVAL, and that is fine
        (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

Matrix hugeMatrix(Index rows, Index cols) {
    Matrix m(rows, cols);
    adviseHugePages(m.data(), sizeof(float) * static_cast<std::size_t>(m.size()));
    return m;
}

Matrix hugeZeros(Index rows, Index cols) {
    Matrix m = hugeMatrix(rows, cols);
    m.setZero();
    return m;
}

}  // namespace loralab
