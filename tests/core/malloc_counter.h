// Counting allocations for the "a training step allocates nothing" tests. Include this header
// in exactly one file of a test executable: it replaces that executable's malloc family with
// wrappers around glibc's own, which count while armed. Not under AddressSanitizer, which owns
// malloc itself: LORALAB_COUNT_MALLOC is left undefined there and the tests skip.
#pragma once

#include <cerrno>
#include <cstddef>

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
#define LORALAB_COUNT_MALLOC 1

namespace loralab::test {
inline long g_allocations = 0;  // counted from every thread while armed
inline bool g_countAllocations = false;
inline void countAllocation() {
    if (__atomic_load_n(&g_countAllocations, __ATOMIC_RELAXED))
        __atomic_add_fetch(&g_allocations, 1, __ATOMIC_RELAXED);
}

// The number of allocations, from any thread, made while running body().
template <class Body>
long allocationsDuring(Body&& body) {
    __atomic_store_n(&g_allocations, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&g_countAllocations, true, __ATOMIC_SEQ_CST);
    body();
    __atomic_store_n(&g_countAllocations, false, __ATOMIC_SEQ_CST);
    return __atomic_load_n(&g_allocations, __ATOMIC_RELAXED);
}
}  // namespace loralab::test

extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);

void* malloc(std::size_t size) {
    loralab::test::countAllocation();
    return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) {
    loralab::test::countAllocation();
    return __libc_calloc(count, size);
}
void* realloc(void* p, std::size_t size) {
    loralab::test::countAllocation();
    return __libc_realloc(p, size);
}
void* aligned_alloc(std::size_t alignment, std::size_t size) {
    loralab::test::countAllocation();
    return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) {
    loralab::test::countAllocation();
    void* p = __libc_memalign(alignment, size);
    if (p == nullptr) return ENOMEM;
    *out = p;
    return 0;
}
}
#endif
