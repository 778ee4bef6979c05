#include "dns/notify_packet.hpp"

#include <arpa/inet.h>
#include <ldns/ldns.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "dns/dns_name.hpp"
#include "dns/tsig_guard.hpp"
#include "dns/tsig_sign.hpp"

namespace nswatch {

namespace {

struct PktFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktFree>;

constexpr size_t kHeaderSize = 12;

std::string dname_text(const ldns_rdf* rdf) {
    if (rdf == nullptr) return {};
    char* s = ldns_rdf2str(rdf);
    std::string out = s != nullptr ? s : "";
    std::free(s);
    return canonical_name(out);
}

// Parsed address bytes and family; false when `text` is not a literal.
bool parse_address(std::string_view text, int& family, std::array<uint8_t, 16>& bytes) {
    const std::string s(text);
    if (inet_pton(AF_INET, s.c_str(), bytes.data()) == 1) {
        family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, s.c_str(), bytes.data()) == 1) {
        family = AF_INET6;
        return true;
    }
    return false;
}

// Splits "addr/len"; len = -1 when absent, -2 when not a number.
std::pair<std::string_view, int> split_prefix(std::string_view pattern) {
    const auto slash = pattern.find('/');
    if (slash == std::string_view::npos) return {pattern, -1};
    int len = -2;
    const auto rest = pattern.substr(slash + 1);
    const auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), len);
    if (ec != std::errc{} || p != rest.data() + rest.size() || rest.empty()) len = -2;
    return {pattern.substr(0, slash), len};
}

// The reply to `request`: same ID, opcode and question, QR set, the given rcode.
PktPtr reply_to(const ldns_pkt* request, ldns_pkt_rcode rcode) {
    PktPtr reply(ldns_pkt_new());
    if (!reply) return reply;
    ldns_pkt_set_id(reply.get(), ldns_pkt_id(request));
    ldns_pkt_set_qr(reply.get(), true);
    ldns_pkt_set_opcode(reply.get(), ldns_pkt_get_opcode(request));
    ldns_pkt_set_rcode(reply.get(), static_cast<uint8_t>(rcode));
    ldns_pkt_set_aa(reply.get(), rcode == LDNS_RCODE_NOERROR);
    const ldns_rr_list* q = ldns_pkt_question(request);
    for (size_t i = 0; q != nullptr && i < ldns_rr_list_rr_count(q); ++i) {
        ldns_pkt_push_rr(reply.get(), LDNS_SECTION_QUESTION, ldns_rr_clone(ldns_rr_list_rr(q, i)));
    }
    return reply;
}

std::vector<uint8_t> to_wire(const ldns_pkt* pkt) {
    std::vector<uint8_t> out;
    if (pkt == nullptr) return out;
    uint8_t* wire = nullptr;
    size_t size = 0;
    if (ldns_pkt2wire(&wire, pkt, &size) == LDNS_STATUS_OK && wire != nullptr) {
        out.assign(wire, wire + size);
    }
    std::free(wire);
    return out;
}

NotifyDecision answer(NotifyDecision d, const ldns_pkt* request, ldns_pkt_rcode rcode) {
    PktPtr reply = reply_to(request, rcode);
    d.reply = to_wire(reply.get());
    return d;
}

const TsigKey* find_key(const NotifyPolicy& policy, std::string_view name) {
    for (const auto& k : policy.keys) {
        if (canonical_name(k.name) == name) return &k;
    }
    return nullptr;
}

// Signs `reply` with `key` over `request_mac`; on failure the reply goes unsigned and the
// decision says why (the sender will report the missing signature).
void sign_reply(NotifyDecision& d, ldns_pkt* reply, const TsigKey& key, const TsigFields& fields,
                const ldns_rdf* request_mac) {
    const std::string error = tsig_sign(reply, key, fields, request_mac);
    if (!error.empty()) d.detail += (d.detail.empty() ? "" : "; ") + ("reply unsigned: " + error);
}

// The TSIG checks, in RFC 8945 §5.2's order (see the header).
NotifyDecision judge_tsig(NotifyDecision d, ldns_pkt* request, std::span<const uint8_t> bytes,
                          const NotifyPolicy& policy, TsigSeconds now, TsigReplayMemory* replays) {
    const ldns_rr* tsig = ldns_pkt_tsig(request);
    if (tsig == nullptr) {
        d.verdict = NotifyVerdict::unsigned_tsig;
        d.detail = "unsigned, and a TSIG key is required";
        return answer(std::move(d), request, LDNS_RCODE_NOTAUTH);
    }
    const std::string key_name = dname_text(ldns_rr_owner(tsig));
    const TsigKey* key = find_key(policy, key_name);
    if (key == nullptr) {
        d.verdict = NotifyVerdict::bad_key;
        d.detail = "signed with unknown key '" + key_name + "'";
        return answer(std::move(d), request, LDNS_RCODE_NOTAUTH);
    }
    uint64_t time_signed = 0;
    const bool fields_ok = ldns_rr_rd_count(tsig) >= 7 &&
                           tsig_read_time(ldns_rdf_data(ldns_rr_rdf(tsig, 1)),
                                          ldns_rdf_size(ldns_rr_rdf(tsig, 1)), time_signed) &&
                           ldns_rdf_size(ldns_rr_rdf(tsig, 2)) == 2 &&
                           ldns_rdf_size(ldns_rr_rdf(tsig, 3)) >= 2;
    const std::string algorithm = fields_ok ? dname_text(ldns_rr_rdf(tsig, 0)) : std::string();
    if (fields_ok && algorithm != canonical_name(key->algorithm)) {
        d.verdict = NotifyVerdict::bad_key;
        d.detail =
            "key '" + key_name + "' signed with " + algorithm + ", configured as " + key->algorithm;
        return answer(std::move(d), request, LDNS_RCODE_NOTAUTH);
    }
    if (!fields_ok || !ldns_pkt_tsig_verify(request, bytes.data(), bytes.size(), key->name.c_str(),
                                            key->secret.c_str(), nullptr)) {
        d.verdict = NotifyVerdict::bad_sig;
        d.detail = "TSIG of key '" + key_name + "' does not verify";
        return answer(std::move(d), request, LDNS_RCODE_NOTAUTH);
    }
    const ldns_rdf* request_mac = ldns_rr_rdf(tsig, 3);
    const uint16_t request_fudge = ldns_rdf2native_int16(ldns_rr_rdf(tsig, 2));
    const uint16_t fudge = std::min(request_fudge, policy.max_fudge);
    const auto signed_at = static_cast<TsigSeconds>(time_signed);
    d.key_name = key_name;
    const bool in_window = tsig_time_ok(now, signed_at, fudge);
    const bool fresh = in_window && (replays == nullptr ||
                                     replays->first_sighting(
                                         key_name,
                                         std::span<const uint8_t>(ldns_rdf_data(request_mac) + 2,
                                                                  ldns_rdf_size(request_mac) - 2),
                                         signed_at + fudge, now));
    if (!fresh) {
        d.verdict = in_window ? NotifyVerdict::replayed : NotifyVerdict::bad_time;
        d.detail = in_window ? "a copy of a NOTIFY already accepted (key '" + key_name +
                                   "', signed " + std::to_string(now - signed_at) + " s ago)"
                             : "signed at " + std::to_string(time_signed) + ", " +
                                   std::to_string(now - signed_at) + " s from our time " +
                                   std::to_string(now) + ", beyond the fudge of " +
                                   std::to_string(fudge) + " s";
        PktPtr reply = reply_to(request, LDNS_RCODE_NOTAUTH);
        if (reply) {
            sign_reply(d, reply.get(), *key,
                       TsigFields{time_signed, request_fudge, kTsigBadTime,
                                  tsig_time_bytes(static_cast<uint64_t>(now))},
                       request_mac);
        }
        d.reply = to_wire(reply.get());
        return d;
    }
    d.verdict = NotifyVerdict::accepted;
    PktPtr reply = reply_to(request, LDNS_RCODE_NOERROR);
    if (reply) {
        sign_reply(d, reply.get(), *key,
                   TsigFields{static_cast<uint64_t>(now), policy.max_fudge, 0, {}}, request_mac);
    }
    d.reply = to_wire(reply.get());
    return d;
}

}  // namespace

std::string_view to_string(NotifyVerdict v) {
    switch (v) {
        case NotifyVerdict::accepted:
            return "accepted";
        case NotifyVerdict::malformed:
            return "malformed";
        case NotifyVerdict::not_notify:
            return "not_notify";
        case NotifyVerdict::bad_question:
            return "bad_question";
        case NotifyVerdict::refused_source:
            return "refused_source";
        case NotifyVerdict::refused_zone:
            return "refused_zone";
        case NotifyVerdict::unsigned_tsig:
            return "unsigned";
        case NotifyVerdict::bad_key:
            return "bad_key";
        case NotifyVerdict::bad_sig:
            return "bad_sig";
        case NotifyVerdict::bad_time:
            return "bad_time";
        case NotifyVerdict::replayed:
            return "replayed";
    }
    return "unknown";
}

std::string_view metric_verdict(NotifyVerdict v) {
    switch (v) {
        case NotifyVerdict::unsigned_tsig:
        case NotifyVerdict::bad_key:
        case NotifyVerdict::bad_sig:
            return "bad_tsig";
        default:
            return to_string(v);
    }
}

bool valid_address_pattern(std::string_view pattern) {
    const auto [addr, len] = split_prefix(pattern);
    int family = 0;
    std::array<uint8_t, 16> bytes{};
    if (!parse_address(addr, family, bytes)) return false;
    if (len == -1) return true;
    return len >= 0 && len <= (family == AF_INET ? 32 : 128);
}

bool address_matches(std::string_view address, std::string_view pattern) {
    const auto [prefix, len] = split_prefix(pattern);
    int fa = 0;
    int fp = 0;
    std::array<uint8_t, 16> a{};
    std::array<uint8_t, 16> p{};
    if (!parse_address(address, fa, a) || !parse_address(prefix, fp, p) || fa != fp) return false;
    const int bits = len == -1 ? (fa == AF_INET ? 32 : 128) : len;
    if (bits < 0 || bits > (fa == AF_INET ? 32 : 128)) return false;
    const int whole = bits / 8;
    if (std::memcmp(a.data(), p.data(), static_cast<size_t>(whole)) != 0) return false;
    const int rest = bits % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<uint8_t>(0xFFu << (8 - rest));
    return (a[static_cast<size_t>(whole)] & mask) == (p[static_cast<size_t>(whole)] & mask);
}

NotifyDecision judge_notify(std::span<const uint8_t> bytes, std::string_view source,
                            const NotifyPolicy& policy, std::chrono::system_clock::time_point now,
                            TsigReplayMemory* replays) {
    NotifyDecision d;
    if (bytes.size() < kHeaderSize) {
        d.detail = "message of " + std::to_string(bytes.size()) + " bytes, shorter than a header";
        return d;
    }
    ldns_pkt* raw = nullptr;
    const ldns_status st = ldns_wire2pkt(&raw, bytes.data(), bytes.size());
    PktPtr pkt(raw);
    if (st != LDNS_STATUS_OK || !pkt) {
        d.detail = std::string("does not parse: ") + ldns_get_errorstr_by_id(st);
        return d;
    }
    if (ldns_pkt_qr(pkt.get())) {
        d.detail = "a response (QR set), not a NOTIFY request";
        return d;
    }
    if (ldns_pkt_get_opcode(pkt.get()) != LDNS_PACKET_NOTIFY) {
        d.verdict = NotifyVerdict::not_notify;
        d.detail = "opcode " + std::to_string(static_cast<int>(ldns_pkt_get_opcode(pkt.get()))) +
                   " is not NOTIFY (4)";
        return answer(std::move(d), pkt.get(), LDNS_RCODE_NOTIMPL);
    }
    const ldns_rr_list* q = ldns_pkt_question(pkt.get());
    if (q == nullptr || ldns_rr_list_rr_count(q) != 1) {
        d.verdict = NotifyVerdict::bad_question;
        d.detail = "a NOTIFY must have exactly one question";
        return answer(std::move(d), pkt.get(), LDNS_RCODE_FORMERR);
    }
    const ldns_rr* question = ldns_rr_list_rr(q, 0);
    d.zone = dname_text(ldns_rr_owner(question));
    if (ldns_rr_get_type(question) != LDNS_RR_TYPE_SOA ||
        ldns_rr_get_class(question) != LDNS_RR_CLASS_IN) {
        d.verdict = NotifyVerdict::bad_question;
        d.detail = "the question of a NOTIFY must be SOA IN";
        return answer(std::move(d), pkt.get(), LDNS_RCODE_FORMERR);
    }
    const ldns_rr_list* an = ldns_pkt_answer(pkt.get());
    for (size_t i = 0; an != nullptr && i < ldns_rr_list_rr_count(an); ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(an, i);
        if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 3 &&
            dname_text(ldns_rr_owner(rr)) == d.zone) {
            d.serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
        }
    }
    const bool source_ok =
        std::any_of(policy.allowed_sources.begin(), policy.allowed_sources.end(),
                    [&](const std::string& p) { return address_matches(source, p); });
    if (!source_ok) {
        d.verdict = NotifyVerdict::refused_source;
        d.detail = "source " + std::string(source) + " is not an allowed NOTIFY source";
        return answer(std::move(d), pkt.get(), LDNS_RCODE_REFUSED);
    }
    if (std::find(policy.zones.begin(), policy.zones.end(), d.zone) == policy.zones.end()) {
        d.verdict = NotifyVerdict::refused_zone;
        d.detail = "zone " + d.zone + " is not under watch";
        return answer(std::move(d), pkt.get(), LDNS_RCODE_REFUSED);
    }
    if (policy.keys.empty()) {
        d.verdict = NotifyVerdict::accepted;
        return answer(std::move(d), pkt.get(), LDNS_RCODE_NOERROR);
    }
    return judge_tsig(std::move(d), pkt.get(), bytes, policy, tsig_seconds(now), replays);
}

}  // namespace nswatch
