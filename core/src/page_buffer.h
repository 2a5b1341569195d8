// Buffers that one thread writes while another core streams through the memory next to them.
//
// The hardware prefetchers run ahead of (and beside) a stream of loads, up to the end of its
// 4 KiB page. A thread reading its own buffer to the end therefore also pulls in the first
// lines of whatever the allocator placed after it; if another core is writing those lines, they
// move between the two cores on every pass, and both wait (the fit kernel's per-thread TAt
// partials once sat right after the packed B every thread reads).
//
// PageAllocator gives each allocation whole pages of its own (start aligned to 4 KiB, size
// rounded up to a multiple of it), so no prefetch reaches into another buffer's lines.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <limits>
#include <new>
#include <vector>

namespace loralab {

inline constexpr std::size_t kPageBytes = 4096;

template <class T>
struct PageAllocator {
    using value_type = T;

    PageAllocator() = default;
    template <class U>
    PageAllocator(const PageAllocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        if (n > (std::numeric_limits<std::size_t>::max() - kPageBytes) / sizeof(T))
            throw std::bad_array_new_length();
        const std::size_t bytes = (n * sizeof(T) + kPageBytes - 1) / kPageBytes * kPageBytes;
        void* p = std::aligned_alloc(kPageBytes, bytes == 0 ? kPageBytes : bytes);
        if (p == nullptr) throw std::bad_alloc();
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t) noexcept { std::free(p); }

    template <class U>
    bool operator==(const PageAllocator<U>&) const noexcept { return true; }
    template <class U>
    bool operator!=(const PageAllocator<U>&) const noexcept { return false; }
};

// Floats on pages of their own (4 KiB aligned, so also aligned for any SIMD load).
using PageFloats = std::vector<float, PageAllocator<float>>;

}  // namespace loralab
