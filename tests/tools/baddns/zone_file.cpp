// --zone-file: the served zone read from a master file, and drop-txt-string's rewrite. Just
// enough of an authoritative server for the reference check's tests (a provider serving another
// copy of the zone, or one fault on top of the right copy): exact names, CNAME, NODATA and
// NXDOMAIN with the SOA; no wildcards, delegations or DNSSEC.
#include <cstdio>
#include <cstdlib>

#include "baddns.hpp"

namespace nswatch::baddns {

void Zone::load_file(const std::string& path) {
    FILE* fp = std::fopen(path.c_str(), "r");
    if (fp == nullptr) {
        std::fprintf(stderr, "baddns: cannot open zone file '%s'\n", path.c_str());
        std::exit(2);
    }
    ldns_zone* z = nullptr;
    int line = 1;
    const ldns_status st =
        ldns_zone_new_frm_fp_l(&z, fp, origin_.get(), 3600, LDNS_RR_CLASS_IN, &line);
    std::fclose(fp);
    if (st != LDNS_STATUS_OK || ldns_zone_soa(z) == nullptr) {
        std::fprintf(stderr, "baddns: %s:%d: %s\n", path.c_str(), line,
                     st != LDNS_STATUS_OK ? ldns_get_errorstr_by_id(st) : "no SOA");
        std::exit(2);
    }
    soa_.reset(ldns_rr_clone(ldns_zone_soa(z)));
    const ldns_rr_list* rrs = ldns_zone_rrs(z);
    for (size_t i = 0; i < ldns_rr_list_rr_count(rrs); ++i) {
        file_records_.emplace_back(ldns_rr_clone(ldns_rr_list_rr(rrs, i)));
    }
    ldns_zone_deep_free(z);
    from_file_ = true;
}

void Zone::set_fault_name(const std::string& name) {
    fault_name_.reset(ldns_dname_new_frm_str(name.c_str()));
    if (!fault_name_) {
        std::fprintf(stderr, "baddns: bad --fault-name '%s'\n", name.c_str());
        std::exit(2);
    }
}

void Zone::answer_from_file(const ldns_rdf* qname, ldns_rr_type qtype, ldns_pkt* reply) const {
    const bool apex = ldns_dname_compare(qname, origin_.get()) == 0;
    if (apex && qtype == LDNS_RR_TYPE_SOA) {
        push(reply, LDNS_SECTION_ANSWER, soa_);
        return;
    }
    bool exists = apex;
    bool answered = false;
    for (const auto& rr : file_records_) {
        const ldns_rdf* owner = ldns_rr_owner(rr.get());
        if (ldns_dname_compare(owner, qname) == 0) {
            exists = true;
            const ldns_rr_type t = ldns_rr_get_type(rr.get());
            if (t == qtype || t == LDNS_RR_TYPE_CNAME) {
                push(reply, LDNS_SECTION_ANSWER, rr);
                answered = true;
            }
        } else if (ldns_dname_is_subdomain(owner, qname)) {
            exists = true;  // an empty non-terminal
        }
    }
    if (answered) return;
    if (!exists) ldns_pkt_set_rcode(reply, LDNS_RCODE_NXDOMAIN);
    push(reply, LDNS_SECTION_AUTHORITY, soa_);
}

PktPtr drop_txt_strings(PktPtr reply) {
    ldns_rr_list* answer = ldns_pkt_answer(reply.get());
    for (size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
        ldns_rr* rr = ldns_rr_list_rr(answer, i);
        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT) continue;
        while (ldns_rr_rd_count(rr) > 1) ldns_rdf_deep_free(ldns_rr_pop_rdf(rr));
    }
    return reply;
}

}  // namespace nswatch::baddns
