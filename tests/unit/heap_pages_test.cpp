// cli/heap_pages: the heap's reserve for a one-shot command is marked for huge pages (the "hg"
// flag of its mapping in /proc/self/smaps), and a block above malloc's default mmap threshold
// comes from the heap instead of a mapping of its own.
#include "cli/heap_pages.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

using namespace nswatch;

#if defined(__SANITIZE_ADDRESS__)

// Under AddressSanitizer malloc is the sanitizer's own, which takes no memory from brk: there is
// no heap to extend, and the reserve says so by marking nothing (the command runs as without it).
TEST_CASE("with the sanitizer's allocator there is no brk heap to reserve: nothing is marked",
          "[heap]") {
    const HugeHeap h = reserve_huge_page_heap(size_t{16} << 20);
    CHECK(h.bytes == 0);
    CHECK(h.begin == nullptr);
    void* block = std::malloc(size_t{1} << 20);  // and malloc still works after the options
    REQUIRE(block != nullptr);
    std::free(block);
}

#else

namespace {

/// The VmFlags line of the mapping that holds `p`, "" if none does.
std::string vm_flags_of(const void* p) {
    const auto at = reinterpret_cast<uintptr_t>(p);
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    bool inside = false;
    while (std::getline(smaps, line)) {
        const auto dash = line.find('-');
        const auto space = line.find(' ');
        if (dash != std::string::npos && space != std::string::npos && dash < space &&
            line.find_first_not_of("0123456789abcdef") == dash) {
            const uintptr_t lo = std::stoull(line.substr(0, dash), nullptr, 16);
            const uintptr_t hi = std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16);
            inside = lo <= at && at < hi;
        } else if (inside && line.rfind("VmFlags:", 0) == 0) {
            return line;
        }
    }
    return "";
}

}  // namespace

TEST_CASE("the heap's reserve is marked for huge pages and large blocks come from it", "[heap]") {
    const HugeHeap h = reserve_huge_page_heap(size_t{16} << 20);
    REQUIRE(h.bytes > 0);  // a Linux process with a brk heap
    CHECK(h.bytes % (size_t{2} << 20) == 0);
    CHECK(h.bytes >= (size_t{12} << 20));  // 16 MiB less the unaligned ends
    CHECK(reinterpret_cast<uintptr_t>(h.begin) % (uintptr_t{2} << 20) == 0);
    CHECK(vm_flags_of(h.begin).find(" hg") != std::string::npos);

    // 1 MiB: above malloc's default mmap threshold (128 KiB), below the one set (32 MiB).
    void* block = std::malloc(size_t{1} << 20);
    REQUIRE(block != nullptr);
    // In the brk heap, below its end, not in a mapping of its own above it.
    CHECK(reinterpret_cast<uintptr_t>(block) + (size_t{1} << 20) <=
          reinterpret_cast<uintptr_t>(sbrk(0)));
    std::free(block);
}

#endif
