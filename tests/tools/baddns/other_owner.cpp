// The modes whose reply is well-formed and carries our ID but speaks of another name:
// `wrong-owner` keeps our question and answers with another zone's records (an SOA that is not
// the zone's would be taken for its serial), `tcp-other-question` answers another question and,
// over TCP, closes the connection (c-ares then reports the server as unreachable).
#include "baddns.hpp"

namespace nswatch::baddns {
namespace {

/// kOtherZone's SOA; its serial is ours + 100, so a prober that takes it shows "behind 100".
RrPtr other_soa() {
    const std::string zone(kOtherZone);
    return make_rr(zone + ". 3600 IN SOA ns1." + zone + ". hostmaster." + zone + ". " +
                   std::to_string(kSerial + 100) + " 7200 3600 1209600 300");
}

}  // namespace

PktPtr wrong_owner_reply(const Zone& zone, const Incoming& q) {
    PktPtr reply = ok_reply(zone, q);
    ldns_rr_list* answer = ldns_pkt_answer(reply.get());
    for (size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
        ldns_rr* rr = ldns_rr_list_rr(answer, i);
        if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
            ldns_rr_list_set_rr(answer, other_soa().release(), i);
            ldns_rr_free(rr);
            continue;
        }
        ldns_rdf_deep_free(ldns_rr_owner(rr));
        ldns_rr_set_owner(rr, ldns_dname_new_frm_str((std::string(kOtherZone) + ".").c_str()));
    }
    return reply;
}

PktPtr other_question_reply(const Incoming& q) {
    PktPtr reply(ldns_pkt_new());
    ldns_pkt_set_id(reply.get(), ldns_pkt_id(q.pkt.get()));
    ldns_pkt_set_qr(reply.get(), true);
    ldns_pkt_set_aa(reply.get(), true);
    ldns_pkt_set_opcode(reply.get(), LDNS_PACKET_QUERY);
    ldns_rr* question = ldns_rr_new();
    ldns_rr_set_owner(question, ldns_dname_new_frm_str((std::string(kOtherZone) + ".").c_str()));
    ldns_rr_set_type(question, LDNS_RR_TYPE_SOA);
    ldns_rr_set_class(question, LDNS_RR_CLASS_IN);
    ldns_rr_set_question(question, true);
    ldns_pkt_push_rr(reply.get(), LDNS_SECTION_QUESTION, question);
    ldns_pkt_push_rr(reply.get(), LDNS_SECTION_ANSWER, other_soa().release());
    return reply;
}

}  // namespace nswatch::baddns
