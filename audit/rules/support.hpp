// Small helpers the audit rules share (internal to audit/rules/).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "audit/evidence.hpp"
#include "dns/rr_types.hpp"

namespace nswatch::audit_detail {

/// Build a finding in one expression.
AuditFinding make_finding(std::string id, AuditSeverity severity, std::string summary,
                          std::vector<std::string> evidence, std::string reference,
                          std::string advice);

/// The SOA a server gave, from the first probe that has one (UDP, TCP, then without EDNS).
const SoaFields* soa_of(const ServerEvidence& s);

/// "a, b, c"
std::string join(const std::vector<std::string>& items, const std::string& sep = ", ");

/// Rdata of the answer records of `type`, sorted, without TTLs.
std::set<std::string> rdata_set(const ProbeResult& r, uint16_t type);

/// Nameserver names per provider, for the NS names that count (the parent's, or every name when
/// the list came from the config).
std::map<std::string, std::vector<std::string>> ns_by_provider(const AuditEvidence& e);

/// SOA and NS come back authoritatively over UDP (the EDNS-less SOA counts too, so an
/// EDNS-intolerant server is reported once, under SRV-EDNS). Defined in audit_servers.cpp.
bool server_answers_udp(const ServerEvidence& s);
/// SOA and NS come back authoritatively over TCP.
bool server_answers_tcp(const ServerEvidence& s);

/// "ok", "timeout", ... (the same words as prober's to_string(Outcome)).
std::string outcome_name(Outcome o);

}  // namespace nswatch::audit_detail
