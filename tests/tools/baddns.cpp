// nswatch_baddns: a tiny DNS server that misbehaves on purpose, for the replies no real server
// sends (wrong ID, wrong question, garbage, cut-off packets, a lying TCP length prefix, ...).
//
//   nswatch_baddns --listen 127.0.0.1 --port 0 --mode garbage [--zone shop.test] [--ignore-stdin]
//
// IMPLEMENTATION NOTES
// - One thread, one ppoll() loop over the UDP socket, the TCP listening socket (same port), every
//   accepted TCP connection, and stdin. stdin reaching EOF means the test that started us has
//   finished or died: we exit then, so a crashed test never leaves a server behind.
//   (--ignore-stdin is for running it by hand in the background, where stdin is /dev/null.)
// - SIGTERM/SIGINT are blocked outside ppoll(), which unblocks them atomically: a signal that
//   arrives between two loop turns is not lost while we sleep in the kernel.
// - "READY <port>" goes to stdout once both sockets are bound; that is the only line on stdout.
//   Everything else (one line per query) goes to stderr.
// - Port 0: the kernel picks a free UDP port and TCP binds the same number. Another process can
//   take that TCP port in between, so we retry with a fresh port a few times.
// - Replies are built with ldns, as a real server would. Only the modes whose point is a broken
//   wire format (garbage, short, truncated-packet, tcp-length-lie) touch raw bytes.
// - The zone served in `ok` mode is fixed: apex SOA (serial 2026112201) and NS, ns1/ns2 glue.
//   Names outside the zone get NXDOMAIN + SOA rather than the REFUSED a real authoritative server
//   would give: `refused` has its own mode, and this keeps `ok` answering every probe.
// - `ok` speaks EDNS version 0 only, as RFC 6891 §6.1.3 asks: a higher version gets BADVERS with
//   an OPT of version 0. `edns-version-ignored` answers every version as if it were 0 (the
//   NOERROR that Zonemaster NAMESERVER10 and nswatch's SRV-EDNS flag).

// ldns/common.h #defines bool, true and false when __bool_true_false_are_defined is unset, which
// breaks the C++ standard library included after it; <stdbool.h> sets that macro first.
#include <stdbool.h>
// clang-format off: the order above matters
#include <ldns/ldns.h>
// clang-format on

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nswatch {
namespace {

enum class Mode {
    ok,
    wrong_id,
    wrong_question,
    garbage,
    short_reply,
    truncated_packet,
    tcp_length_lie,
    tc_always,
    no_aa,
    refused,
    servfail,
    formerr,
    nxdomain,
    silent,
    edns_intolerant,
    edns_version_ignored,
};

struct ModeName {
    std::string_view name;
    Mode mode;
};

constexpr ModeName kModes[] = {
    {"ok", Mode::ok},
    {"wrong-id", Mode::wrong_id},
    {"wrong-question", Mode::wrong_question},
    {"garbage", Mode::garbage},
    {"short", Mode::short_reply},
    {"truncated-packet", Mode::truncated_packet},
    {"tcp-length-lie", Mode::tcp_length_lie},
    {"tc-always", Mode::tc_always},
    {"no-aa", Mode::no_aa},
    {"refused", Mode::refused},
    {"servfail", Mode::servfail},
    {"formerr", Mode::formerr},
    {"nxdomain", Mode::nxdomain},
    {"silent", Mode::silent},
    {"edns-intolerant", Mode::edns_intolerant},
    {"edns-version-ignored", Mode::edns_version_ignored},
};

std::optional<Mode> mode_from_name(std::string_view name) {
    for (const auto& m : kModes) {
        if (m.name == name) return m.mode;
    }
    return std::nullopt;
}

std::string_view mode_name(Mode mode) {
    for (const auto& m : kModes) {
        if (m.mode == mode) return m.name;
    }
    return "?";
}

enum class Transport { udp, tcp };

constexpr uint32_t kSerial = 2026112201;
constexpr std::string_view kNsid = "baddns-1";
constexpr uint16_t kEdnsBufferSize = 1232;
constexpr size_t kMaxTcpConnections = 512;

// ---------------------------------------------------------------------------------------------
// ldns ownership helpers

struct PktFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktFree>;

struct RdfFree {
    void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
using RdfPtr = std::unique_ptr<ldns_rdf, RdfFree>;

struct RrFree {
    void operator()(ldns_rr* r) const { ldns_rr_free(r); }
};
using RrPtr = std::unique_ptr<ldns_rr, RrFree>;

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

// ---------------------------------------------------------------------------------------------
// The zone `ok` serves

class Zone {
  public:
    explicit Zone(const std::string& name)
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

    const ldns_rr* soa() const { return soa_.get(); }

    /// Fill rcode and sections of `reply` the way an authoritative server for this zone would.
    void answer(const ldns_rdf* qname, ldns_rr_type qtype, ldns_pkt* reply) const {
        ldns_pkt_set_rcode(reply, LDNS_RCODE_NOERROR);
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

  private:
    static void push(ldns_pkt* reply, ldns_pkt_section section, const RrPtr& rr) {
        ldns_pkt_push_rr(reply, section, ldns_rr_clone(rr.get()));
    }

    RdfPtr origin_, ns1_, ns2_;
    RrPtr soa_, ns1_ns_, ns2_ns_, ns1_a_, ns2_a_;
};

// ---------------------------------------------------------------------------------------------
// Queries and replies

/// A query that parsed and has exactly one question.
struct Incoming {
    PktPtr pkt;
    const ldns_rr* question = nullptr;  ///< owned by pkt
    bool edns = false;                  ///< the query carried an OPT record
    bool nsid = false;                  ///< ... asking for NSID
};

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

/// The common start of every reply: ID, QR, opcode, RD and CD copied, the question echoed, and
/// (when `echo_edns` and the query had one) an OPT record with NSID if it was asked for.
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

/// What to send back. `framed` bytes already carry their TCP length prefix (or deliberately a
/// wrong one); `then_silence` means the connection must never be written to again.
struct Reply {
    std::vector<uint8_t> bytes;
    bool framed = false;
    bool then_silence = false;
};

// Deterministic filler for `garbage`: the same bytes on every run, so a failure reproduces.
std::vector<uint8_t> garbage_bytes(uint16_t id) {
    std::vector<uint8_t> out;
    out.push_back(static_cast<uint8_t>(id >> 8));  // ID, high byte: echoed, so it looks like a
    out.push_back(static_cast<uint8_t>(id));       // ID, low byte:  reply to this query
    uint32_t state = 0x6e737761;                   // fixed xorshift32 seed ("nswa")
    while (out.size() < 40) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        out.push_back(static_cast<uint8_t>(state >> 24));
    }
    return out;
}

std::vector<uint8_t> short_bytes(uint16_t id) {
    return {
        static_cast<uint8_t>(id >> 8),  // ID, high byte (echoed)
        static_cast<uint8_t>(id),       // ID, low byte (echoed)
        0x84,                           // QR + AA, opcode QUERY, not TC, not RD
        0x00,                           // RA=0, Z=0, rcode NOERROR
        0x00,                           // QDCOUNT, high byte
        0x01,                           // QDCOUNT, low byte = 1
        0x00,                           // ANCOUNT, high byte ... and the header stops here (7 < 12)
    };
}

/// An SOA answer with ANCOUNT=1 whose bytes stop in the middle of that answer RR.
std::vector<uint8_t> truncated_packet_bytes(const Zone& zone, const Incoming& q) {
    // No OPT, no authority: the answer RR is the last thing in the message, so cutting the
    // message cuts the RR (and the header still claims ANCOUNT=1, ARCOUNT=0).
    PktPtr reply = reply_skeleton(q, false);
    ldns_pkt_set_aa(reply.get(), true);
    ldns_pkt_push_rr(reply.get(), LDNS_SECTION_ANSWER, ldns_rr_clone(zone.soa()));
    std::vector<uint8_t> wire = to_wire(reply.get());
    // The question name is the first name in the message, so ldns writes it uncompressed.
    const size_t answer_start = 12 + ldns_rdf_size(ldns_rr_owner(q.question)) + 4;
    wire.resize(answer_start + (wire.size() - answer_start) / 2);
    return wire;
}

/// A TCP length prefix of 512 followed by only the first 30 bytes of a correct reply.
std::vector<uint8_t> tcp_length_lie_bytes(const Zone& zone, const Incoming& q) {
    std::vector<uint8_t> out = {
        0x02,  // length prefix, high byte: 0x0200 = 512 bytes promised ...
        0x00,  // length prefix, low byte
    };
    const std::vector<uint8_t> wire = to_wire(ok_reply(zone, q).get());
    const size_t sent = std::min<size_t>(wire.size(), 30);  // ... and only 30 delivered
    out.insert(out.end(), wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(sent));
    return out;
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

// ---------------------------------------------------------------------------------------------
// Server

struct Options {
    std::string listen = "127.0.0.1";
    uint16_t port = 0;
    Mode mode = Mode::ok;
    std::string zone = "shop.test";
    bool watch_stdin = true;
};

struct Connection {
    int fd = -1;
    std::vector<uint8_t> in;   ///< bytes received, not yet a whole framed message
    std::vector<uint8_t> out;  ///< bytes the kernel has not taken yet
    bool silenced = false;     ///< tcp-length-lie: the stream is broken on purpose, stay quiet
    bool closing = false;
};

volatile sig_atomic_t g_stop = 0;

void on_signal(int) {
    g_stop = 1;
}

class Server {
  public:
    Server(Options options) : options_(std::move(options)), zone_(options_.zone) {}

    ~Server() {
        for (auto& c : connections_) close(c.fd);
        if (udp_ >= 0) close(udp_);
        if (tcp_ >= 0) close(tcp_);
    }

    /// Bind UDP and TCP on the same port; returns the port, or 0 on failure.
    uint16_t bind_sockets() {
        const int tries = options_.port == 0 ? 20 : 1;
        for (int i = 0; i < tries; ++i) {
            if (try_bind(options_.port)) return port_;
        }
        return 0;
    }

    void run() {
        sigset_t blocked, unblocked;
        sigemptyset(&blocked);
        sigaddset(&blocked, SIGTERM);
        sigaddset(&blocked, SIGINT);
        sigprocmask(SIG_BLOCK, &blocked, &unblocked);
        sigdelset(&unblocked, SIGTERM);
        sigdelset(&unblocked, SIGINT);

        while (!g_stop) {
            std::vector<pollfd> fds;
            fds.push_back({udp_, POLLIN, 0});
            fds.push_back({tcp_, POLLIN, 0});
            fds.push_back({options_.watch_stdin ? STDIN_FILENO : -1, POLLIN, 0});
            for (const auto& c : connections_) {
                const short events = static_cast<short>(POLLIN | (c.out.empty() ? 0 : POLLOUT));
                fds.push_back({c.fd, events, 0});
            }
            if (ppoll(fds.data(), fds.size(), nullptr, &unblocked) < 0) {
                if (errno == EINTR) continue;
                std::perror("baddns: ppoll");
                return;
            }
            if (fds[2].revents != 0 && stdin_closed()) return;
            if (fds[0].revents & POLLIN) on_udp();
            if (fds[1].revents & POLLIN) on_accept();
            // Connections accepted just now have no pollfd yet; they are looked at next turn.
            for (size_t i = 3; i < fds.size(); ++i) {
                Connection& c = connections_[i - 3];
                if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) on_tcp_readable(c);
                if (!c.closing && (fds[i].revents & POLLOUT)) flush(c);
            }
            std::erase_if(connections_, [](const Connection& c) {
                if (c.closing) close(c.fd);
                return c.closing;
            });
        }
    }

    uint64_t queries() const { return queries_; }

  private:
    bool try_bind(uint16_t port) {
        sockaddr_storage addr{};
        socklen_t len = 0;
        if (!make_address(port, addr, len)) {
            std::fprintf(stderr, "baddns: bad listen address '%s'\n", options_.listen.c_str());
            return false;
        }
        int udp = socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        int tcp = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        const int one = 1;
        setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        bool ok = udp >= 0 && tcp >= 0 && bind(udp, reinterpret_cast<sockaddr*>(&addr), len) == 0;
        if (ok && port == 0) {
            // The kernel chose the UDP port; TCP must use the same number.
            sockaddr_storage bound{};
            socklen_t bound_len = sizeof bound;
            getsockname(udp, reinterpret_cast<sockaddr*>(&bound), &bound_len);
            port = ntohs(bound.ss_family == AF_INET
                             ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                             : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
            make_address(port, addr, len);
        }
        ok = ok && bind(tcp, reinterpret_cast<sockaddr*>(&addr), len) == 0 && listen(tcp, 128) == 0;
        if (!ok) {
            std::fprintf(stderr, "baddns: bind %s port %u: %s\n", options_.listen.c_str(), port,
                         std::strerror(errno));
            if (udp >= 0) close(udp);
            if (tcp >= 0) close(tcp);
            return false;
        }
        udp_ = udp;
        tcp_ = tcp;
        port_ = port;
        return true;
    }

    bool make_address(uint16_t port, sockaddr_storage& addr, socklen_t& len) const {
        addr = {};
        auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
        auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
        if (inet_pton(AF_INET, options_.listen.c_str(), &v4->sin_addr) == 1) {
            v4->sin_family = AF_INET;
            v4->sin_port = htons(port);
            len = sizeof *v4;
            return true;
        }
        if (inet_pton(AF_INET6, options_.listen.c_str(), &v6->sin6_addr) == 1) {
            v6->sin6_family = AF_INET6;
            v6->sin6_port = htons(port);
            len = sizeof *v6;
            return true;
        }
        return false;
    }

    bool stdin_closed() {
        char buf[256];
        const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN))) return false;
        std::fprintf(stderr, "baddns: stdin closed, exiting\n");
        return true;
    }

    std::optional<Reply> handle(const uint8_t* data, size_t size, Transport transport) {
        ++queries_;
        const char* tname = transport == Transport::udp ? "udp" : "tcp";
        std::string why;
        std::optional<Incoming> q = parse_query(data, size, why);
        if (!q) {
            std::fprintf(stderr, "baddns: #%llu mode=%s %s dropped %zu bytes (%s)\n",
                         static_cast<unsigned long long>(queries_),
                         std::string(mode_name(options_.mode)).c_str(), tname, size, why.c_str());
            return std::nullopt;
        }
        const std::string qname = take_string(ldns_rdf2str(ldns_rr_owner(q->question)));
        const std::string qtype = take_string(ldns_rr_type2str(ldns_rr_get_type(q->question)));
        std::fprintf(stderr, "baddns: #%llu mode=%s %s %s %s id=%u%s%s\n",
                     static_cast<unsigned long long>(queries_),
                     std::string(mode_name(options_.mode)).c_str(), tname, qname.c_str(),
                     qtype.c_str(), ldns_pkt_id(q->pkt.get()), q->edns ? " edns" : "",
                     q->nsid ? " nsid" : "");
        return respond(options_.mode, transport, zone_, *q);
    }

    void on_udp() {
        // Drain everything queued: one poll wake-up can stand for many datagrams.
        for (;;) {
            uint8_t buf[65536];
            sockaddr_storage from{};
            socklen_t from_len = sizeof from;
            const ssize_t n =
                recvfrom(udp_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
            if (n < 0) return;
            std::optional<Reply> reply = handle(buf, static_cast<size_t>(n), Transport::udp);
            if (!reply) continue;
            // UDP replies are never framed; a full send buffer just loses the reply, as on a
            // real network.
            sendto(udp_, reply->bytes.data(), reply->bytes.size(), 0,
                   reinterpret_cast<sockaddr*>(&from), from_len);
        }
    }

    void on_accept() {
        for (;;) {
            const int fd = accept4(tcp_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) return;
            if (connections_.size() >= kMaxTcpConnections) {
                close(fd);
                continue;
            }
            connections_.push_back(Connection{fd, {}, {}, false, false});
        }
    }

    void on_tcp_readable(Connection& c) {
        uint8_t buf[4096];
        const ssize_t n = recv(c.fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            c.closing = true;
            return;
        }
        if (n < 0) return;
        c.in.insert(c.in.end(), buf, buf + n);
        // Clients may pipeline several queries on one connection: answer each whole message.
        while (c.in.size() >= 2) {
            const size_t len = (size_t{c.in[0]} << 8) | c.in[1];
            if (c.in.size() < 2 + len) break;
            std::optional<Reply> reply = handle(c.in.data() + 2, len, Transport::tcp);
            c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(2 + len));
            if (!reply || c.silenced) continue;
            if (!reply->framed) {
                c.out.push_back(static_cast<uint8_t>(reply->bytes.size() >> 8));
                c.out.push_back(static_cast<uint8_t>(reply->bytes.size()));
            }
            c.out.insert(c.out.end(), reply->bytes.begin(), reply->bytes.end());
            c.silenced = reply->then_silence;
        }
        flush(c);
    }

    void flush(Connection& c) {
        while (!c.out.empty()) {
            const ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
            if (n < 0) {
                if (errno != EAGAIN && errno != EINTR) c.closing = true;
                return;
            }
            c.out.erase(c.out.begin(), c.out.begin() + n);
        }
    }

    Options options_;
    Zone zone_;
    int udp_ = -1;
    int tcp_ = -1;
    uint16_t port_ = 0;
    std::vector<Connection> connections_;
    uint64_t queries_ = 0;
};

void usage() {
    std::fprintf(stderr,
                 "usage: nswatch_baddns --listen ADDR --port N --mode MODE [--zone ZONE] "
                 "[--ignore-stdin]\n"
                 "  --port 0 picks a free port; \"READY <port>\" is printed once bound.\n"
                 "  exits on SIGTERM/SIGINT or when stdin closes (unless --ignore-stdin).\n"
                 "  modes:");
    for (const auto& m : kModes) std::fprintf(stderr, " %s", std::string(m.name).c_str());
    std::fprintf(stderr, "\n");
}

std::optional<Options> parse_args(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--ignore-stdin") {
            o.watch_stdin = false;
        } else if (arg == "--listen" && has_value) {
            o.listen = argv[++i];
        } else if (arg == "--zone" && has_value) {
            o.zone = argv[++i];
            while (!o.zone.empty() && o.zone.back() == '.') o.zone.pop_back();
        } else if (arg == "--port" && has_value) {
            const std::string_view v = argv[++i];
            const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), o.port);
            if (ec != std::errc{} || end != v.data() + v.size()) return std::nullopt;
        } else if (arg == "--mode" && has_value) {
            const std::optional<Mode> m = mode_from_name(argv[++i]);
            if (!m) return std::nullopt;
            o.mode = *m;
        } else {
            return std::nullopt;
        }
    }
    return o;
}

}  // namespace
}  // namespace nswatch

int main(int argc, char** argv) {
    using namespace nswatch;
    const std::optional<Options> options = parse_args(argc, argv);
    if (!options) {
        usage();
        return 2;
    }
    struct sigaction sa {};
    sa.sa_handler = on_signal;  // no SA_RESTART: ppoll() must return EINTR
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);

    Server server(*options);
    const uint16_t port = server.bind_sockets();
    if (port == 0) return 1;
    std::printf("READY %u\n", port);
    std::fflush(stdout);
    server.run();
    std::fprintf(stderr, "baddns: %llu queries received\n",
                 static_cast<unsigned long long>(server.queries()));
    return 0;
}
