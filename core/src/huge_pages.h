// Large matrices backed by transparent huge pages.
//
// The big operands (the target T, the layer's W0 and X, full fine-tuning's weights, gradient
// and optimizer state) are streamed every step. On 4 KiB pages a stream takes a TLB miss every
// 4 KiB, and first touching them costs a page fault per 4 KiB page, 512 times as many as on
// 2 MiB pages. Advising the kernel before the first write
// lets it back them with 2 MiB pages where transparent huge pages are enabled ("madvise" or
// "always" in /sys/kernel/mm/transparent_hugepage/enabled); elsewhere this changes nothing.
#pragma once

#include "loralab/types.h"

#include <cstddef>

namespace loralab {

// Asks for huge pages on the whole 4 KiB pages inside [p, p + bytes). Only worth it on memory
// not yet written (pages already touched stay small). A no-op below 2 MiB, on other systems,
// or if the kernel refuses.
void adviseHugePages(void* p, std::size_t bytes);

// A rows×cols matrix, contents unspecified, advised for huge pages before anything touches it.
// From 2 MiB on, its whole pages are also handed back to the kernel (MADV_DONTNEED), so that
// memory the allocator recycled from an earlier free is first touched again after the advice.
Matrix hugeMatrix(Index rows, Index cols);

// The same, all zeros (the zeros are its first touch, so they land on huge pages).
Matrix hugeZeros(Index rows, Index cols);

}  // namespace loralab
