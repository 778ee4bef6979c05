// The served zone and the ldns helpers every reply is built with.
#include <cstdio>
#include <cstdlib>

#include "baddns.hpp"

namespace nswatch::baddns {

// ldns hands out malloc()ed strings.
std::string take_string(char* s) {
    if (s == nullptr) return "?";
    std::string out(s);
    std::free(s);
    return out;
}

RrPtr make_rr(const std::string& text) {
    ldns_rr* rr = nullptr;
    if (ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) {
        std::fprintf(stderr, "baddns: cannot parse record '%s'\n", text.c_str());
        std::exit(2);
    }
    return RrPtr(rr);
}

std::vector<uint8_t> to_wire(const ldns_pkt* pkt) {
    uint8_t* wire = nullptr;
    size_t size = 0;
    if (ldns_pkt2wire(&wire, pkt, &size) != LDNS_STATUS_OK) {
        std::fprintf(stderr, "baddns: ldns_pkt2wire failed\n");
        std::exit(2);
    }
    std::vector<uint8_t> out(wire, wire + size);
    std::free(wire);
    return out;
}

Zone::Zone(const std::string& name)
    : origin_(ldns_dname_new_frm_str((name + ".").c_str())),
      ns1_(ldns_dname_new_frm_str(("ns1." + name + ".").c_str())),
      ns2_(ldns_dname_new_frm_str(("ns2." + name + ".").c_str())),
      soa_(make_rr(name + ". 3600 IN SOA ns1." + name + ". hostmaster." + name + ". " +
                   std::to_string(kSerial) + " 7200 3600 1209600 300")),
      ns1_ns_(make_rr(name + ". 3600 IN NS ns1." + name + ".")),
      ns2_ns_(make_rr(name + ". 3600 IN NS ns2." + name + ".")),
      ns1_a_(make_rr("ns1." + name + ". 3600 IN A 127.0.0.1")),
      ns2_a_(make_rr("ns2." + name + ". 3600 IN A 127.0.0.2")) {
    if (!origin_ || !ns1_ || !ns2_) {
        std::fprintf(stderr, "baddns: bad zone name '%s'\n", name.c_str());
        std::exit(2);
    }
}

void Zone::answer(const ldns_rdf* qname, ldns_rr_type qtype, ldns_pkt* reply) const {
    ldns_pkt_set_rcode(reply, LDNS_RCODE_NOERROR);
    if (from_file_) {
        answer_from_file(qname, qtype, reply);
        return;
    }
    if (ldns_dname_compare(qname, origin_.get()) == 0) {
        if (qtype == LDNS_RR_TYPE_SOA) {
            push(reply, LDNS_SECTION_ANSWER, soa_);
        } else if (qtype == LDNS_RR_TYPE_NS) {
            push(reply, LDNS_SECTION_ANSWER, ns1_ns_);
            push(reply, LDNS_SECTION_ANSWER, ns2_ns_);
            push(reply, LDNS_SECTION_ADDITIONAL, ns1_a_);
            push(reply, LDNS_SECTION_ADDITIONAL, ns2_a_);
        } else {
            push(reply, LDNS_SECTION_AUTHORITY, soa_);  // NODATA
        }
        return;
    }
    const ldns_rr* glue = nullptr;
    if (ldns_dname_compare(qname, ns1_.get()) == 0) glue = ns1_a_.get();
    if (ldns_dname_compare(qname, ns2_.get()) == 0) glue = ns2_a_.get();
    if (glue != nullptr) {
        if (qtype == LDNS_RR_TYPE_A) {
            ldns_pkt_push_rr(reply, LDNS_SECTION_ANSWER, ldns_rr_clone(glue));
        } else {
            push(reply, LDNS_SECTION_AUTHORITY, soa_);  // NODATA
        }
        return;
    }
    ldns_pkt_set_rcode(reply, LDNS_RCODE_NXDOMAIN);
    push(reply, LDNS_SECTION_AUTHORITY, soa_);
}

}  // namespace nswatch::baddns
