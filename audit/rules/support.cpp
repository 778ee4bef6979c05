#include "audit/rules/support.hpp"

#include <ldns/ldns.h>

#include <algorithm>
#include <cstdlib>

namespace nswatch::audit_detail {

AuditFinding make_finding(std::string id, AuditSeverity severity, std::string summary,
                          std::vector<std::string> evidence, std::string reference,
                          std::string advice) {
    AuditFinding f;
    f.id = std::move(id);
    f.severity = severity;
    f.summary = std::move(summary);
    f.evidence = std::move(evidence);
    f.reference = std::move(reference);
    f.advice = std::move(advice);
    return f;
}

const SoaFields* soa_of(const ServerEvidence& s) {
    for (const auto* r : {&s.soa_udp, &s.soa_tcp, &s.soa_plain}) {
        if (*r && (*r)->outcome == Outcome::ok && (*r)->soa) return &*(*r)->soa;
    }
    return nullptr;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
    std::string out;
    for (const auto& i : items) {
        if (!out.empty()) out += sep;
        out += i;
    }
    return out;
}

std::set<std::string> rdata_set(const ProbeResult& r, uint16_t type) {
    std::set<std::string> out;
    for (const auto& rec : r.answer) {
        if (rec.type == type) out.insert(rec.rdata);
    }
    return out;
}

std::map<std::string, std::vector<std::string>> ns_by_provider(const AuditEvidence& e) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& ns : e.nameservers) {
        if (e.from_config || ns.in_parent) out[ns.provider].push_back(ns.name);
    }
    return out;
}

std::string outcome_name(Outcome o) {
    // One table of names (dns/probe_result.cpp), so an appended outcome needs no edit here.
    return std::string(to_string(o));
}

}  // namespace nswatch::audit_detail
