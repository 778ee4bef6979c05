// parse_reply's record text: the direct printing in prober/response.cpp must give exactly what
// ldns gives for a canonicalised clone of each record (ldns_rr_clone + ldns_rr2canonical +
// ldns_rdf2str per field), which is kept here as the reference.
#include "prober/response.hpp"  // before ldns.h, whose bool/false macros break <optional>

#include <ldns/ldns.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace nswatch;

namespace {

std::string ref_rdf_text(const ldns_rdf* rdf) {
    if (rdf == nullptr) return {};
    char* s = ldns_rdf2str(rdf);
    std::string out = s ? s : "";
    std::free(s);
    return out;
}

Record ref_record(const ldns_rr* rr) {
    ldns_rr* copy = ldns_rr_clone(rr);
    ldns_rr2canonical(copy);
    Record rec;
    rec.owner = ref_rdf_text(ldns_rr_owner(copy));
    rec.type = static_cast<uint16_t>(ldns_rr_get_type(copy));
    rec.ttl = ldns_rr_ttl(copy);
    for (size_t i = 0; i < ldns_rr_rd_count(copy); ++i) {
        if (i > 0) rec.rdata += ' ';
        rec.rdata += ref_rdf_text(ldns_rr_rdf(copy, i));
    }
    ldns_rr_free(copy);
    return rec;
}

std::vector<Record> ref_section(const ldns_rr_list* list) {
    std::vector<Record> out;
    for (size_t i = 0; list != nullptr && i < ldns_rr_list_rr_count(list); ++i) {
        out.push_back(ref_record(ldns_rr_list_rr(list, i)));
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Compares parse_reply's sections and SOA with the reference; returns false if the bytes do not
// parse (nothing to compare).
bool compare_with_reference(const std::vector<uint8_t>& bytes) {
    ldns_pkt* pkt = nullptr;
    if (ldns_wire2pkt(&pkt, bytes.data(), bytes.size()) != LDNS_STATUS_OK || pkt == nullptr) {
        return false;
    }
    ProbeResult r;
    ReplyExpectation expect;
    parse_reply(bytes, expect, r);
    CHECK(r.answer == ref_section(ldns_pkt_answer(pkt)));
    CHECK(r.authority == ref_section(ldns_pkt_authority(pkt)));
    CHECK(r.additional == ref_section(ldns_pkt_additional(pkt)));
    // SOA fields: the first SOA of the answer section, names as the reference prints them.
    const ldns_rr_list* answer = ldns_pkt_answer(pkt);
    const ldns_rr* soa = nullptr;
    for (size_t i = 0; answer != nullptr && i < ldns_rr_list_rr_count(answer); ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(answer, i);
        if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) == 7) {
            soa = rr;
            break;
        }
    }
    CHECK(r.soa.has_value() == (soa != nullptr));
    if (soa != nullptr && r.soa) {
        ldns_rr* copy = ldns_rr_clone(soa);
        ldns_rr2canonical(copy);
        CHECK(r.soa->mname == ref_rdf_text(ldns_rr_rdf(copy, 0)));
        CHECK(r.soa->rname == ref_rdf_text(ldns_rr_rdf(copy, 1)));
        CHECK(r.soa->serial == ldns_rdf2native_int32(ldns_rr_rdf(copy, 2)));
        CHECK(r.soa->refresh == ldns_rdf2native_int32(ldns_rr_rdf(copy, 3)));
        CHECK(r.soa->retry == ldns_rdf2native_int32(ldns_rr_rdf(copy, 4)));
        CHECK(r.soa->expire == ldns_rdf2native_int32(ldns_rr_rdf(copy, 5)));
        CHECK(r.soa->minimum == ldns_rdf2native_int32(ldns_rr_rdf(copy, 6)));
        CHECK(r.soa->ttl == ldns_rr_ttl(copy));
        ldns_rr_free(copy);
    }
    ldns_pkt_free(pkt);
    return true;
}

// A reply packet holding the given records (presentation form) in the answer, authority and
// additional sections.
std::vector<uint8_t> packet(const std::vector<std::string>& answer,
                            const std::vector<std::string>& authority = {},
                            const std::vector<std::string>& additional = {}) {
    ldns_pkt* pkt = ldns_pkt_new();
    ldns_pkt_set_id(pkt, 0x1234);
    ldns_pkt_set_qr(pkt, true);
    ldns_pkt_set_aa(pkt, true);
    auto add = [pkt](const std::vector<std::string>& rrs, ldns_pkt_section section) {
        for (const auto& text : rrs) {
            ldns_rr* rr = nullptr;
            const ldns_status st = ldns_rr_new_frm_str(&rr, text.c_str(), 3600, nullptr, nullptr);
            INFO(text);
            REQUIRE(st == LDNS_STATUS_OK);
            ldns_pkt_push_rr(pkt, section, rr);
        }
    };
    add(answer, LDNS_SECTION_ANSWER);
    add(authority, LDNS_SECTION_AUTHORITY);
    add(additional, LDNS_SECTION_ADDITIONAL);
    uint8_t* wire = nullptr;
    size_t size = 0;
    REQUIRE(ldns_pkt2wire(&wire, pkt, &size) == LDNS_STATUS_OK);
    std::vector<uint8_t> out(wire, wire + size);
    std::free(wire);
    ldns_pkt_free(pkt);
    return out;
}

}  // namespace

TEST_CASE("response: record text equals ldns canonical printing for upper-case names",
          "[response]") {
    const auto bytes = packet(
        {"Shop.EXAMPLE. 300 IN SOA NS1.Example.NET. HostMaster.Example.NET. 2024010101 3600 900 "
         "604800 300",
         "Shop.EXAMPLE. 300 IN NS NS1.Example.NET.", "Shop.EXAMPLE. 300 IN NS ns2.EXAMPLE.org.",
         "WWW.Shop.EXAMPLE. 60 IN A 192.0.2.1", "WWW.Shop.EXAMPLE. 60 IN AAAA 2001:DB8::1",
         "Shop.EXAMPLE. 300 IN MX 10 MAIL.Example.NET.",
         "Shop.EXAMPLE. 300 IN TXT \"Hello World\" \"a\\\"b\\\\c\" \"\\200\\001\"",
         "Alias.Shop.EXAMPLE. 300 IN CNAME Target.Shop.EXAMPLE.",
         "_SIP._TCP.Shop.EXAMPLE. 300 IN SRV 1 2 5060 SIP.Shop.EXAMPLE.",
         "1.2.0.192.IN-ADDR.ARPA. 300 IN PTR Host.Shop.EXAMPLE.",
         "Shop.EXAMPLE. 300 IN CAA 0 issue \"Letsencrypt.ORG\"",
         "Shop.EXAMPLE. 300 IN DS 12345 13 2 "
         "3490A6806D47F17A34C29E2CE80E8A999FFBE4BE3490A6806D47F17A34C29E2C",
         "Shop.EXAMPLE. 300 IN RP Mbox.Shop.EXAMPLE. Txt.Shop.EXAMPLE.",
         "Shop.EXAMPLE. 300 IN HINFO \"CPU\" \"OS\"",
         "Shop.EXAMPLE. 300 IN NAPTR 100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@Example.com!\" "
         "Repl.EXAMPLE.",
         "Odd\\.Label\\;X\\(y\\)\\\\z\\032sp\\200hi.EXAMPLE. 300 IN NS A\\.B\\032C\\(.Example.",
         "Key.EXAMPLE. 300 IN NSEC Next.EXAMPLE. A NS SOA RRSIG NSEC",
         "Svc.EXAMPLE. 300 IN KX 5 KX.Example.", "Name.EXAMPLE. 300 IN DNAME Other.EXAMPLE."},
        {"EXAMPLE. 3600 IN NS A.Root-Servers.NET."},
        {"NS1.Example.NET. 60 IN A 198.51.100.53", "NS1.Example.NET. 60 IN AAAA ::ffff:1.2.3.4",
         ". 60 IN TXT \"root\""});
    REQUIRE(compare_with_reference(bytes));

    // Hand-checked expectations on top of the reference.
    ProbeResult r;
    ReplyExpectation expect;
    parse_reply(bytes, expect, r);
    REQUIRE(r.soa);
    CHECK(r.soa->mname == "ns1.example.net.");
    CHECK(r.soa->rname == "hostmaster.example.net.");
    CHECK(r.soa->serial == 2024010101u);
    CHECK(r.soa->refresh == 3600u);
    CHECK(r.soa->retry == 900u);
    CHECK(r.soa->expire == 604800u);
    CHECK(r.soa->minimum == 300u);
    CHECK(r.soa->ttl == 300u);
    auto has = [&r](const Record& want) {
        return std::find(r.answer.begin(), r.answer.end(), want) != r.answer.end();
    };
    CHECK(has({"shop.example.", 6, 300,
               "ns1.example.net. hostmaster.example.net. 2024010101 3600 900 604800 300"}));
    CHECK(has({"shop.example.", 2, 300, "ns2.example.org."}));
    CHECK(has({"www.shop.example.", 1, 60, "192.0.2.1"}));
    CHECK(has({"www.shop.example.", 28, 60, "2001:db8::1"}));
    CHECK(has({"shop.example.", 15, 300, "10 mail.example.net."}));
    CHECK(has({"shop.example.", 16, 300, "\"Hello World\" \"a\\\"b\\\\c\" \"\\200\\001\""}));
    CHECK(has(
        {"odd\\.label\\;x\\(y\\)\\\\z\\032sp\\200hi.example.", 2, 300, "a\\.b\\032c\\(.example."}));
    // NSEC is not in the canonical list: its next name keeps its case (ldns ends the bitmap with
    // a space).
    CHECK(has({"key.example.", 47, 300, "Next.EXAMPLE. A NS SOA RRSIG NSEC "}));
}

TEST_CASE("response: record text equals the reference for the fuzz corpus", "[response]") {
    const std::filesystem::path dir =
        std::filesystem::path(NSWATCH_SOURCE_DIR) / "tests/fuzz/corpus";
    size_t parsed = 0;
    size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        ++files;
        std::ifstream in(entry.path(), std::ios::binary);
        std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
        INFO(entry.path().string());
        if (compare_with_reference(bytes)) ++parsed;
    }
    CHECK(files > 0);
    CHECK(parsed > 0);
}

TEST_CASE("response: without ok_extra_sections an ok reply keeps only its answer, a failure all",
          "[response]") {
    auto bytes =
        packet({"shop.test. 300 IN SOA ns1.shop.test. admin.shop.test. 7 60 30 600 60"},
               {"shop.test. 300 IN NS ns1.shop.test."}, {"ns1.shop.test. 300 IN A 127.0.0.1"});
    ReplyExpectation expect;
    expect.ok_extra_sections = false;
    ProbeResult ok;
    parse_reply(bytes, expect, ok);
    CHECK(ok.outcome == Outcome::ok);
    CHECK(ok.answer.size() == 1);
    REQUIRE(ok.soa.has_value());
    CHECK(ok.soa->serial == 7u);
    CHECK(ok.authority.empty());
    CHECK(ok.additional.empty());

    bytes[2] &= static_cast<uint8_t>(~0x04);  // clear AA: not_authoritative, details wanted
    ProbeResult failed;
    parse_reply(bytes, expect, failed);
    CHECK(failed.outcome == Outcome::not_authoritative);
    CHECK(failed.authority.size() == 1);
    CHECK(failed.additional.size() == 1);
}

TEST_CASE("response: reply_digest ignores the ID and nothing else, and the header is read alone",
          "[response]") {
    auto bytes = packet({"www.shop.test. 300 IN A 192.0.2.80"}, {}, {});
    const uint64_t digest = reply_digest(bytes);
    CHECK(digest != 0);
    auto other_id = bytes;
    other_id[0] ^= 0x5a;
    other_id[1] ^= 0xa5;
    CHECK(reply_digest(other_id) == digest);
    // Any other octet (flags, the question, a record's TTL or rdata) gives another digest.
    for (size_t i = 2; i < bytes.size(); ++i) {
        auto changed = bytes;
        changed[i] ^= 0x01;
        INFO("octet " << i);
        CHECK(reply_digest(changed) != digest);
    }
    auto longer = bytes;
    longer.push_back(0);
    CHECK(reply_digest(longer) != digest);

    ProbeResult header;
    read_reply_header(bytes, header);
    CHECK(header.outcome == Outcome::ok);
    CHECK(header.rcode == 0);
    CHECK(header.aa);
    CHECK_FALSE(header.tc);
    CHECK(header.reply_size == bytes.size());
    CHECK(header.answer.empty());
    auto nx = bytes;
    nx[3] = static_cast<uint8_t>((nx[3] & 0xf0) | 3);
    ProbeResult nx_header;
    read_reply_header(nx, nx_header);
    CHECK(nx_header.outcome == Outcome::nxdomain);
    CHECK(nx_header.rcode == 3);
    // Shorter than a header: left as it was.
    ProbeResult untouched;
    read_reply_header(std::span<const uint8_t>(bytes.data(), 5), untouched);
    CHECK(untouched.outcome == Outcome::timeout);
    CHECK(untouched.rcode == -1);
}
