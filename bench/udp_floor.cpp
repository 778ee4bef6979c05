// nswatch_bench_udp_floor: the least CPU a client spends per UDP DNS query on this machine, as a
// floor under what any prober (nswatch, dnsperf) can reach for the same questions.
//
// IMPLEMENTATION NOTES
// - Nothing but the system calls a query needs: every query is built once, up front, with ldns;
//   one connected UDP socket per server address; a batch of `batch` queries per socket leaves in
//   one sendmmsg, and the replies are read with recvmmsg (up to 64 per call) after one poll, then
//   the next batch goes. Replies are counted, not parsed. The bigger the batch, the fewer system
//   calls per query: with --batch 64 what remains is the kernel's per-datagram cost (sending
//   through loopback, which also delivers to the server's socket, and reading).
// - Client CPU is getrusage(RUSAGE_SELF) user+sys over the whole send/receive loop, divided by the
//   replies received. A reply that does not come within --timeout ends its batch (counted lost).
#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "bench/process_cpu.hpp"

namespace {

struct Options {
    std::vector<std::string> servers;
    uint16_t port = 53;
    std::string queries_file;
    size_t count = 200000;
    size_t batch = 64;
    int timeout_ms = 1000;
    int settle_us = 0;  ///< --settle: sleep this long after a batch is sent, before reading
    bool edns = true;
    bool dnssec_ok = false;
};

[[noreturn]] void fail(const std::string& why) {
    std::fprintf(stderr, "nswatch_bench_udp_floor: %s\n", why.c_str());
    std::exit(2);
}

Options parse_args(int argc, char** argv) {
    Options o;
    CLI::App app{
        "The least client CPU per UDP DNS query on this machine: queries built once, "
        "sendmmsg/recvmmsg only, replies counted, not parsed."};
    app.add_option("--queries", o.queries_file, "Queries, dnsperf format: NAME TYPE per line")
        ->required();
    app.add_option("--server", o.servers, "Server address (repeat for several)")->required();
    app.add_option("--port", o.port, "Server port")->capture_default_str();
    app.add_option("--count", o.count, "Queries to send in all")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000000000));
    app.add_option("--batch", o.batch, "Queries per address in one sendmmsg")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    app.add_option("--settle", o.settle_us, "Microseconds to wait after a batch, before reading")
        ->capture_default_str()
        ->check(CLI::Range(0, 1000000));
    app.add_option("--timeout", o.timeout_ms, "Milliseconds to wait for a batch's replies")
        ->capture_default_str()
        ->check(CLI::Range(1, 600000));
    bool no_edns = false;
    app.add_flag("--no-edns", no_edns, "Queries without an OPT record");
    app.add_flag("--dnssec-ok", o.dnssec_ok, "Set the DO bit");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        std::exit(app.exit(e));
    }
    o.edns = !no_edns;
    return o;
}

/// Every query of the file in wire form (ID 0; the sender numbers them).
std::vector<std::vector<uint8_t>> build_queries(const Options& o) {
    std::ifstream in(o.queries_file);
    if (!in) fail("cannot read the queries file " + o.queries_file);
    std::vector<std::vector<uint8_t>> out;
    std::string name, type;
    while (in >> name >> type) {
        ldns_rdf* owner = ldns_dname_new_frm_str(name.c_str());
        const ldns_rr_type t = ldns_get_rr_type_by_name(type.c_str());
        if (owner == nullptr || t == 0) fail("not a NAME TYPE line: " + name + " " + type);
        ldns_pkt* pkt = ldns_pkt_query_new(owner, t, LDNS_RR_CLASS_IN, 0);
        if (o.edns) {
            ldns_pkt_set_edns_udp_size(pkt, 1232);
            ldns_pkt_set_edns_do(pkt, o.dnssec_ok);
        }
        uint8_t* wire = nullptr;
        size_t len = 0;
        if (ldns_pkt2wire(&wire, pkt, &len) != LDNS_STATUS_OK)
            fail("ldns could not build a query for " + name);
        out.emplace_back(wire, wire + len);
        std::free(wire);
        ldns_pkt_free(pkt);
    }
    if (out.empty()) fail("the queries file holds no query");
    return out;
}

int connect_to(const std::string& addr, uint16_t port) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    int family = AF_INET;
    if (addr.find(':') == std::string::npos) {
        auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        if (inet_pton(AF_INET, addr.c_str(), &s4->sin_addr) != 1) fail("not an address: " + addr);
        len = sizeof *s4;
    } else {
        family = AF_INET6;
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        if (inet_pton(AF_INET6, addr.c_str(), &s6->sin6_addr) != 1) fail("not an address: " + addr);
        len = sizeof *s6;
    }
    const int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        std::perror("socket/connect");
        std::exit(1);
    }
    return fd;
}

}  // namespace

int main(int argc, char** argv) {
    const Options opt = parse_args(argc, argv);
    std::vector<std::vector<uint8_t>> queries = build_queries(opt);
    std::vector<int> fds;
    for (const auto& s : opt.servers) fds.push_back(connect_to(s, opt.port));

    const size_t per_round = opt.batch * fds.size();
    std::vector<std::vector<uint8_t>> out(per_round);
    std::vector<iovec> out_iov(per_round);
    std::vector<mmsghdr> out_msgs(per_round);
    constexpr size_t kReadBatch = 64;
    std::vector<std::array<uint8_t, 1500>> in_buf(kReadBatch);
    std::vector<iovec> in_iov(kReadBatch);
    std::vector<mmsghdr> in_msgs(kReadBatch);
    for (size_t i = 0; i < kReadBatch; ++i) in_iov[i] = {in_buf[i].data(), in_buf[i].size()};

    uint64_t sent = 0, received = 0, lost = 0, reads = 0;
    size_t next = 0;
    uint16_t id = 1;
    const double cpu0 = nswatch::bench::process_cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    while (sent < opt.count) {
        // A batch per socket, each query its own copy with its own ID.
        for (size_t s = 0; s < fds.size(); ++s) {
            for (size_t k = 0; k < opt.batch; ++k) {
                const size_t i = s * opt.batch + k;
                out[i] = queries[next];
                next = (next + 1) % queries.size();
                out[i][0] = static_cast<uint8_t>(id >> 8);
                out[i][1] = static_cast<uint8_t>(id & 0xff);
                ++id;
                out_iov[i] = {out[i].data(), out[i].size()};
                out_msgs[i] = {};
                out_msgs[i].msg_hdr.msg_iov = &out_iov[i];
                out_msgs[i].msg_hdr.msg_iovlen = 1;
            }
            const int n =
                sendmmsg(fds[s], &out_msgs[s * opt.batch], static_cast<unsigned>(opt.batch), 0);
            if (n > 0) sent += static_cast<uint64_t>(n);
        }
        // A pause lets the replies gather, so that each recvmmsg takes many (fewer calls per
        // query).
        if (opt.settle_us > 0) usleep(static_cast<useconds_t>(opt.settle_us));
        // Read until every reply of the batch is in, or the timeout passes.
        uint64_t expected = per_round;
        std::vector<pollfd> pfds;
        for (const int fd : fds) pfds.push_back({fd, POLLIN, 0});
        while (expected > 0) {
            if (poll(pfds.data(), pfds.size(), opt.timeout_ms) <= 0) break;
            for (const auto& p : pfds) {
                if (!(p.revents & POLLIN)) continue;
                for (;;) {
                    for (auto& m : in_msgs) {
                        m = {};
                        m.msg_hdr.msg_iov = &in_iov[&m - in_msgs.data()];
                        m.msg_hdr.msg_iovlen = 1;
                    }
                    const int n = recvmmsg(p.fd, in_msgs.data(), kReadBatch, MSG_DONTWAIT, nullptr);
                    ++reads;
                    if (n <= 0) break;
                    received += static_cast<uint64_t>(n);
                    expected -= std::min<uint64_t>(expected, static_cast<uint64_t>(n));
                    if (static_cast<size_t>(n) < kReadBatch) break;
                }
            }
        }
        lost += expected;
    }
    const double cpu = nswatch::bench::process_cpu_seconds() - cpu0;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (const int fd : fds) close(fd);

    std::printf(
        "udp floor: %zu server address(es), batch %zu per address, settle %d us, %zu distinct "
        "queries\n",
        fds.size(), opt.batch, opt.settle_us, queries.size());
    std::printf("  sent %llu, replies %llu, lost %llu in %.2f s (%.0f/s)\n",
                static_cast<unsigned long long>(sent), static_cast<unsigned long long>(received),
                static_cast<unsigned long long>(lost), elapsed,
                static_cast<double>(received) / elapsed);
    const double us = received ? cpu * 1e6 / static_cast<double>(received) : 0;
    std::printf("  client CPU %.3f s = %.2f us per query; %.1f replies per recvmmsg call\n", cpu,
                us, reads ? static_cast<double>(received) / static_cast<double>(reads) : 0.0);
    std::printf(
        "{\"bench\":\"udp_floor\",\"servers\":%zu,\"batch\":%zu,\"settle_us\":%d,\"sent\":%llu,"
        "\"replies\":%llu,"
        "\"lost\":%llu,\"cpu_s\":%.4f,\"cpu_us_per_query\":%.3f}\n",
        fds.size(), opt.batch, opt.settle_us, static_cast<unsigned long long>(sent),
        static_cast<unsigned long long>(received), static_cast<unsigned long long>(lost), cpu, us);
    return received > 0 && lost == 0 ? 0 : 1;
}
