// Writes the hand-made and ldns-built seeds of tests/fuzz/corpus (the baddns-* seeds come from
// capture_baddns.py). Kept in the repo so that every seed can be explained and regenerated:
//
//   tests/fuzz/build.sh --seeds        (or: make_seeds tests/fuzz/corpus)
//
// Every reply answers ID 0x1234, the fuzz target's fixed expected ID, and (unless the point is a
// mismatch) the question shop.test SOA, so the fuzzer starts past the ID and question checks.
//
// IMPLEMENTATION NOTES
// - ldns-*: well-formed messages built with ldns, the shapes real servers send.
// - hand-*: byte arrays for what ldns will not build: compression loops, names over 255 octets,
//   lengths running past the end. Each byte is commented.

// ldns/common.h #defines bool, true and false when __bool_true_false_are_defined is unset, which
// breaks the C++ standard library included after it; <stdbool.h> sets that macro first.
#include <stdbool.h>
// clang-format off: the order above matters
#include <ldns/ldns.h>
// clang-format on

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace nswatch {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr uint16_t kId = 0x1234;

struct PktFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktFree>;

// --- ldns-built messages ----------------------------------------------------------------------

/// A reply to shop.test SOA with the given rcode and flags; sections are added by the caller.
PktPtr reply(ldns_pkt_rcode rcode, bool aa, const char* qname = "shop.test.",
             ldns_rr_type qtype = LDNS_RR_TYPE_SOA) {
    PktPtr pkt(ldns_pkt_query_new(ldns_dname_new_frm_str(qname), qtype, LDNS_RR_CLASS_IN, 0));
    ldns_pkt_set_id(pkt.get(), kId);
    ldns_pkt_set_qr(pkt.get(), true);
    ldns_pkt_set_aa(pkt.get(), aa);
    ldns_pkt_set_rcode(pkt.get(), rcode);
    return pkt;
}

void add(ldns_pkt* pkt, ldns_pkt_section section, const std::string& text) {
    ldns_rr* rr = nullptr;
    if (ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) {
        std::fprintf(stderr, "make_seeds: cannot parse '%s'\n", text.c_str());
        std::exit(1);
    }
    ldns_pkt_push_rr(pkt, section, rr);
}

void add_nsid(ldns_pkt* pkt, std::string_view nsid) {
    ldns_pkt_set_edns_udp_size(pkt, 1232);
    ldns_edns_option_list* opts = ldns_edns_option_list_new();
    ldns_edns_option_list_push(opts,
                               ldns_edns_new_from_data(LDNS_EDNS_NSID, nsid.size(), nsid.data()));
    ldns_pkt_set_edns_option_list(pkt, opts);  // the packet owns it now
}

Bytes wire(const PktPtr& pkt) {
    uint8_t* data = nullptr;
    size_t size = 0;
    if (ldns_pkt2wire(&data, pkt.get(), &size) != LDNS_STATUS_OK) {
        std::fprintf(stderr, "make_seeds: ldns_pkt2wire failed\n");
        std::exit(1);
    }
    Bytes out(data, data + size);
    std::free(data);
    return out;
}

const std::string kSoa =
    "shop.test. 3600 IN SOA ns1.shop.test. hostmaster.shop.test. 2026112201 7200 3600 1209600 300";

Bytes soa_answer() {
    PktPtr p = reply(LDNS_RCODE_NOERROR, true);
    add(p.get(), LDNS_SECTION_ANSWER, kSoa);
    add(p.get(), LDNS_SECTION_AUTHORITY, "shop.test. 3600 IN NS ns1.shop.test.");
    add(p.get(), LDNS_SECTION_AUTHORITY, "shop.test. 3600 IN NS ns2.shop.test.");
    add(p.get(), LDNS_SECTION_ADDITIONAL, "ns1.shop.test. 3600 IN A 192.0.2.1");
    add(p.get(), LDNS_SECTION_ADDITIONAL, "ns2.shop.test. 3600 IN AAAA 2001:db8::2");
    return wire(p);
}

Bytes soa_answer_nsid() {
    PktPtr p = reply(LDNS_RCODE_NOERROR, true);
    add(p.get(), LDNS_SECTION_ANSWER, kSoa);
    add_nsid(p.get(), "ns1.fra.provider-a");
    return wire(p);
}

Bytes nsid_binary() {
    // NSID is opaque bytes: non-printable payloads take the hex path of the parser.
    PktPtr p = reply(LDNS_RCODE_NOERROR, true);
    add(p.get(), LDNS_SECTION_ANSWER, kSoa);
    add_nsid(p.get(), std::string_view("\x00\x01\xfe\xff\x7f", 5));
    return wire(p);
}

Bytes nxdomain_soa() {
    PktPtr p = reply(LDNS_RCODE_NXDOMAIN, true, "nope.shop.test.");
    add(p.get(), LDNS_SECTION_AUTHORITY, kSoa);
    return wire(p);
}

Bytes nodata() {
    PktPtr p = reply(LDNS_RCODE_NOERROR, true, "shop.test.", LDNS_RR_TYPE_AAAA);
    add(p.get(), LDNS_SECTION_AUTHORITY, kSoa);
    return wire(p);
}

Bytes referral_glue() {
    // What the parent (test.) says about shop.test: no AA, NS in authority, glue in additional.
    PktPtr p = reply(LDNS_RCODE_NOERROR, false);
    add(p.get(), LDNS_SECTION_AUTHORITY, "shop.test. 86400 IN NS ns1.shop.test.");
    add(p.get(), LDNS_SECTION_AUTHORITY, "shop.test. 86400 IN NS ns.provider-b.example.");
    add(p.get(), LDNS_SECTION_ADDITIONAL, "ns1.shop.test. 86400 IN A 192.0.2.1");
    add(p.get(), LDNS_SECTION_ADDITIONAL, "ns1.shop.test. 86400 IN AAAA 2001:db8::1");
    return wire(p);
}

Bytes tc_empty() {
    PktPtr p = reply(LDNS_RCODE_NOERROR, true);
    ldns_pkt_set_tc(p.get(), true);
    return wire(p);
}

Bytes cname_chain() {
    PktPtr p = reply(LDNS_RCODE_NOERROR, true, "www.shop.test.", LDNS_RR_TYPE_A);
    add(p.get(), LDNS_SECTION_ANSWER, "www.shop.test. 300 IN CNAME edge.shop.test.");
    add(p.get(), LDNS_SECTION_ANSWER, "edge.shop.test. 300 IN CNAME cdn.provider-b.example.");
    add(p.get(), LDNS_SECTION_ANSWER, "cdn.provider-b.example. 60 IN A 198.51.100.7");
    return wire(p);
}

Bytes soa_wrong_owner() {
    // Our question, another zone's SOA: the serial must not count for shop.test (wrong_owner).
    PktPtr p = reply(LDNS_RCODE_NOERROR, true);
    add(p.get(), LDNS_SECTION_ANSWER,
        "other.test. 3600 IN SOA ns1.other.test. hostmaster.other.test. 2026112301 7200 3600 "
        "1209600 300");
    return wire(p);
}

Bytes soa_via_cname() {
    // A CNAME at the apex leading to another zone's SOA: a chain is fine for other types, but an
    // SOA must be the apex's own.
    PktPtr p = reply(LDNS_RCODE_NOERROR, true);
    add(p.get(), LDNS_SECTION_ANSWER, "shop.test. 3600 IN CNAME other.test.");
    add(p.get(), LDNS_SECTION_ANSWER,
        "other.test. 3600 IN SOA ns1.other.test. hostmaster.other.test. 1 7200 3600 1209600 300");
    return wire(p);
}

Bytes soa_plus_stray_record() {
    // The right SOA plus a record nothing in the question leads to.
    PktPtr p = reply(LDNS_RCODE_NOERROR, true);
    add(p.get(), LDNS_SECTION_ANSWER, kSoa);
    add(p.get(), LDNS_SECTION_ANSWER, "other.test. 300 IN A 192.0.2.99");
    return wire(p);
}

Bytes dname_above_question() {
    // A DNAME above the question redirects it (RFC 6672): the synthesized CNAME and its target's
    // records belong to the chain.
    PktPtr p = reply(LDNS_RCODE_NOERROR, true);
    add(p.get(), LDNS_SECTION_ANSWER, "test. 3600 IN DNAME example.");
    add(p.get(), LDNS_SECTION_ANSWER, "shop.test. 3600 IN CNAME shop.example.");
    add(p.get(), LDNS_SECTION_ANSWER,
        "shop.example. 3600 IN SOA ns1.shop.example. h.shop.example. 5 7200 3600 1209600 300");
    return wire(p);
}

Bytes badvers() {
    // Extended rcode 1 in the OPT TTL + header rcode 0 = rcode 16 (BADVERS).
    PktPtr p = reply(LDNS_RCODE_NOERROR, true);
    ldns_pkt_set_edns_udp_size(p.get(), 1232);
    ldns_pkt_set_edns_extended_rcode(p.get(), 1);
    return wire(p);
}

Bytes many_records() {
    // Forty names under one suffix: exercises compression and sorting of a large section.
    PktPtr p = reply(LDNS_RCODE_NOERROR, true, "shop.test.", LDNS_RR_TYPE_A);
    for (int i = 0; i < 40; ++i) {
        add(p.get(), LDNS_SECTION_ANSWER, "shop.test. 60 IN A 192.0.2." + std::to_string(i + 1));
        add(p.get(), LDNS_SECTION_ADDITIONAL,
            "h" + std::to_string(i) + ".shop.test. 60 IN TXT \"record " + std::to_string(i) + "\"");
    }
    return wire(p);
}

Bytes formerr_no_question() {
    // Some servers drop the question from FORMERR replies; that is not a question mismatch.
    PktPtr p = reply(LDNS_RCODE_FORMERR, false);
    ldns_rr_list_deep_free(ldns_pkt_question(p.get()));
    ldns_pkt_set_question(p.get(), ldns_rr_list_new());
    ldns_pkt_set_qdcount(p.get(), 0);
    return wire(p);
}

Bytes query_not_reply() {
    PktPtr p = reply(LDNS_RCODE_NOERROR, false);
    ldns_pkt_set_qr(p.get(), false);  // our own query echoed back: QR clear
    return wire(p);
}

Bytes notify_opcode() {
    PktPtr p = reply(LDNS_RCODE_NOERROR, true);
    ldns_pkt_set_opcode(p.get(), LDNS_PACKET_NOTIFY);
    return wire(p);
}

Bytes mixed_types() {
    // Rdata shapes the canonicaliser must print: signatures, CAA, an unknown type, a long TXT.
    PktPtr p = reply(LDNS_RCODE_NOERROR, true);
    add(p.get(), LDNS_SECTION_ANSWER, kSoa);
    add(p.get(), LDNS_SECTION_ANSWER,
        "shop.test. 3600 IN RRSIG SOA 13 2 3600 20261222000000 20261122000000 12345 shop.test. "
        "q2Ir8XHwqaVyZeCE4qTHQb4MEaZrW1GTyNQ5+ddJ9xMP4V1HnG3HxV9KZg3x1b5dkTqvC5nE9qEkW9Gm1yqBxQ==");
    add(p.get(), LDNS_SECTION_ADDITIONAL, "shop.test. 3600 IN CAA 0 issue \"ca.example\"");
    add(p.get(), LDNS_SECTION_ADDITIONAL, "shop.test. 3600 IN TYPE65534 \\# 4 0a0b0c0d");
    add(p.get(), LDNS_SECTION_ADDITIONAL,
        "shop.test. 3600 IN TXT \"" + std::string(255, 'x') + "\" \"tail\"");
    return wire(p);
}

// --- hand-made messages -----------------------------------------------------------------------

// The header of a reply to our query, with the counts given. Byte by byte:
Bytes header(uint8_t qd, uint8_t an, uint8_t ns, uint8_t ar) {
    return {
        0x12, 0x34,  // ID 0x1234
        0x84,        // QR + AA, opcode QUERY, not TC, not RD
        0x00,        // RA=0, Z=0, rcode NOERROR
        0x00, qd,    // QDCOUNT
        0x00, an,    // ANCOUNT
        0x00, ns,    // NSCOUNT
        0x00, ar,    // ARCOUNT
    };
}

// shop.test. SOA IN, starting at offset 12 (so shop.test. can be pointed at with 0xc0 0x0c).
const Bytes kQuestion = {
    0x04, 's',  'h', 'o', 'p',  // label "shop"
    0x04, 't',  'e', 's', 't',  // label "test"
    0x00,                       // root: end of name
    0x00, 0x06,                 // QTYPE SOA
    0x00, 0x01,                 // QCLASS IN
};

Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

Bytes ptr_self_loop() {
    return cat({header(1, 0, 0, 0),
                {
                    0xc0, 0x0c,  // QNAME: compression pointer to offset 12, i.e. to itself
                    0x00, 0x06,  // QTYPE SOA
                    0x00, 0x01,  // QCLASS IN
                }});
}

Bytes ptr_mutual_loop() {
    return cat({header(1, 0, 0, 0),
                {
                    0xc0, 0x0e,  // offset 12, QNAME: pointer to offset 14 ...
                    0xc0, 0x0c,  // offset 14: ... which points back to 12 (also read as QTYPE)
                    0x00, 0x01,  // QCLASS IN
                }});
}

Bytes label_loop() {
    return cat({header(1, 0, 0, 0),
                {
                    0x03, 'w', 'w', 'w',  // offset 12: label "www"
                    0xc0, 0x0c,           // then a pointer back to 12: www.www.www... forever
                    0x00, 0x06,           // QTYPE SOA
                    0x00, 0x01,           // QCLASS IN
                }});
}

Bytes ptr_forward() {
    return cat({header(1, 0, 0, 0),
                {
                    0xff, 0xff,  // QNAME: pointer to offset 0x3fff, far past the end
                    0x00, 0x06,  // QTYPE SOA
                    0x00, 0x01,  // QCLASS IN
                }});
}

Bytes ptr_into_header() {
    return cat({header(1, 0, 0, 0),
                {
                    0xc0, 0x02,  // QNAME: pointer to offset 2, the flags byte 0x84 = label type 10
                    0x00, 0x06,  // QTYPE SOA
                    0x00, 0x01,  // QCLASS IN
                }});
}

Bytes extended_label_type() {
    return cat({header(1, 0, 0, 0),
                {
                    0x41, 0x00,  // QNAME: label type 01 (RFC 6891 extended label, obsolete)
                    0x00,        // root
                    0x00, 0x06,  // QTYPE SOA
                    0x00, 0x01,  // QCLASS IN
                }});
}

Bytes name_over_255() {
    // Four 63-octet labels, each owner pointing at the previous one: every owner name on its own
    // is short on the wire, but the last one expands to 4 * 64 + 1 = 257 octets (> 255).
    Bytes out = header(1, 1, 1, 1);
    size_t previous = out.size();                     // offset 12: the question name
    out.push_back(63);                                // label length 63
    out.insert(out.end(), 63, 'a');                   // "aaa...a"
    out.push_back(0x00);                              // root: the question name is 65 octets
    out.insert(out.end(), {0x00, 0x06, 0x00, 0x01});  // QTYPE SOA, QCLASS IN
    for (char c : {'b', 'c', 'd'}) {                  // answer, authority, additional
        const size_t here = out.size();
        out.push_back(63);  // label length 63
        out.insert(out.end(), 63, static_cast<uint8_t>(c));
        out.push_back(static_cast<uint8_t>(0xc0 | (previous >> 8)));  // pointer, high bits
        out.push_back(static_cast<uint8_t>(previous & 0xff));         // pointer, low byte
        out.insert(out.end(), {
                                  0x00, 0x01,              // TYPE A
                                  0x00, 0x01,              // CLASS IN
                                  0x00, 0x00, 0x0e, 0x10,  // TTL 3600
                                  0x00, 0x04,              // RDLENGTH 4
                                  192, 0, 2, 1,            // 192.0.2.1
                              });
        previous = here;
    }
    return out;
}

Bytes rdlength_past_end() {
    return cat({header(1, 1, 0, 0),
                kQuestion,
                {
                    0xc0, 0x0c,              // owner: pointer to shop.test.
                    0x00, 0x06,              // TYPE SOA
                    0x00, 0x01,              // CLASS IN
                    0x00, 0x00, 0x0e, 0x10,  // TTL 3600
                    0xff, 0xff,              // RDLENGTH 65535 ...
                    0x00, 0x00, 0x00,        // ... and 3 bytes of it
                }});
}

Bytes soa_short_rdata() {
    return cat({header(1, 1, 0, 0),
                kQuestion,
                {
                    0xc0, 0x0c,              // owner: pointer to shop.test.
                    0x00, 0x06,              // TYPE SOA
                    0x00, 0x01,              // CLASS IN
                    0x00, 0x00, 0x0e, 0x10,  // TTL 3600
                    0x00, 0x04,              // RDLENGTH 4: an SOA needs two names + 20 bytes
                    0x00,                    // MNAME: root
                    0x00,                    // RNAME: root
                    0x78, 0xc3,              // first half of SERIAL, then the rdata ends
                }});
}

Bytes opt_option_overrun() {
    return cat({header(1, 0, 0, 1),
                kQuestion,
                {
                    0x00,                    // OPT owner: root
                    0x00, 0x29,              // TYPE OPT
                    0x04, 0xd0,              // CLASS: UDP payload 1232
                    0x00, 0x00, 0x00, 0x00,  // TTL: ext. rcode 0, version 0, flags 0
                    0x00, 0x06,              // RDLENGTH 6
                    0x00, 0x03,              // option NSID
                    0x00, 0xff,              // option length 255: runs past the RDATA
                    'n', 's',                // the 2 bytes that are there
                }});
}

Bytes two_opt() {
    const Bytes opt = {
        0x00,                    // OPT owner: root
        0x00, 0x29,              // TYPE OPT
        0x04, 0xd0,              // CLASS: UDP payload 1232
        0x00, 0x00, 0x00, 0x00,  // TTL: ext. rcode 0, version 0, flags 0
        0x00, 0x00,              // RDLENGTH 0
    };
    return cat({header(1, 0, 0, 2), kQuestion, opt, opt});  // RFC 6891: more than one is FORMERR
}

Bytes header_only() {
    return header(0, 0, 0, 0);
}

struct Seed {
    const char* name;
    Bytes bytes;
};

}  // namespace
}  // namespace nswatch

int main(int argc, char** argv) {
    using namespace nswatch;
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    const std::vector<Seed> seeds = {
        {"ldns-soa-answer", soa_answer()},
        {"ldns-soa-answer-nsid", soa_answer_nsid()},
        {"ldns-nsid-binary", nsid_binary()},
        {"ldns-nxdomain-soa", nxdomain_soa()},
        {"ldns-nodata", nodata()},
        {"ldns-referral-glue", referral_glue()},
        {"ldns-tc-empty", tc_empty()},
        {"ldns-cname-chain", cname_chain()},
        {"ldns-badvers", badvers()},
        {"ldns-many-records", many_records()},
        {"ldns-formerr-no-question", formerr_no_question()},
        {"ldns-query-not-reply", query_not_reply()},
        {"ldns-notify-opcode", notify_opcode()},
        {"ldns-mixed-types", mixed_types()},
        {"ldns-soa-wrong-owner", soa_wrong_owner()},
        {"ldns-soa-via-cname", soa_via_cname()},
        {"ldns-soa-plus-stray-record", soa_plus_stray_record()},
        {"ldns-dname-above-question", dname_above_question()},
        {"hand-empty", {}},
        {"hand-one-byte", {0x12}},
        {"hand-header-only", header_only()},
        {"hand-ptr-self-loop", ptr_self_loop()},
        {"hand-ptr-mutual-loop", ptr_mutual_loop()},
        {"hand-label-loop", label_loop()},
        {"hand-ptr-forward", ptr_forward()},
        {"hand-ptr-into-header", ptr_into_header()},
        {"hand-extended-label-type", extended_label_type()},
        {"hand-name-over-255", name_over_255()},
        {"hand-rdlength-past-end", rdlength_past_end()},
        {"hand-soa-short-rdata", soa_short_rdata()},
        {"hand-opt-option-overrun", opt_option_overrun()},
        {"hand-two-opt", two_opt()},
    };
    std::filesystem::create_directories(argv[1]);
    for (const auto& s : seeds) {
        const std::filesystem::path path = std::filesystem::path(argv[1]) / s.name;
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(s.bytes.data()),
                  static_cast<std::streamsize>(s.bytes.size()));
        std::printf("%s: %zu bytes\n", s.name, s.bytes.size());
    }
    return 0;
}
