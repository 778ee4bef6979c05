// Fuzz target for the IP-to-ASN TXT reading (audit/asn.hpp): the TXT answers come from whatever
// zone `audit.asn_zone` names, so their text is untrusted.
//
// Built two ways: as a libFuzzer binary (command below), and as nswatch_fuzz_replay_asn (with
// replay_main.cpp), which feeds the committed corpus tests/fuzz/corpus-asn through it on every
// ctest run. The input is one TXT rdata in presentation form, as ldns prints it.
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined
//       -fno-sanitize-recover=undefined -I. tests/fuzz/asn_fuzz.cpp audit/asn.cpp -lldns
//       -o build-fuzz/asn_fuzz                                   (one line)
//   build-fuzz/asn_fuzz build-fuzz/corpus-asn tests/fuzz/corpus-asn -max_total_time=60
//       -max_len=512
//
// 2026-12-04: 612,000 runs in 60 s, no failure; the corpus is that run merged (-merge=1).
//
// Besides "does not crash", it checks what audit/asn.hpp promises: either ASNs (non-zero, sorted,
// distinct) and no error, or an error and no ASNs.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "audit/asn.hpp"

namespace {

void require(bool promise) {
    if (!promise) __builtin_trap();
}

void check(const nswatch::AsnLookup& a) {
    require(a.asns.empty() != a.error.empty());
    require(std::is_sorted(a.asns.begin(), a.asns.end()));
    require(std::adjacent_find(a.asns.begin(), a.asns.end()) == a.asns.end());
    require(std::find(a.asns.begin(), a.asns.end(), 0u) == a.asns.end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    check(nswatch::parse_asn_line(text));
    check(nswatch::asn_from_txt_rdata({text}));
    check(nswatch::asn_from_txt_rdata({text, "\"64500 | 192.0.2.0/24\""}));
    (void)nswatch::asn_query_name(text, "asn.test");
    return 0;
}
