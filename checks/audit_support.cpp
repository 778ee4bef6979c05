#include "checks/audit_support.hpp"

#include <algorithm>

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

std::string type_name(uint16_t type) {
    switch (type) {
        case 1:
            return "A";
        case 2:
            return "NS";
        case 5:
            return "CNAME";
        case 6:
            return "SOA";
        case 15:
            return "MX";
        case 16:
            return "TXT";
        case 28:
            return "AAAA";
        case 43:
            return "DS";
        case 46:
            return "RRSIG";
        case 47:
            return "NSEC";
        case 48:
            return "DNSKEY";
        case 50:
            return "NSEC3";
        case 51:
            return "NSEC3PARAM";
        case 59:
            return "CDS";
        case 60:
            return "CDNSKEY";
        default:
            return "TYPE" + std::to_string(type);
    }
}

std::string outcome_name(Outcome o) {
    switch (o) {
        case Outcome::ok:
            return "ok";
        case Outcome::timeout:
            return "timeout";
        case Outcome::refused:
            return "refused";
        case Outcome::servfail:
            return "servfail";
        case Outcome::nxdomain:
            return "nxdomain";
        case Outcome::formerr:
            return "formerr";
        case Outcome::not_authoritative:
            return "not_authoritative";
        case Outcome::truncated:
            return "truncated";
        case Outcome::id_mismatch:
            return "id_mismatch";
        case Outcome::question_mismatch:
            return "question_mismatch";
        case Outcome::malformed:
            return "malformed";
        case Outcome::network_error:
            return "network_error";
        case Outcome::local_error:
            return "local_error";
    }
    return "unknown";
}

}  // namespace nswatch::audit_detail
