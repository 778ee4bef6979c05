#include "monitor/last_probe.hpp"

#include <algorithm>
#include <limits>

namespace nswatch {

namespace {

const LastReply& empty_reply() {
    static const LastReply empty;
    return empty;
}

LastReply reply_of(const ProbeResult& r) {
    return LastReply{r.query.name, r.soa, r.answer, r.nsid, r.detail, r.extended_errors};
}

}  // namespace

const std::optional<SoaFields>& LastProbe::soa() const {
    return (reply ? *reply : empty_reply()).soa;
}

const std::vector<Record>& LastProbe::answer() const {
    return (reply ? *reply : empty_reply()).answer;
}

const std::string& LastProbe::nsid() const {
    return (reply ? *reply : empty_reply()).nsid;
}

const std::string& LastProbe::detail() const {
    return (reply ? *reply : empty_reply()).detail;
}

const std::vector<ExtendedError>& LastProbe::extended_errors() const {
    return (reply ? *reply : empty_reply()).extended_errors;
}

bool LastProbe::operator==(const LastProbe& o) const {
    const LastReply& a = reply ? *reply : empty_reply();
    const LastReply& b = o.reply ? *o.reply : empty_reply();
    return sent_wall == o.sent_wall && rtt == o.rtt && reply_size == o.reply_size &&
           outcome == o.outcome && rcode == o.rcode && query_type == o.query_type &&
           edns_buffer_size == o.edns_buffer_size && aa == o.aa && tc == o.tc && ra == o.ra &&
           ad == o.ad && has_opt == o.has_opt && retried_from_tc == o.retried_from_tc &&
           recursion_desired == o.recursion_desired && edns == o.edns &&
           nsid_asked == o.nsid_asked && dnssec_ok == o.dnssec_ok && a == b;
}

std::shared_ptr<const LastReply> LastReplies::share(const ProbeResult& r) {
    if (r.query.name.empty() && !r.soa && r.answer.empty() && r.nsid.empty() && r.detail.empty() &&
        r.extended_errors.empty())
        return nullptr;
    // Compared field by field against the result itself: no LastReply is built for a hit.
    for (const auto& h : held_) {
        if (h->query_name == r.query.name && h->soa == r.soa && h->answer == r.answer &&
            h->nsid == r.nsid && h->detail == r.detail && h->extended_errors == r.extended_errors) {
            return h;
        }
    }
    held_.push_back(std::make_shared<const LastReply>(reply_of(r)));
    return held_.back();
}

void LastReplies::hold(std::shared_ptr<const LastReply> reply) {
    if (!reply) return;
    for (const auto& h : held_) {
        if (h == reply || *h == *reply) return;
    }
    held_.push_back(std::move(reply));
}

LastProbe keep_last(const ProbeResult& r, LastReplies& replies) {
    LastProbe l;
    l.sent_wall = r.sent_wall;
    l.rtt = r.rtt;
    l.reply_size =
        static_cast<uint32_t>(std::min<size_t>(r.reply_size, std::numeric_limits<uint32_t>::max()));
    l.outcome = r.outcome;
    l.rcode = static_cast<int16_t>(r.rcode);
    l.query_type = r.query.type;
    l.edns_buffer_size = r.query.edns_buffer_size;
    l.aa = r.aa;
    l.tc = r.tc;
    l.ra = r.ra;
    l.ad = r.ad;
    l.has_opt = r.has_opt;
    l.retried_from_tc = r.retried_from_tc;
    l.recursion_desired = r.query.recursion_desired;
    l.edns = r.query.edns;
    l.nsid_asked = r.query.nsid;
    l.dnssec_ok = r.query.dnssec_ok;
    l.reply = replies.share(r);
    return l;
}

LastProbe keep_last(const ProbeResult& r) {
    LastReplies own;
    return keep_last(r, own);
}

ProbeResult to_probe_result(const LastProbe& last, const Target& target) {
    ProbeResult r;
    r.target = target;
    if (last.reply) r.query.name = last.reply->query_name;
    r.query.type = last.query_type;
    r.query.recursion_desired = last.recursion_desired;
    r.query.edns = last.edns;
    r.query.edns_buffer_size = last.edns_buffer_size;
    r.query.nsid = last.nsid_asked;
    r.query.dnssec_ok = last.dnssec_ok;
    r.sent_wall = last.sent_wall;
    r.rtt = last.rtt;
    r.outcome = last.outcome;
    r.rcode = last.rcode;
    r.aa = last.aa;
    r.tc = last.tc;
    r.ra = last.ra;
    r.ad = last.ad;
    r.soa = last.soa();
    r.answer = last.answer();
    r.nsid = last.nsid();
    r.has_opt = last.has_opt;
    r.reply_size = last.reply_size;
    r.retried_from_tc = last.retried_from_tc;
    r.detail = last.detail();
    r.extended_errors = last.extended_errors();
    return r;
}

}  // namespace nswatch
