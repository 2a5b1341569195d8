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

namespace {

// The whole 4 KiB pages inside [p, p + bytes) back to the kernel: read again they are fresh zero
// pages, faulted in on first touch. The allocator may hand out memory it got back from an
// earlier free (glibc raises its mmap threshold as large blocks come and go, and then serves
// them from the heap): those pages were written before and would stay small despite the advice.
// Only for memory whose contents do not matter.
void discardPages(void* p, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_DONTNEED)
    constexpr std::uintptr_t kPage = 4096, kHuge = std::uintptr_t{2} << 20;
    if (p == nullptr || bytes < kHuge) return;
    const auto begin = (reinterpret_cast<std::uintptr_t>(p) + kPage - 1) & ~(kPage - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(kPage - 1);
    if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
#else
    (void)p;
    (void)bytes;
#endif
}

}  // namespace

Matrix hugeMatrix(Index rows, Index cols) {
    Matrix m(rows, cols);
    const std::size_t bytes = sizeof(float) * static_cast<std::size_t>(m.size());
    adviseHugePages(m.data(), bytes);
    discardPages(m.data(), bytes);  // contents are unspecified: make every page a first touch
    return m;
}

Matrix hugeZeros(Index rows, Index cols) {
    Matrix m = hugeMatrix(rows, cols);
    m.setZero();
    return m;
}

}  // namespace loralab
