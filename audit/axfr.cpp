#include "audit/axfr.hpp"

// ldns/common.h #defines bool unless <stdbool.h> came first (see tests/tools/baddns/baddns.hpp).
#include <stdbool.h>
// clang-format off
#include <ldns/ldns.h>
// clang-format on

#include <algorithm>
#include <cctype>
#include <memory>

namespace nswatch {

namespace {

struct ResolverFree {
    void operator()(ldns_resolver* r) const { ldns_resolver_deep_free(r); }
};
struct RrFree {
    void operator()(ldns_rr* r) const { ldns_rr_free(r); }
};

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// One transferred record in the canonical form ProbeResult uses.
Record to_record(const ldns_rr* rr) {
    Record out;
    char* owner = ldns_rdf2str(ldns_rr_owner(rr));
    out.owner = lower(owner ? owner : "");
    std::free(owner);
    out.type = static_cast<uint16_t>(ldns_rr_get_type(rr));
    out.ttl = ldns_rr_ttl(rr);
    std::string rdata;
    for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
        char* f = ldns_rdf2str(ldns_rr_rdf(rr, i));
        if (!rdata.empty()) rdata += ' ';
        rdata += f ? f : "";
        std::free(f);
    }
    out.rdata = lower(rdata);
    return out;
}

}  // namespace

AxfrEvidence try_axfr(const std::string& zone, const std::string& address, uint16_t port,
                      std::chrono::milliseconds timeout) {
    AxfrEvidence out;
    out.outcome = AxfrOutcome::failed;
    std::unique_ptr<ldns_resolver, ResolverFree> res(ldns_resolver_new());
    ldns_rdf* addr = ldns_rdf_new_frm_str(
        address.find(':') != std::string::npos ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A,
        address.c_str());
    ldns_rdf* name = ldns_dname_new_frm_str(zone.c_str());
    if (!res || !addr || !name) {
        ldns_rdf_deep_free(addr);
        ldns_rdf_deep_free(name);
        out.detail = "cannot build the AXFR request";
        return out;
    }
    ldns_resolver_push_nameserver(res.get(), addr);  // copies
    ldns_rdf_deep_free(addr);
    ldns_resolver_set_port(res.get(), port);
    const auto ms = timeout.count();
    ldns_resolver_set_timeout(res.get(), timeval{static_cast<time_t>(ms / 1000),
                                                 static_cast<suseconds_t>((ms % 1000) * 1000)});
    ldns_resolver_set_retry(res.get(), 1);
    ldns_resolver_set_usevc(res.get(), true);
    const ldns_status st = ldns_axfr_start(res.get(), name, LDNS_RR_CLASS_IN);
    ldns_rdf_deep_free(name);
    if (st != LDNS_STATUS_OK) {
        out.detail = ldns_get_errorstr_by_id(st);
        return out;
    }
    // A transfer is every record between the opening and the closing SOA; guard against a
    // server that streams for ever.
    constexpr size_t kMaxRecords = 1'000'000;
    while (out.records.size() < kMaxRecords) {
        std::unique_ptr<ldns_rr, RrFree> rr(ldns_axfr_next(res.get()));
        if (!rr) break;
        out.records.push_back(to_record(rr.get()));
    }
    const ldns_pkt* last = ldns_axfr_last_pkt(res.get());
    const bool complete = ldns_axfr_complete(res.get());
    if (complete && !out.records.empty()) {
        out.outcome = AxfrOutcome::allowed;
        // The closing SOA repeats the opening one.
        if (out.records.size() > 1 && out.records.back() == out.records.front())
            out.records.pop_back();
        std::sort(out.records.begin(), out.records.end());
    } else if (last && ldns_pkt_get_rcode(last) != LDNS_RCODE_NOERROR) {
        out.outcome = AxfrOutcome::refused;
        char* rc = ldns_pkt_rcode2str(ldns_pkt_get_rcode(last));
        out.detail = rc ? rc : "error rcode";
        std::free(rc);
        out.records.clear();
    } else {
        // Connection closed or reset without a reply: most servers refuse that way too.
        out.outcome = out.records.empty() ? AxfrOutcome::refused : AxfrOutcome::failed;
        out.detail =
            out.records.empty() ? "connection closed without a transfer" : "transfer incomplete";
        out.records.clear();
    }
    ldns_axfr_abort(res.get());
    return out;
}

}  // namespace nswatch
