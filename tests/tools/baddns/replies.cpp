// The replies built as a real server would build them, with ldns, and the table from mode to
// reply. Only the modes whose point is a broken wire format touch raw bytes (broken_wire.cpp).
//
// `ok` speaks EDNS version 0 only, as RFC 6891 §6.1.3 asks: a higher version gets BADVERS with an
// OPT of version 0. `edns-version-ignored` answers every version as if it were 0 (the NOERROR
// that Zonemaster NAMESERVER10 and nswatch's SRV-EDNS flag).
#include "baddns.hpp"

namespace nswatch::baddns {
namespace {

/// BADVERS (extended rcode 16: 0 in the header, 1 in the OPT) with an OPT of version 0, the one
/// version we speak (RFC 6891 §6.1.3).
PktPtr badvers_reply(const Incoming& q) {
    PktPtr reply = reply_skeleton(q, true);
    ldns_pkt_set_edns_extended_rcode(reply.get(), 1);
    ldns_pkt_set_edns_version(reply.get(), 0);
    return reply;
}

/// The query carries EDNS of a version above 0.
bool unknown_edns_version(const Incoming& q) {
    return q.edns && ldns_pkt_edns_version(q.pkt.get()) > 0;
}

PktPtr rcode_reply(const Incoming& q, ldns_pkt_rcode rcode) {
    PktPtr reply = reply_skeleton(q, true);
    ldns_pkt_set_rcode(reply.get(), rcode);
    return reply;
}

}  // namespace

std::optional<Incoming> parse_query(const uint8_t* data, size_t size, std::string& why) {
    ldns_pkt* raw = nullptr;
    if (ldns_wire2pkt(&raw, data, size) != LDNS_STATUS_OK) {
        why = "unparseable";
        return std::nullopt;
    }
    Incoming in;
    in.pkt.reset(raw);
    // A reply arriving here would be someone else's confusion; answering it could start a loop.
    if (ldns_pkt_qr(raw)) {
        why = "QR set";
        return std::nullopt;
    }
    if (ldns_pkt_qdcount(raw) != 1 || ldns_rr_list_rr_count(ldns_pkt_question(raw)) != 1) {
        why = "not exactly one question";
        return std::nullopt;
    }
    in.question = ldns_rr_list_rr(ldns_pkt_question(raw), 0);
    in.edns = ldns_pkt_edns(raw);
    if (const ldns_edns_option_list* opts = ldns_pkt_edns_get_option_list(raw)) {
        for (size_t i = 0; i < ldns_edns_option_list_get_count(opts); ++i) {
            if (ldns_edns_get_code(ldns_edns_option_list_get_option(opts, i)) == LDNS_EDNS_NSID) {
                in.nsid = true;
            }
        }
    }
    return in;
}

PktPtr reply_skeleton(const Incoming& q, bool echo_edns) {
    PktPtr reply(ldns_pkt_new());
    ldns_pkt_set_id(reply.get(), ldns_pkt_id(q.pkt.get()));
    ldns_pkt_set_qr(reply.get(), true);
    ldns_pkt_set_opcode(reply.get(), ldns_pkt_get_opcode(q.pkt.get()));
    ldns_pkt_set_rd(reply.get(), ldns_pkt_rd(q.pkt.get()));
    ldns_pkt_set_cd(reply.get(), ldns_pkt_cd(q.pkt.get()));
    ldns_pkt_push_rr(reply.get(), LDNS_SECTION_QUESTION, ldns_rr_clone(q.question));
    if (echo_edns && q.edns) {
        ldns_pkt_set_edns_udp_size(reply.get(), kEdnsBufferSize);
        ldns_pkt_set_edns_do(reply.get(), ldns_pkt_edns_do(q.pkt.get()));
        if (q.nsid) {
            ldns_edns_option_list* opts = ldns_edns_option_list_new();
            ldns_edns_option_list_push(
                opts, ldns_edns_new_from_data(LDNS_EDNS_NSID, kNsid.size(), kNsid.data()));
            ldns_pkt_set_edns_option_list(reply.get(), opts);  // the packet owns it now
        }
    }
    return reply;
}

PktPtr ok_reply(const Zone& zone, const Incoming& q) {
    PktPtr reply = reply_skeleton(q, true);
    ldns_pkt_set_aa(reply.get(), true);
    zone.answer(ldns_rr_owner(q.question), ldns_rr_get_type(q.question), reply.get());
    return reply;
}

std::optional<Reply> respond(Mode mode, Transport transport, const Zone& zone, const Incoming& q) {
    const uint16_t id = ldns_pkt_id(q.pkt.get());
    switch (mode) {
        case Mode::ok:
            if (unknown_edns_version(q)) return Reply{to_wire(badvers_reply(q).get())};
            return Reply{to_wire(ok_reply(zone, q).get())};
        case Mode::edns_version_ignored:
            return Reply{to_wire(ok_reply(zone, q).get())};
        case Mode::wrong_id: {
            PktPtr reply = ok_reply(zone, q);
            ldns_pkt_set_id(reply.get(), static_cast<uint16_t>(id + 1));
            return Reply{to_wire(reply.get())};
        }
        case Mode::wrong_question: {
            // The right answer for the right ID, only the echoed question differs: nothing but
            // the question check can tell this reply apart from a good one.
            PktPtr reply = ok_reply(zone, q);
            ldns_rr* question = ldns_rr_list_rr(ldns_pkt_question(reply.get()), 0);
            ldns_rdf_deep_free(ldns_rr_owner(question));
            ldns_rr_set_owner(question, ldns_dname_new_frm_str("other.invalid."));
            return Reply{to_wire(reply.get())};
        }
        case Mode::garbage:
            return Reply{garbage_bytes(id)};
        case Mode::short_reply:
            return Reply{short_bytes(id)};
        case Mode::truncated_packet:
            return Reply{truncated_packet_bytes(zone, q)};
        case Mode::tcp_length_lie:
            if (transport == Transport::udp) return Reply{to_wire(ok_reply(zone, q).get())};
            return Reply{tcp_length_lie_bytes(zone, q), true, true};
        case Mode::tc_always: {
            if (transport == Transport::tcp) return Reply{to_wire(ok_reply(zone, q).get())};
            PktPtr reply = reply_skeleton(q, true);
            ldns_pkt_set_aa(reply.get(), true);
            ldns_pkt_set_tc(reply.get(), true);
            return Reply{to_wire(reply.get())};
        }
        case Mode::no_aa: {
            PktPtr reply = ok_reply(zone, q);
            ldns_pkt_set_aa(reply.get(), false);
            return Reply{to_wire(reply.get())};
        }
        case Mode::refused:
            return Reply{to_wire(rcode_reply(q, LDNS_RCODE_REFUSED).get())};
        case Mode::refused_ede: {
            // REFUSED with its reason (RFC 8914): EDE 20 Not Authoritative. The text ends in a
            // control character, which must not reach a log line or alert text as it is.
            PktPtr reply = rcode_reply(q, LDNS_RCODE_REFUSED);
            ldns_pkt_set_edns_udp_size(reply.get(), kEdnsBufferSize);
            static constexpr char kEde[] = "\x00\x14not served here\x07";
            ldns_edns_option_list* opts = ldns_pkt_edns_get_option_list(reply.get());
            if (opts == nullptr) {
                opts = ldns_edns_option_list_new();
                ldns_pkt_set_edns_option_list(reply.get(), opts);
            }
            ldns_edns_option_list_push(
                opts, ldns_edns_new_from_data(LDNS_EDNS_EDE, sizeof kEde - 1, kEde));
            return Reply{to_wire(reply.get())};
        }
        case Mode::servfail:
            return Reply{to_wire(rcode_reply(q, LDNS_RCODE_SERVFAIL).get())};
        case Mode::formerr:
            return Reply{to_wire(rcode_reply(q, LDNS_RCODE_FORMERR).get())};
        case Mode::nxdomain: {
            PktPtr reply = reply_skeleton(q, true);
            ldns_pkt_set_aa(reply.get(), true);
            ldns_pkt_set_rcode(reply.get(), LDNS_RCODE_NXDOMAIN);
            ldns_pkt_push_rr(reply.get(), LDNS_SECTION_AUTHORITY, ldns_rr_clone(zone.soa()));
            return Reply{to_wire(reply.get())};
        }
        case Mode::wrong_owner:
            return Reply{to_wire(wrong_owner_reply(zone, q).get())};
        case Mode::tcp_other_question: {
            Reply reply{to_wire(other_question_reply(q).get())};
            reply.then_close = transport == Transport::tcp;
            return reply;
        }
        case Mode::drop_txt_string:
            return Reply{to_wire(drop_txt_strings(ok_reply(zone, q)).get())};
        case Mode::servfail_name:
            if (zone.fault_name() != nullptr &&
                ldns_dname_compare(ldns_rr_owner(q.question), zone.fault_name()) == 0) {
                return Reply{to_wire(rcode_reply(q, LDNS_RCODE_SERVFAIL).get())};
            }
            return Reply{to_wire(ok_reply(zone, q).get())};
        case Mode::noerror_nx: {
            PktPtr reply = ok_reply(zone, q);
            if (ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_NXDOMAIN) {
                ldns_pkt_set_rcode(reply.get(), LDNS_RCODE_NOERROR);
            }
            return Reply{to_wire(reply.get())};
        }
        case Mode::silent:
            return std::nullopt;
        case Mode::edns_intolerant:
            // Like old middleboxes and servers: an OPT record is a format error, and the
            // FORMERR itself carries no OPT (which is how resolvers recognise this).
            if (q.edns) {
                PktPtr reply = reply_skeleton(q, false);
                ldns_pkt_set_rcode(reply.get(), LDNS_RCODE_FORMERR);
                return Reply{to_wire(reply.get())};
            }
            return Reply{to_wire(ok_reply(zone, q).get())};
    }
    return std::nullopt;
}

}  // namespace nswatch::baddns
