#include "cli/heap_pages.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace nswatch {

namespace {

constexpr uintptr_t kHuge = uintptr_t{2} << 20;

}  // namespace

HugeHeap reserve_huge_page_heap(size_t bytes) {
    // Blocks below 32 MiB come from the heap (reused when freed, not mapped anew), and the
    // heap's free top is never given back below 2 × bytes: the reserve stays.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * bytes));
    // The next extension of the heap is what a small block needs plus `bytes`.
    mallopt(M_TOP_PAD, static_cast<int>(bytes));
    const auto lo = reinterpret_cast<uintptr_t>(sbrk(0));
    // A block larger than the heap's free top (keepcost) makes malloc extend the heap.
    void* probe = std::malloc(mallinfo2().keepcost + (64 << 10));
    // The compiler may drop a malloc whose block is only freed: the block escapes here.
    asm volatile("" : : "r"(probe) : "memory");
    std::free(probe);
    const auto hi = reinterpret_cast<uintptr_t>(sbrk(0));
    mallopt(M_TOP_PAD, 128 << 10);  // glibc's default again for any later extension
    const uintptr_t begin = (lo + kHuge - 1) & ~(kHuge - 1);
    const uintptr_t end = hi & ~(kHuge - 1);
    if (lo == static_cast<uintptr_t>(-1) || end <= begin) return {};
    if (madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE) != 0) return {};
    return {reinterpret_cast<void*>(begin), end - begin};
}

}  // namespace nswatch
