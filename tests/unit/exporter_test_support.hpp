// Shared by the exporter_* and metrics_* tests: a hand-built Snapshot with one healthy provider and
// one that is behind and down (and hostile strings from DNS), and a tiny libcurl client.
#pragma once

#include <curl/curl.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "exporter/http_server.hpp"
#include "monitor/zone_state.hpp"

namespace nswatch::test {

/// Server options with these addresses and the default limits.
inline HttpServerOptions http_options(std::vector<std::string> listen) {
    HttpServerOptions o;
    o.listen = std::move(listen);
    return o;
}

/// 2026-11-22T06:00:00.123456789Z: nanoseconds, to prove the JSON keeps them.
inline WallTime sample_time() {
    return WallTime(std::chrono::duration_cast<WallTime::duration>(
        std::chrono::seconds(1795327200) + std::chrono::nanoseconds(123456789)));
}

inline Target sample_target(std::string provider, std::string ns, std::string address,
                            Family family = Family::ipv4, Transport transport = Transport::udp) {
    Target t;
    t.zone = "shop.test";
    t.nameserver = std::move(ns);
    t.address = std::move(address);
    t.family = family;
    t.provider = std::move(provider);
    t.vantage = "fra";
    t.transport = transport;
    return t;
}

/// alpha: current and up, NSID "<script>..."; beta: 2 versions behind for 120.5 s, down, timing
/// out.
inline Snapshot sample_snapshot() {
    const WallTime now = sample_time();
    Snapshot s;
    s.taken = now;
    s.vantage = "fra";

    ZoneState z;
    z.zone = "shop.test";
    z.newest_serial = 2026112203;
    z.newest_first_seen = now - std::chrono::seconds(120);
    z.rounds = 42;
    z.updated = now;
    z.delegation.consistent = false;
    z.delegation.only_in_parent = {"ns-old.beta.test"};
    z.delegation.discovered = now - std::chrono::hours(1);

    TargetState a;
    a.target = sample_target("alpha", "ns1.alpha.test", "192.0.2.1");
    ProbeResult la;
    la.target = a.target.full();
    la.query.name = "shop.test";
    la.sent_wall = now;
    la.rtt = std::chrono::microseconds(1500);
    la.outcome = Outcome::ok;
    la.rcode = 0;
    la.aa = true;
    la.soa = SoaFields{
        "ns1.alpha.test.", "hostmaster.shop.test.", 2026112203, 3600, 600, 1209600, 300, 3600};
    la.answer = {{"shop.test.", 6, 3600,
                  "ns1.alpha.test. hostmaster.shop.test. 2026112203 3600 600 1209600 300"}};
    la.nsid = "<script>alert(1)</script>";
    la.has_opt = true;
    la.reply_size = 97;
    a.last = keep_last(la);
    a.serial_state = SerialState::current;
    a.serial = 2026112203;
    a.last_success = now;
    a.probes = 42;
    a.known = true;

    TargetState b;
    b.target = sample_target("beta", "ns1.beta.test", "2001:db8::53", Family::ipv6);
    ProbeResult lb;
    lb.target = b.target.full();
    lb.query.name = "shop.test";
    lb.sent_wall = now;
    lb.rtt = std::chrono::seconds(2);
    lb.outcome = Outcome::timeout;
    lb.detail = "no reply within 2 s & <b>gone</b>";
    b.last = keep_last(lb);
    b.serial_state = SerialState::no_answer;
    b.serial = 2026112201;
    b.behind_by = 2;
    b.lag_seconds = 120.5;
    b.up = false;
    b.known = true;
    b.consecutive_failures = 3;
    b.last_success = now - std::chrono::seconds(150);
    b.probes = 42;
    b.failures = 3;

    z.targets = {a, b};
    z.providers = {{InternedName("alpha"), 1, 1, true, false, 0, 0},
                   {InternedName("beta"), 1, 0, false, true, 120.5, 2}};
    s.zones.push_back(z);
    s.recent_failures.push_back(lb);
    return s;
}

inline SnapshotPtr sample_snapshot_ptr() {
    return std::make_shared<const Snapshot>(sample_snapshot());
}

/// Run a shell command: its exit status (-1 if it could not run) and standard output (add
/// " 2>&1" to the command for standard error too).
inline std::pair<int, std::string> run_shell(const std::string& command) {
    std::string out;
    FILE* p = popen(command.c_str(), "r");
    if (p == nullptr) return {-1, ""};
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    const int status = pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

/// One HTTP exchange as the tests see it.
struct HttpReply {
    long status = 0;           ///< HTTP status, 0 if the exchange failed
    std::string content_type;  ///< Content-Type header
    std::string body;          ///< response body
    std::string error;         ///< curl's error text when status is 0
};

/// `method` "GET", "HEAD" or any other verb sent as a custom request.
inline HttpReply http_fetch(const std::string& url, const std::string& method = "GET") {
    HttpReply reply;
    CURL* curl = curl_easy_init();
    auto write = +[](char* data, size_t size, size_t n, void* out) {
        static_cast<std::string*>(out)->append(data, size * n);
        return size * n;
    };
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    if (method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (method != "GET") {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    const CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
        char* ct = nullptr;
        curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct);
        if (ct != nullptr) reply.content_type = ct;
    } else {
        reply.error = curl_easy_strerror(rc);
    }
    curl_easy_cleanup(curl);
    return reply;
}

}  // namespace nswatch::test

#include <prometheus/metric_family.h>

#include <map>
#include <vector>

namespace nswatch::test {

/// The sample of family `name` whose labels include all of `labels`; null if none.
inline const prometheus::ClientMetric* find_metric(
    const std::vector<prometheus::MetricFamily>& families, const std::string& name,
    const std::map<std::string, std::string>& labels) {
    for (const auto& f : families) {
        if (f.name != name) continue;
        for (const auto& m : f.metric) {
            size_t matched = 0;
            for (const auto& l : m.label) {
                auto it = labels.find(l.name);
                if (it != labels.end() && it->second == l.value) ++matched;
            }
            if (matched == labels.size()) return &m;
        }
    }
    return nullptr;
}

}  // namespace nswatch::test
