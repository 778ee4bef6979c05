#include "prober/response.hpp"

#include <arpa/inet.h>
#include <ldns/ldns.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

struct PktFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktFree>;

std::string rdf_text(const ldns_rdf* rdf) {
    if (rdf == nullptr) return {};
    char* s = ldns_rdf2str(rdf);
    std::string out = s ? s : "";
    std::free(s);
    return out;
}

// A domain name as ldns_rdf2str prints it (ldns_rdf2buffer_str_dname: "." for the root, labels
// joined by dots with a trailing dot, . ; ( ) \ escaped with a backslash, bytes that are not
// printable ASCII as \DDD), optionally lower-cased first like ldns_dname2canonical. Appends to out.
// Names longer than 255 octets (ldns prints nothing for them) go through ldns.
void append_dname(const ldns_rdf* rdf, bool lower, std::string& out) {
    const uint8_t* data = ldns_rdf_data(rdf);
    const size_t size = ldns_rdf_size(rdf);
    if (size > LDNS_MAX_DOMAINLEN || size == 0) {
        if (!lower) {
            out += rdf_text(rdf);
            return;
        }
        ldns_rdf* copy = ldns_rdf_clone(rdf);
        ldns_dname2canonical(copy);
        out += rdf_text(copy);
        ldns_rdf_deep_free(copy);
        return;
    }
    if (size == 1) {
        out += '.';
        return;
    }
    // Each octet read gives at most 4 characters (\DDD) plus a dot: print into a local buffer,
    // append once.
    char buf[LDNS_MAX_DOMAINLEN * 5 + 8];
    char* w = buf;
    size_t pos = 0;
    size_t len = data[0];
    while (len > 0 && pos < size) {
        ++pos;
        // A label running past the rdf (never built by wire2pkt) is cut at its end.
        for (size_t i = 0; i < len && pos < size; ++i, ++pos) {
            unsigned char c = data[pos];
            if (lower && c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
            if (c == '.' || c == ';' || c == '(' || c == ')' || c == '\\') {
                *w++ = '\\';
                *w++ = static_cast<char>(c);
            } else if (c > 0x20 && c < 0x7f) {  // isascii && isgraph
                *w++ = static_cast<char>(c);
            } else {
                *w++ = '\\';
                *w++ = static_cast<char>('0' + c / 100);
                *w++ = static_cast<char>('0' + (c / 10) % 10);
                *w++ = static_cast<char>('0' + c % 10);
            }
        }
        if (pos < size) *w++ = '.';
        len = pos < size ? data[pos] : 0;
    }
    out.append(buf, static_cast<size_t>(w - buf));
}

void append_uint(uint32_t v, std::string& out) {
    char buf[12];
    char* end = buf + sizeof buf;
    char* p = end;
    do {
        *--p = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    out.append(p, static_cast<size_t>(end - p));
}

// One rdf as ldns_rdf2str prints it; names lower-cased when `lower`. The common types are printed
// here; everything else goes through ldns.
void append_rdf(const ldns_rdf* rdf, bool lower, std::string& out) {
    if (rdf == nullptr) return;
    const uint8_t* d = ldns_rdf_data(rdf);
    const size_t n = ldns_rdf_size(rdf);
    switch (ldns_rdf_get_type(rdf)) {
        case LDNS_RDF_TYPE_DNAME:
            append_dname(rdf, lower, out);
            return;
        case LDNS_RDF_TYPE_INT32:
        case LDNS_RDF_TYPE_PERIOD:
            if (n == 4) {
                append_uint(
                    (uint32_t{d[0]} << 24) | (uint32_t{d[1]} << 16) | (uint32_t{d[2]} << 8) | d[3],
                    out);
                return;
            }
            break;
        case LDNS_RDF_TYPE_INT16:
            if (n == 2) {
                append_uint((uint32_t{d[0]} << 8) | d[1], out);
                return;
            }
            break;
        case LDNS_RDF_TYPE_INT8:
            if (n == 1) {
                append_uint(d[0], out);
                return;
            }
            break;
        case LDNS_RDF_TYPE_A:
        case LDNS_RDF_TYPE_AAAA: {
            const bool v4 = ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_A;
            char buf[INET6_ADDRSTRLEN];
            if (n == (v4 ? 4u : 16u) && inet_ntop(v4 ? AF_INET : AF_INET6, d, buf, sizeof buf)) {
                out += buf;
                return;
            }
            break;
        }
        default:
            break;
    }
    out += rdf_text(rdf);  // non-name rdfs are the same in canonical form
}

// RR types whose rdata names ldns_rr2canonical lower-cases (RFC 4034 §6.2, RFC 3597 §7, plus
// RRSIG).
bool canonical_rdata_names(ldns_rr_type t) {
    switch (t) {
        case LDNS_RR_TYPE_NS:
        case LDNS_RR_TYPE_MD:
        case LDNS_RR_TYPE_MF:
        case LDNS_RR_TYPE_CNAME:
        case LDNS_RR_TYPE_SOA:
        case LDNS_RR_TYPE_MB:
        case LDNS_RR_TYPE_MG:
        case LDNS_RR_TYPE_MR:
        case LDNS_RR_TYPE_PTR:
        case LDNS_RR_TYPE_MINFO:
        case LDNS_RR_TYPE_MX:
        case LDNS_RR_TYPE_RP:
        case LDNS_RR_TYPE_AFSDB:
        case LDNS_RR_TYPE_RT:
        case LDNS_RR_TYPE_SIG:
        case LDNS_RR_TYPE_PX:
        case LDNS_RR_TYPE_NXT:
        case LDNS_RR_TYPE_NAPTR:
        case LDNS_RR_TYPE_KX:
        case LDNS_RR_TYPE_SRV:
        case LDNS_RR_TYPE_DNAME:
        case LDNS_RR_TYPE_A6:
        case LDNS_RR_TYPE_RRSIG:
            return true;
        default:
            return false;
    }
}

// Canonical form (RFC 4034 §6.2: names lower-cased) so that answers from different servers compare
// equal when they carry the same data. Same text as ldns_rr2canonical on a clone, then
// ldns_rdf2str on each field, without the clone.
Record to_record(const ldns_rr* rr) {
    Record rec;
    rec.type = static_cast<uint16_t>(ldns_rr_get_type(rr));
    rec.ttl = ldns_rr_ttl(rr);
    const ldns_rdf* owner = ldns_rr_owner(rr);
    if (owner != nullptr) {
        if (ldns_rdf_get_type(owner) == LDNS_RDF_TYPE_DNAME) {
            append_dname(owner, true, rec.owner);
        } else {
            rec.owner = rdf_text(owner);
        }
    }
    const bool lower = canonical_rdata_names(ldns_rr_get_type(rr));
    const size_t count = ldns_rr_rd_count(rr);
    for (size_t i = 0; i < count; ++i) {
        if (i > 0) rec.rdata += ' ';
        append_rdf(ldns_rr_rdf(rr, i), lower, rec.rdata);
    }
    return rec;
}

std::vector<Record> section(const ldns_rr_list* list) {
    std::vector<Record> out;
    if (list == nullptr) return out;
    out.reserve(ldns_rr_list_rr_count(list));
    for (size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
        out.push_back(to_record(ldns_rr_list_rr(list, i)));
    }
    if (out.size() > 1) std::sort(out.begin(), out.end());
    return out;
}

// The first SOA in the answer section, from its rdfs directly (no clone, no second printing).
std::optional<SoaFields> soa_from(const ldns_rr_list* answer) {
    if (answer == nullptr) return std::nullopt;
    for (size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(answer, i);
        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA || ldns_rr_rd_count(rr) != 7) continue;
        SoaFields soa;
        append_rdf(ldns_rr_rdf(rr, 0), true, soa.mname);
        append_rdf(ldns_rr_rdf(rr, 1), true, soa.rname);
        soa.serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
        soa.refresh = ldns_rdf2native_int32(ldns_rr_rdf(rr, 3));
        soa.retry = ldns_rdf2native_int32(ldns_rr_rdf(rr, 4));
        soa.expire = ldns_rdf2native_int32(ldns_rr_rdf(rr, 5));
        soa.minimum = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
        soa.ttl = ldns_rr_ttl(rr);
        return soa;
    }
    return std::nullopt;
}

// NSID payload (option 3) from the raw EDNS option bytes: printable text as is, otherwise hex.
std::string nsid_from(const ldns_rdf* options) {
    if (options == nullptr) return {};
    const uint8_t* p = ldns_rdf_data(options);
    size_t left = ldns_rdf_size(options);
    while (left >= 4) {
        const unsigned code = (p[0] << 8) | p[1];
        const size_t len = (p[2] << 8) | p[3];
        if (len > left - 4) return {};  // option runs past the end: ignore the rest
        if (code == 3) {
            const bool printable =
                std::all_of(p + 4, p + 4 + len, [](uint8_t c) { return std::isprint(c) != 0; });
            if (printable) return std::string(reinterpret_cast<const char*>(p + 4), len);
            static constexpr char kHex[] = "0123456789abcdef";
            std::string hex;
            for (size_t i = 0; i < len; ++i) {
                hex += kHex[p[4 + i] >> 4];
                hex += kHex[p[4 + i] & 15];
            }
            return hex;
        }
        p += 4 + len;
        left -= 4 + len;
    }
    return {};
}

// The option codes in the raw OPT RDATA, in order. An option running past the end stops the walk
// (as in nsid_from): the options before it still count.
std::vector<uint16_t> option_codes_from(const ldns_rdf* options) {
    std::vector<uint16_t> codes;
    if (options == nullptr) return codes;
    const uint8_t* p = ldns_rdf_data(options);
    size_t left = ldns_rdf_size(options);
    while (left >= 4) {
        const size_t len = (p[2] << 8) | p[3];
        if (len > left - 4) break;
        codes.push_back(static_cast<uint16_t>((p[0] << 8) | p[1]));
        p += 4 + len;
        left -= 4 + len;
    }
    return codes;
}

// The Extended DNS Errors (RFC 8914) among the reply's EDNS options, through ldns's option list
// (owned by the packet).
std::vector<ExtendedError> extended_errors_from(ldns_pkt* pkt) {
    std::vector<ExtendedError> out;
    if (!ldns_pkt_edns(pkt) || ldns_pkt_edns_data(pkt) == nullptr) return out;
    const ldns_edns_option_list* list = ldns_pkt_edns_get_option_list(pkt);
    if (list == nullptr) return out;
    for (size_t i = 0; i < ldns_edns_option_list_get_count(list); ++i) {
        const ldns_edns_option* o = ldns_edns_option_list_get_option(list, i);
        if (o == nullptr || ldns_edns_get_code(o) != kEdnsOptionExtendedError) continue;
        ExtendedError e;
        if (parse_extended_error(static_cast<const uint8_t*>(ldns_edns_get_data(o)),
                                 ldns_edns_get_size(o), e)) {
            out.push_back(std::move(e));
        }
    }
    return out;
}

struct RdfFree {
    void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
using RdfPtr = std::unique_ptr<ldns_rdf, RdfFree>;

bool question_matches(const ldns_pkt* pkt, const Query& q, const ldns_rdf* asked,
                      std::string& why) {
    const ldns_rr_list* qs = ldns_pkt_question(pkt);
    if (qs == nullptr || ldns_rr_list_rr_count(qs) != 1) {
        why = "reply carries " + std::to_string(qs ? ldns_rr_list_rr_count(qs) : 0) +
              " questions, expected 1";
        return false;
    }
    const ldns_rr* rr = ldns_rr_list_rr(qs, 0);
    const bool same_name = asked != nullptr && ldns_dname_compare(asked, ldns_rr_owner(rr)) == 0;
    const bool same_type = ldns_rr_get_type(rr) == static_cast<ldns_rr_type>(q.type);
    const bool same_class = ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN;
    if (same_name && same_type && same_class) return true;
    why = "reply is for " + rdf_text(ldns_rr_owner(rr)) + " type " +
          std::to_string(ldns_rr_get_type(rr)) + ", asked " + q.name + " type " +
          std::to_string(q.type);
    return false;
}

// A CNAME chain longer than this is not followed further (RFC 1034 allows chains, servers cap
// them at about 8-16); it also bounds the work a hostile reply can cause.
constexpr size_t kMaxChain = 16;

// Every answer record must be owned by the question name, or by a name a CNAME in the answer
// leads to from it, or be a DNAME above one of those names (RFC 6672 §2.3). For an SOA question
// the SOA itself must be owned by the question name (the zone apex): a CNAME to another zone's
// SOA is that zone's serial, not ours. Anything else would let one zone's data pass as another's.
bool answer_owners_match(const ldns_pkt* pkt, const Query& q, const ldns_rdf* asked,
                         std::string& why) {
    const ldns_rr_list* answer = ldns_pkt_answer(pkt);
    const size_t n = answer != nullptr ? ldns_rr_list_rr_count(answer) : 0;
    if (n == 0 || asked == nullptr) return true;
    std::vector<const ldns_rdf*> names{asked};
    std::vector<bool> accepted(n, false);
    auto owned_by_chain = [&names](const ldns_rdf* owner) {
        for (const ldns_rdf* name : names) {
            if (ldns_dname_compare(owner, name) == 0) return true;
        }
        return false;
    };
    auto above_chain = [&names](const ldns_rdf* owner) {
        for (const ldns_rdf* name : names) {
            if (ldns_dname_is_subdomain(name, owner)) return true;
        }
        return false;
    };
    // Chains may come in any order: repeat while a CNAME added a name (at most kMaxChain times).
    for (bool grew = true; grew;) {
        grew = false;
        for (size_t i = 0; i < n; ++i) {
            if (accepted[i]) continue;
            const ldns_rr* rr = ldns_rr_list_rr(answer, i);
            const ldns_rdf* owner = ldns_rr_owner(rr);
            const ldns_rr_type type = ldns_rr_get_type(rr);
            if (owned_by_chain(owner)) {
                accepted[i] = true;
                const ldns_rdf* target = ldns_rr_rdf(rr, 0);
                if (type == LDNS_RR_TYPE_CNAME && target != nullptr &&
                    ldns_rdf_get_type(target) == LDNS_RDF_TYPE_DNAME && names.size() <= kMaxChain &&
                    !owned_by_chain(target)) {
                    names.push_back(target);
                    grew = true;
                }
            } else if (type == LDNS_RR_TYPE_DNAME && above_chain(owner)) {
                accepted[i] = true;
            }
        }
    }
    for (size_t i = 0; i < n; ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(answer, i);
        const ldns_rr_type type = ldns_rr_get_type(rr);
        const bool foreign_soa = q.type == LDNS_RR_TYPE_SOA && type == LDNS_RR_TYPE_SOA &&
                                 ldns_dname_compare(ldns_rr_owner(rr), asked) != 0;
        if (accepted[i] && !foreign_soa) continue;
        std::string rdatas;
        if (type == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) == 7) {
            rdatas = " serial " + std::to_string(ldns_rdf2native_int32(ldns_rr_rdf(rr, 2)));
        }
        why = (type == LDNS_RR_TYPE_SOA ? "SOA" : "answer record") + rdatas + " is owned by " +
              rdf_text(ldns_rr_owner(rr)) + ", not " +
              (q.type == LDNS_RR_TYPE_SOA ? "the zone apex " : "the question ") + rdf_text(asked);
        return false;
    }
    return true;
}

Outcome outcome_for_rcode(int rcode) {
    switch (rcode) {
        case LDNS_RCODE_NOERROR:
            return Outcome::ok;
        case LDNS_RCODE_NXDOMAIN:
            return Outcome::nxdomain;
        case LDNS_RCODE_SERVFAIL:
            return Outcome::servfail;
        case LDNS_RCODE_REFUSED:
            return Outcome::refused;
        default:
            return Outcome::formerr;  // FORMERR, NOTIMP, BADVERS...: detail names the rcode
    }
}

}  // namespace

namespace {

// The checks after parsing, in their fixed order; sets outcome and detail.
void judge(const ldns_pkt* pkt, const ReplyExpectation& expect, ProbeResult& out) {
    if (expect.expected_id >= 0 && ldns_pkt_id(pkt) != expect.expected_id) {
        out.outcome = Outcome::id_mismatch;
        out.detail = "reply ID " + std::to_string(ldns_pkt_id(pkt)) + ", query ID " +
                     std::to_string(expect.expected_id);
        return;
    }
    if (!ldns_pkt_qr(pkt)) {
        out.outcome = Outcome::malformed;
        out.detail = "QR bit not set: the message is a query, not a reply";
        return;
    }
    if (ldns_pkt_get_opcode(pkt) != LDNS_PACKET_QUERY) {
        out.outcome = Outcome::malformed;
        out.detail =
            "reply opcode " + std::to_string(ldns_pkt_get_opcode(pkt)) + ", expected QUERY (0)";
        return;
    }
    // Servers may drop the question from an error reply (FORMERR, NOTIMP); that is not a mismatch.
    const bool errors_without_question =
        out.rcode != LDNS_RCODE_NOERROR && ldns_pkt_qdcount(pkt) == 0;
    std::string why;
    if (expect.query != nullptr) {
        const std::string& name = expect.query->name;
        // The name as sent when the engine kept it: an rdf over those octets (ldns's own struct,
        // set through its setters; nothing is freed), else parsed from the text again.
        ldns_rdf sent{};
        RdfPtr parsed;
        if (!expect.asked_wire.empty()) {
            ldns_rdf_set_size(&sent, expect.asked_wire.size());
            ldns_rdf_set_type(&sent, LDNS_RDF_TYPE_DNAME);
            ldns_rdf_set_data(&sent, const_cast<uint8_t*>(expect.asked_wire.data()));
        } else {
            parsed.reset(ldns_dname_new_frm_str(name.empty() ? "." : name.c_str()));
        }
        const ldns_rdf* asked = expect.asked_wire.empty() ? parsed.get() : &sent;
        if (!errors_without_question && !question_matches(pkt, *expect.query, asked, why)) {
            out.outcome = Outcome::question_mismatch;
            out.detail = why;
            return;
        }
        if (!answer_owners_match(pkt, *expect.query, asked, why)) {
            out.outcome = Outcome::wrong_owner;
            out.detail = why;
            out.soa.reset();  // another name's SOA: its serial must not count for this zone
            return;
        }
    }
    out.outcome = outcome_for_rcode(out.rcode);
    if (out.outcome == Outcome::formerr) {
        out.detail = "rcode " + rcode_name(out.rcode) + " (" + std::to_string(out.rcode) + ")";
        return;
    }
    if (out.outcome != Outcome::ok) {
        char* name = ldns_pkt_rcode2str(static_cast<ldns_pkt_rcode>(out.rcode));
        out.detail = "rcode " + std::string(name ? name : "?");
        std::free(name);
        return;
    }
    if (out.tc) {
        out.outcome = Outcome::truncated;
        out.detail = "TC set: the reply did not fit";
        return;
    }
    if (expect.expect_authoritative && !out.aa) {
        out.outcome = Outcome::not_authoritative;
        out.detail = "NOERROR without AA: the server does not claim authority";
        return;
    }
    out.detail.clear();
}

}  // namespace

void parse_reply(std::span<const uint8_t> bytes, const ReplyExpectation& expect, ProbeResult& out) {
    out.reply_size = bytes.size();
    out.rcode = -1;
    if (bytes.size() < LDNS_HEADER_SIZE) {
        out.outcome = Outcome::malformed;
        out.detail =
            "reply is " + std::to_string(bytes.size()) + " bytes, shorter than a DNS header (12)";
        return;
    }
    ldns_pkt* raw = nullptr;
    const ldns_status status = ldns_wire2pkt(&raw, bytes.data(), bytes.size());
    PktPtr pkt(raw);
    if (status != LDNS_STATUS_OK || !pkt) {
        out.outcome = Outcome::malformed;
        out.detail = std::string("reply does not parse: ") + ldns_get_errorstr_by_id(status);
        return;
    }
    out.aa = ldns_pkt_aa(pkt.get());
    out.tc = ldns_pkt_tc(pkt.get());
    out.ra = ldns_pkt_ra(pkt.get());
    out.ad = ldns_pkt_ad(pkt.get());
    out.has_opt = ldns_pkt_edns(pkt.get());
    out.rcode = (ldns_pkt_edns_extended_rcode(pkt.get()) << 4) | ldns_pkt_get_rcode(pkt.get());
    out.answer = section(ldns_pkt_answer(pkt.get()));
    out.soa = soa_from(ldns_pkt_answer(pkt.get()));
    out.nsid = nsid_from(ldns_pkt_edns_data(pkt.get()));
    out.edns_version = out.has_opt ? ldns_pkt_edns_version(pkt.get()) : 0;
    out.edns_do = out.has_opt && ldns_pkt_edns_do(pkt.get());
    out.edns_option_codes = option_codes_from(ldns_pkt_edns_data(pkt.get()));
    // ldns builds its option list with an allocation per option: only for the rare reply with one.
    if (std::find(out.edns_option_codes.begin(), out.edns_option_codes.end(),
                  kEdnsOptionExtendedError) != out.edns_option_codes.end()) {
        out.extended_errors = extended_errors_from(pkt.get());
    }
    judge(pkt.get(), expect, out);
    if (expect.ok_extra_sections || out.outcome != Outcome::ok) {
        out.authority = section(ldns_pkt_authority(pkt.get()));
        out.additional = section(ldns_pkt_additional(pkt.get()));
    } else {
        out.authority.clear();
        out.additional.clear();
    }
}

}  // namespace nswatch

namespace nswatch {

uint32_t reply_digest(std::span<const uint8_t> bytes) {
    const size_t skip = std::min<size_t>(bytes.size(), 2);  // the ID differs every time
    const std::string_view rest(reinterpret_cast<const char*>(bytes.data()) + skip,
                                bytes.size() - skip);
    const uint64_t h = std::hash<std::string_view>()(rest);
    const auto folded = static_cast<uint32_t>(h ^ (h >> 32));
    return folded == 0 ? 1 : folded;
}

void read_reply_header(std::span<const uint8_t> bytes, ProbeResult& out) {
    if (bytes.size() < LDNS_HEADER_SIZE) return;
    const uint8_t* wire = bytes.data();
    out.reply_size = bytes.size();
    out.rcode = LDNS_RCODE_WIRE(wire);
    out.aa = LDNS_AA_WIRE(wire) != 0;
    out.tc = LDNS_TC_WIRE(wire) != 0;
    out.ra = LDNS_RA_WIRE(wire) != 0;
    out.ad = LDNS_AD_WIRE(wire) != 0;
    out.outcome = outcome_for_rcode(out.rcode);
}

}  // namespace nswatch
