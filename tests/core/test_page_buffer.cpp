// Page-granular buffers (page_buffer.h): each has whole pages of its own.
#include "page_buffer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <utility>
#include <vector>

using namespace loralab;

TEST(PageBuffer, EachBufferHasWholePagesOfItsOwn) {
    // Buffers of less than, exactly and more than a page, alive together: each starts on a page
    // boundary, so no two of them (nor anything else the allocator hands out) share a page.
    std::vector<PageFloats> buffers;
    for (std::size_t n : {std::size_t{1}, std::size_t{1023}, std::size_t{1024}, std::size_t{1025},
                          std::size_t{5000}, std::size_t{1}})
        buffers.emplace_back(n, 1.0f);
    std::vector<std::pair<std::uintptr_t, std::uintptr_t>> pages;  // [first, last] page numbers
    for (const PageFloats& b : buffers) {
        const auto at = reinterpret_cast<std::uintptr_t>(b.data());
        EXPECT_EQ(at % kPageBytes, 0u) << "a buffer of " << b.size() << " floats";
        pages.emplace_back(at / kPageBytes, (at + b.size() * sizeof(float) - 1) / kPageBytes);
    }
    for (std::size_t i = 0; i < pages.size(); ++i)
        for (std::size_t j = i + 1; j < pages.size(); ++j)
            EXPECT_TRUE(pages[i].second < pages[j].first || pages[j].second < pages[i].first)
                << "buffers " << i << " and " << j << " share a page";
    // A small ordinary allocation made now does not land inside any of them either.
    const auto other = std::make_unique<float[]>(4);
    const auto page = reinterpret_cast<std::uintptr_t>(other.get()) / kPageBytes;
    for (const auto& [first, last] : pages) EXPECT_TRUE(page < first || page > last);
}

TEST(PageBuffer, RefusesSizesThatOverflow) {
    PageAllocator<float> allocator;
    EXPECT_THROW((void)allocator.allocate(std::numeric_limits<std::size_t>::max() / 2),
                 std::bad_array_new_length);
}
