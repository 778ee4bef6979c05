// Transparent huge pages for the heap of a one-shot command (`check`, `audit`) over many zones.
//
// glibc's malloc takes the main heap from brk a little at a time (what it needs plus M_TOP_PAD,
// 128 KiB) and each block of 128 KiB or more from mmap on its own, so every 4 KiB page the
// command uses is a first-touch fault, again for every large block freed and allocated anew.
// On this project's benchmark VM a fault costs 10–15 µs of CPU. glibc can madvise its heap for
// huge pages itself (GLIBC_TUNABLES=glibc.malloc.hugetlb=1), but only from the environment at
// start-up; this does the same from inside: one brk extension of `bytes` reserved up front,
// marked MADV_HUGEPAGE (the kernel then faults 2 MiB at a time where it has huge pages to give,
// with `transparent_hugepage/enabled` set to madvise or always), and large blocks kept in the
// heap. Measured (bench/check_scale.sh's zones, BENCHMARKS.md): `check --json` over 10,000 zones
// 5,500 faults → 1,100 and 13 % less CPU; `audit` over 5,000 zones 45,000 faults → 5,900 and
// 18 % less CPU.
// Memory is not handed back to the system before exit, which suits a command that ends after
// one round; the daemon does not call this.
#pragma once

#include <cstddef>

namespace nswatch {

struct HugeHeap {
    void* begin = nullptr;  ///< the region marked for huge pages (2 MiB aligned)
    size_t bytes = 0;       ///< 0: nothing marked (no brk heap to extend, or too small)
};

/// Sets malloc's options for a short-lived command (large blocks from the heap up to 32 MiB, the
/// heap's top kept when freed) and extends the heap by about `bytes`, marked for huge pages.
/// Address space only: a page is used (and counted in the RSS) when first touched.
HugeHeap reserve_huge_page_heap(size_t bytes);

/// What `check` and `audit` reserve: 128 MiB of address space, more than check's heap at 10,000
/// zones (≈ 25 MB besides its JSON text, which cli/json_zones_writer keeps apart).
constexpr size_t kOneShotHeap = size_t{128} << 20;

}  // namespace nswatch
