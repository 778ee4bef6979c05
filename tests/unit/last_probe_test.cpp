// LastProbe: the compact last result of a target, and the sharing of its reply part.
#include "monitor/last_probe.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

ProbeResult full_result() {
    ProbeResult r;
    r.target = Target{"shop.test", "ns1.alpha.test", "192.0.2.1", Family::ipv4, "alpha",
                      "fra",       Transport::tcp,   5353};
    r.query.name = "shop.test";
    r.query.type = 6;
    r.query.recursion_desired = true;
    r.query.edns = true;
    r.query.edns_buffer_size = 1400;
    r.query.nsid = false;
    r.query.dnssec_ok = true;
    r.sent_wall = std::chrono::system_clock::time_point{} + 1764800000s;
    r.rtt = 1500us;
    r.outcome = Outcome::ok;
    r.rcode = 0;
    r.aa = true;
    r.tc = false;
    r.ra = true;
    r.ad = true;
    r.soa = SoaFields{"ns1.alpha.test.", "hostmaster.shop.test.", 7, 3600, 600, 1209600, 300, 60};
    r.answer = {
        {"shop.test.", 6, 60, "ns1.alpha.test. hostmaster.shop.test. 7 3600 600 1209600 300"},
        {"shop.test.", 46, 60, "SOA 13 2 60 20261231000000 20261201000000 1 shop.test. a"}};
    r.authority = {{"shop.test.", 2, 60, "ns1.alpha.test."}};
    r.additional = {{"ns1.alpha.test.", 1, 60, "192.0.2.1"}};
    r.nsid = "node-7";
    r.has_opt = true;
    r.reply_size = 512;
    r.retried_from_tc = true;
    r.detail = "";
    return r;
}

}  // namespace

TEST_CASE("last probe: back to the ProbeResult the status API shows, without extra sections") {
    const ProbeResult r = full_result();
    const LastProbe l = keep_last(r);
    ProbeResult shown = r;
    shown.authority.clear();
    shown.additional.clear();
    CHECK(to_probe_result(l, r.target) == shown);
    CHECK(l.soa() == r.soa);
    CHECK(l.answer() == r.answer);
    CHECK(l.nsid() == "node-7");
    CHECK(l.rtt_seconds() == Approx(0.0015));
}

TEST_CASE("last probe: a timeout keeps its detail, an empty result keeps no shared part") {
    ProbeResult r;
    r.outcome = Outcome::timeout;
    r.detail = "no reply within 2 s";
    const LastProbe l = keep_last(r);
    CHECK(l.detail() == "no reply within 2 s");
    CHECK_FALSE(l.soa());
    CHECK(l.answer().empty());
    CHECK(to_probe_result(l, r.target) == r);

    const LastProbe empty = keep_last(ProbeResult{});
    CHECK(empty.reply == nullptr);
    CHECK(empty.nsid().empty());
    CHECK(to_probe_result(empty, Target{}) == ProbeResult{});
}

TEST_CASE("last probe: equal replies are shared, different ones are not") {
    LastReplies replies;
    ProbeResult a = full_result();
    ProbeResult b = a;
    b.target.address = "192.0.2.2";
    b.rtt = 3ms;  // scalars are per target
    ProbeResult c = a;
    c.nsid = "node-8";
    const LastProbe la = keep_last(a, replies);
    const LastProbe lb = keep_last(b, replies);
    const LastProbe lc = keep_last(c, replies);
    CHECK(la.reply == lb.reply);
    CHECK(la.reply != lc.reply);
    CHECK(lb.rtt == 3ms);
    CHECK(lc.nsid() == "node-8");

    // A reply held from before (a target's previous one) is reused by an equal result.
    LastReplies next;
    next.hold(la.reply);
    next.hold(la.reply);  // held once
    CHECK(keep_last(b, next).reply == la.reply);
}

TEST_CASE("last probe: equality compares the shared part by value") {
    const ProbeResult r = full_result();
    const LastProbe x = keep_last(r);
    const LastProbe y = keep_last(r);
    CHECK(x.reply != y.reply);
    CHECK(x == y);
    ProbeResult other = r;
    other.answer.pop_back();
    CHECK_FALSE(x == keep_last(other));
    LastProbe z = y;
    z.rcode = 2;
    CHECK_FALSE(x == z);
}
