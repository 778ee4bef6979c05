// SRV-EDNS's conformance probes (EDNS version 1, an unknown option, DO): the queries as ldns builds
// them, the replies as parse_reply reads them, and the rule on hand-built evidence.
// ldns/common.h #defines bool, true and false when __bool_true_false_are_defined is unset, which
// breaks the C++ standard library included after it; <stdbool.h> sets that macro first.
#include <stdbool.h>
// clang-format off: the order above matters
#include <ldns/ldns.h>
// clang-format on

#include <catch2/catch.hpp>
#include <cstdlib>
#include <memory>

#include "audit/rules.hpp"
#include "prober/query.hpp"
#include "prober/response.hpp"

using namespace nswatch;

namespace {

const std::string kZone = "ex.test";
constexpr uint16_t kUnknownOption = 65001;

struct PktFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktFree>;

PktPtr parse_with_ldns(const std::vector<uint8_t>& wire) {
    ldns_pkt* raw = nullptr;
    REQUIRE(ldns_wire2pkt(&raw, wire.data(), wire.size()) == LDNS_STATUS_OK);
    return PktPtr(raw);
}

std::vector<uint8_t> edns_data(const ldns_pkt* pkt) {
    const ldns_rdf* rdf = ldns_pkt_edns_data(pkt);
    if (rdf == nullptr) return {};
    return {ldns_rdf_data(rdf), ldns_rdf_data(rdf) + ldns_rdf_size(rdf)};
}

Query soa_query() {
    Query q;
    q.name = kZone;
    return q;
}

/// An authoritative SOA reply to `q`, built by ldns, with OPT fields as given.
std::vector<uint8_t> reply_wire(const Query& q, int rcode, bool opt, uint8_t version,
                                bool dnssec_ok, const std::vector<uint8_t>& options = {}) {
    PktPtr pkt(ldns_pkt_query_new(ldns_dname_new_frm_str(q.name.c_str()), LDNS_RR_TYPE_SOA,
                                  LDNS_RR_CLASS_IN, LDNS_QR | LDNS_AA));
    REQUIRE(pkt);
    ldns_pkt_set_rcode(pkt.get(), static_cast<uint8_t>(rcode & 15));
    if (opt) {
        ldns_pkt_set_edns_udp_size(pkt.get(), 1232);
        ldns_pkt_set_edns_extended_rcode(pkt.get(), static_cast<uint8_t>(rcode >> 4));
        ldns_pkt_set_edns_version(pkt.get(), version);
        ldns_pkt_set_edns_do(pkt.get(), dnssec_ok);
        if (!options.empty())
            ldns_pkt_set_edns_data(
                pkt.get(),
                ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, options.size(), options.data()));
    }
    uint8_t* wire = nullptr;
    size_t size = 0;
    REQUIRE(ldns_pkt2wire(&wire, pkt.get(), &size) == LDNS_STATUS_OK);
    std::vector<uint8_t> out(wire, wire + size);
    std::free(wire);
    return out;
}

ProbeResult parsed(const Query& q, const std::vector<uint8_t>& wire) {
    ProbeResult r;
    r.query = q;
    ReplyExpectation expect;
    expect.query = &r.query;
    expect.expect_authoritative = true;
    parse_reply(wire, expect, r);
    return r;
}

// --- evidence for the rule ---

ProbeResult soa_answer(const Query& q) {
    ProbeResult r;
    r.query = q;
    r.outcome = Outcome::ok;
    r.rcode = 0;
    r.aa = true;
    r.has_opt = q.edns;
    r.edns_do = q.dnssec_ok;
    return r;
}

ProbeResult badvers_answer() {
    Query q = soa_query();
    q.edns_version = 1;
    ProbeResult r;
    r.query = q;
    r.outcome = Outcome::formerr;
    r.rcode = 16;
    r.aa = true;
    r.has_opt = true;
    r.edns_version = 0;
    r.detail = "rcode BADVERS (16)";
    return r;
}

Query unknown_option_query() {
    Query q = soa_query();
    q.edns_options = {EdnsOption{kUnknownOption, {1, 2, 3, 4}}};
    return q;
}

Query do_query() {
    Query q = soa_query();
    q.dnssec_ok = true;
    return q;
}

/// A server that gets every EDNS probe right.
ServerEvidence conforming(const std::string& ns, const std::string& address) {
    ServerEvidence s;
    s.nameserver = ns;
    s.address = address;
    s.soa_udp = soa_answer(soa_query());
    Query plain = soa_query();
    plain.edns = false;
    s.soa_plain = soa_answer(plain);
    s.edns_version1 = badvers_answer();
    s.edns_unknown_option = soa_answer(unknown_option_query());
    s.edns_do = soa_answer(do_query());
    return s;
}

AuditEvidence two_servers() {
    AuditEvidence e;
    e.zone = kZone;
    e.servers = {conforming("ns1.a.test", "10.1.0.1"), conforming("ns1.b.test", "10.2.0.1")};
    return e;
}

std::vector<AuditFinding> edns_findings(const AuditEvidence& e) {
    std::vector<AuditFinding> out;
    for (auto& f : audit_servers(e, AuditThresholds{}))
        if (f.id == "SRV-EDNS") out.push_back(std::move(f));
    return out;
}

AuditFinding the_edns_finding(const AuditEvidence& e) {
    const auto all = edns_findings(e);
    REQUIRE(all.size() == 1);
    return all.front();
}

bool mentions(const AuditFinding& f, const std::string& text) {
    for (const auto& line : f.evidence)
        if (line.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("edns query: the defaults build the same SOA query as before", "[edns]") {
    // Header (ID 0, no flags, 1 question, 1 additional), ex.test SOA IN, then the OPT: root owner,
    // type 41, class 1232, TTL 0 (extended rcode 0, version 0, no DO), RDATA = NSID, empty.
    const std::vector<uint8_t> expected = {
        0, 0,   0,   0,    0,    1,   0,   0,   0, 0, 0, 1,            // header
        2, 'e', 'x', 4,    't',  'e', 's', 't', 0, 0, 6, 0, 1,         // question
        0, 0,   41,  0x04, 0xd0, 0,   0,   0,   0, 0, 4, 0, 3, 0, 0};  // OPT with NSID
    CHECK(build_query(soa_query()) == expected);
}

TEST_CASE("edns query: version 1 sets the OPT version and nothing else", "[edns]") {
    Query q = soa_query();
    q.edns_version = 1;
    const auto pkt = parse_with_ldns(build_query(q));
    CHECK(ldns_pkt_edns_version(pkt.get()) == 1);
    CHECK_FALSE(ldns_pkt_edns_do(pkt.get()));
    CHECK(ldns_pkt_edns_udp_size(pkt.get()) == 1232);
    CHECK(edns_data(pkt.get()) == std::vector<uint8_t>{0, 3, 0, 0});  // NSID still asked
}

TEST_CASE("edns query: an extra option follows NSID, framed by ldns", "[edns]") {
    const auto pkt = parse_with_ldns(build_query(unknown_option_query()));
    CHECK(ldns_pkt_edns_version(pkt.get()) == 0);
    CHECK(edns_data(pkt.get()) ==
          std::vector<uint8_t>{0, 3, 0, 0, 0xfd, 0xe9, 0, 4, 1, 2, 3, 4});  // 65001 = 0xfde9

    Query without_nsid = unknown_option_query();
    without_nsid.nsid = false;
    without_nsid.edns_options.push_back(EdnsOption{65002, {}});
    CHECK(edns_data(parse_with_ldns(build_query(without_nsid)).get()) ==
          std::vector<uint8_t>{0xfd, 0xe9, 0, 4, 1, 2, 3, 4, 0xfd, 0xea, 0, 0});
}

TEST_CASE("edns reply: BADVERS is read from the OPT's extended rcode", "[edns]") {
    Query q = soa_query();
    q.edns_version = 1;
    const auto r = parsed(q, reply_wire(q, 16, true, 0, false));
    CHECK(r.rcode == 16);
    CHECK(r.outcome == Outcome::formerr);
    CHECK(r.detail == "rcode BADVERS (16)");
    CHECK(r.has_opt);
    CHECK(r.edns_version == 0);
}

TEST_CASE("edns reply: DO and option codes are read from the OPT", "[edns]") {
    const Query q = do_query();
    const auto r =
        parsed(q, reply_wire(q, 0, true, 0, true, {0, 3, 0, 2, 'n', '1', 0xfd, 0xe9, 0, 0}));
    CHECK(r.outcome == Outcome::ok);
    CHECK(r.edns_do);
    CHECK(r.nsid == "n1");
    CHECK(r.edns_option_codes == std::vector<uint16_t>{3, kUnknownOption});

    const auto cut = parsed(q, reply_wire(q, 0, true, 0, false, {0, 3, 0, 9, 'n'}));
    CHECK(cut.outcome == Outcome::ok);  // a broken option list costs the options, not the answer
    CHECK(cut.edns_option_codes.empty());
    CHECK_FALSE(cut.edns_do);

    const auto none = parsed(q, reply_wire(q, 0, false, 0, false));
    CHECK_FALSE(none.has_opt);
    CHECK_FALSE(none.edns_do);
}

TEST_CASE("audit edns: servers that get every probe right raise nothing", "[audit][edns]") {
    CHECK(edns_findings(two_servers()).empty());
}

TEST_CASE("audit edns: EDNS version 1 answered NOERROR is a WARNING naming server and reply",
          "[audit][edns]") {
    auto e = two_servers();
    Query q = soa_query();
    q.edns_version = 1;
    e.servers[1].edns_version1 = soa_answer(q);
    const auto f = the_edns_finding(e);
    CHECK(f.severity == AuditSeverity::warning);
    CHECK(f.evidence == std::vector<std::string>{
                            "ns1.b.test (10.2.0.1): SOA with EDNS version 1 → NOERROR, OPT version "
                            "0; expected BADVERS with OPT version 0"});
    CHECK(f.reference.find("NAMESERVER10") != std::string::npos);

    e.servers[1].edns_version1 = badvers_answer();
    e.servers[1].edns_version1->edns_version = 1;  // BADVERS, but claiming the version we asked
    CHECK(mentions(the_edns_finding(e), "BADVERS, OPT version 1"));

    e.servers[1].edns_version1->outcome = Outcome::timeout;
    e.servers[1].edns_version1->rcode = -1;
    e.servers[1].edns_version1->detail.clear();
    CHECK(mentions(the_edns_finding(e), "version 1 → timeout"));
}

TEST_CASE("audit edns: an unknown option must be ignored, not refused or echoed", "[audit][edns]") {
    auto e = two_servers();
    e.servers[0].edns_unknown_option->edns_option_codes = {3, kUnknownOption};
    auto f = the_edns_finding(e);
    CHECK(f.severity == AuditSeverity::warning);
    CHECK(mentions(f,
                   "ns1.a.test (10.1.0.1): SOA with unknown EDNS option 65001 → answered, but "
                   "echoed option 65001"));

    e = two_servers();
    e.servers[0].edns_unknown_option->outcome = Outcome::formerr;
    e.servers[0].edns_unknown_option->rcode = 1;
    f = the_edns_finding(e);
    CHECK(mentions(f, "option 65001 → FORMERR, OPT version 0; expected an authoritative NOERROR"));
}

TEST_CASE("audit edns: DO must be answered and echoed", "[audit][edns]") {
    auto e = two_servers();
    e.servers[0].edns_do->edns_do = false;
    CHECK(mentions(the_edns_finding(e),
                   "ns1.a.test (10.1.0.1): SOA with DO=1 → NOERROR, OPT version 0, DO clear"));

    e = two_servers();
    e.servers[1].edns_do->outcome = Outcome::timeout;
    e.servers[1].edns_do->rcode = -1;
    const auto f = the_edns_finding(e);
    CHECK(f.severity == AuditSeverity::warning);
    CHECK(mentions(f, "ns1.b.test (10.2.0.1): SOA with DO=1 → timeout"));
}

TEST_CASE("audit edns: a server already condemned for EDNS is not judged again", "[audit][edns]") {
    auto e = two_servers();
    // ns1.a.test drops EDNS altogether: its failing conformance probes add nothing.
    e.servers[0].soa_udp->outcome = Outcome::timeout;
    e.servers[0].soa_udp->rcode = -1;
    e.servers[0].edns_version1->outcome = Outcome::timeout;
    e.servers[0].edns_version1->rcode = -1;
    auto f = the_edns_finding(e);
    CHECK(f.severity == AuditSeverity::error);
    CHECK(f.evidence.size() == 1);
    CHECK_FALSE(mentions(f, "version 1"));

    // ns1.b.test gets the version wrong: it rides along on the one ERROR finding.
    e.servers[1].edns_version1 = soa_answer(e.servers[1].edns_version1->query);
    f = the_edns_finding(e);
    CHECK(f.severity == AuditSeverity::error);
    CHECK(f.evidence.size() == 2);
    CHECK(mentions(f, "ns1.b.test (10.2.0.1): SOA with EDNS version 1 → NOERROR"));

    // A server that ignores EDNS (no OPT) is the existing WARNING, not three more lines.
    e = two_servers();
    e.servers[0].soa_udp->has_opt = false;
    e.servers[0].edns_do->has_opt = false;
    f = the_edns_finding(e);
    CHECK(f.evidence == std::vector<std::string>{
                            "ns1.a.test (10.1.0.1): EDNS query answered without an OPT record"});
}

TEST_CASE("audit edns: evidence without the new probes (older callers) is not judged",
          "[audit][edns]") {
    auto e = two_servers();
    for (auto& s : e.servers) s.edns_version1 = s.edns_unknown_option = s.edns_do = std::nullopt;
    CHECK(edns_findings(e).empty());
}
