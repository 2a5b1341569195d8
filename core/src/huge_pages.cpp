// madvise(MADV_HUGEPAGE) on large, freshly allocated matrices (see huge_pages.h).
#include "huge_pages.h"

#include "page_buffer.h"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace loralab {

namespace {

#if defined(__linux__)
// madvise(advice) on the whole 4 KiB pages inside [p, p + bytes), from 2 MiB on (no huge page
// fits in less). Advice only: a kernel without THP answers EINVAL, and that is fine.
void adviseWholePages(void* p, std::size_t bytes, int advice) {
    constexpr std::uintptr_t kPage = kPageBytes, kHuge = std::uintptr_t{2} << 20;
    if (p == nullptr || bytes < kHuge) return;
    const auto begin = (reinterpret_cast<std::uintptr_t>(p) + kPage - 1) & ~(kPage - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(kPage - 1);
    if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, advice);
}
#endif

}  // namespace

void adviseHugePages(void* p, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    adviseWholePages(p, bytes, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

Matrix hugeMatrix(Index rows, Index cols) {
    Matrix m(rows, cols);
    const std::size_t bytes = sizeof(float) * static_cast<std::size_t>(m.size());
    adviseHugePages(m.data(), bytes);
#if defined(__linux__) && defined(MADV_DONTNEED)
    // The contents are unspecified, so the pages can go back to the kernel: touched again, each
    // is a fresh page, faulted in after the advice. The allocator may hand out memory it got
    // back from an earlier free (glibc raises its mmap threshold as large blocks come and go,
    // then serves them from the heap); those pages were written before and would stay small.
    adviseWholePages(m.data(), bytes, MADV_DONTNEED);
#endif
    return m;
}

Matrix hugeZeros(Index rows, Index cols) {
    Matrix m = hugeMatrix(rows, cols);
    m.setZero();
    return m;
}

}  // namespace loralab
