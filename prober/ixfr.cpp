#include "prober/ixfr.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "dns/rr_types.hpp"
#include "dns/tcp_framing.hpp"
#include "dns/transfer_record.hpp"
#include "prober/socket_address.hpp"

namespace nswatch {

namespace {

using SteadyClock = std::chrono::steady_clock;

// A server that streams for ever must not hold the diff thread for ever.
constexpr size_t kMaxRecords = 20'000'000;
constexpr uint16_t kTsigFudge = 300;

struct PktFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
struct RdfFree {
    void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
using Pkt = std::unique_ptr<ldns_pkt, PktFree>;

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) close(fd);
    }
};

class Failure {
  public:
    Failure(const std::string& zone, const TransferSource& s)
        : prefix_("IXFR of " + zone + " from " + s.server + " port " + std::to_string(s.port) +
                  ": ") {}
    [[noreturn]] void operator()(const std::string& why) const {
        throw std::runtime_error(prefix_ + why);
    }

  private:
    std::string prefix_;
};

// Wait until `fd` is ready for `events` or `timeout` passes; false on time-out.
bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
    pollfd p{fd, events, 0};
    for (;;) {
        const int n = poll(&p, 1, static_cast<int>(timeout.count()));
        if (n < 0 && errno == EINTR) continue;
        return n > 0;
    }
}

// Read exactly `n` octets, each read within `timeout`.
void read_exact(int fd, uint8_t* out, size_t n, std::chrono::milliseconds timeout,
                const Failure& fail) {
    size_t got = 0;
    while (got < n) {
        if (!wait_for(fd, POLLIN, timeout)) fail("timed out waiting for the reply");
        const ssize_t r = recv(fd, out + got, n - got, 0);
        if (r == 0) fail("the server closed the connection mid-reply");
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            fail(std::string("reading: ") + std::strerror(errno));
        }
        got += static_cast<size_t>(r);
    }
}

int connect_to(const TransferSource& s, const Failure& fail) {
    sockaddr_storage to{};
    const socklen_t tolen = make_sockaddr(s.server, s.port, to);
    Fd sock;
    sock.fd = socket(to.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (sock.fd < 0) fail(std::string("socket: ") + std::strerror(errno));
    if (!s.source.empty()) {
        sockaddr_storage from{};
        const socklen_t flen = make_sockaddr(s.source, 0, from);
        if (bind(sock.fd, reinterpret_cast<sockaddr*>(&from), flen) != 0) {
            fail("cannot bind source " + s.source + ": " + std::strerror(errno));
        }
    }
    if (connect(sock.fd, reinterpret_cast<sockaddr*>(&to), tolen) != 0 && errno != EINPROGRESS) {
        fail(std::string("connect: ") + std::strerror(errno));
    }
    if (!wait_for(sock.fd, POLLOUT, s.timeout)) fail("timed out connecting");
    int err = 0;
    socklen_t elen = sizeof err;
    getsockopt(sock.fd, SOL_SOCKET, SO_ERROR, &err, &elen);
    if (err != 0) fail(std::string("connect: ") + std::strerror(err));
    const int fd = sock.fd;
    sock.fd = -1;
    return fd;
}

Pkt build_request(const std::string& zone, const TransferSource& s, uint32_t serial,
                  const Failure& fail) {
    // The authority section's SOA carries the serial we hold; its other fields are not read.
    ldns_rr* soa = nullptr;
    const std::string text = zone + ". 0 IN SOA . . " + std::to_string(serial) + " 0 0 0 0";
    if (ldns_rr_new_frm_str(&soa, text.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) {
        fail("'" + zone + "' is not a domain name");
    }
    ldns_rdf* name = ldns_dname_new_frm_str(zone.c_str());
    if (name == nullptr) {
        ldns_rr_free(soa);
        fail("'" + zone + "' is not a domain name");
    }
    Pkt q(ldns_pkt_ixfr_request_new(name, LDNS_RR_CLASS_IN, 0, soa));  // owns name and soa
    if (!q) fail("cannot build the request");
    ldns_pkt_set_random_id(q.get());
    if (s.key) {
        const ldns_status st =
            ldns_pkt_tsig_sign(q.get(), (s.key->name + ".").c_str(), s.key->secret.c_str(),
                               kTsigFudge, (s.key->algorithm + ".").c_str(), nullptr);
        if (st != LDNS_STATUS_OK) {
            fail(std::string("cannot sign the request with key ") + s.key->name + ": " +
                 ldns_get_errorstr_by_id(st));
        }
    }
    return q;
}

void send_request(int fd, const ldns_pkt* q, const TransferSource& s, const Failure& fail) {
    uint8_t* wire = nullptr;
    size_t size = 0;
    if (ldns_pkt2wire(&wire, q, &size) != LDNS_STATUS_OK) fail("cannot encode the request");
    const std::vector<uint8_t> out = frame_message(std::span<const uint8_t>(wire, size));
    std::free(wire);
    size_t sent = 0;
    while (sent < out.size()) {
        if (!wait_for(fd, POLLOUT, s.timeout)) fail("timed out sending the request");
        const ssize_t n = send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            fail(std::string("sending: ") + std::strerror(errno));
        }
        sent += static_cast<size_t>(n);
    }
}

}  // namespace

void request_ixfr(const std::string& zone, const TransferSource& source, IxfrReader& reader) {
    const Failure fail(zone, source);
    const Pkt query = build_request(zone, source, reader.known_serial(), fail);
    Fd sock;
    sock.fd = connect_to(source, fail);
    send_request(sock.fd, query.get(), source, fail);

    // TSIG chain: the request's MAC, then each verified reply message's.
    std::unique_ptr<ldns_rdf, RdfFree> mac;
    if (source.key) {
        const ldns_rr* t = ldns_pkt_tsig(query.get());
        if (t != nullptr && ldns_rr_rd_count(t) > 3) mac.reset(ldns_rdf_clone(ldns_rr_rdf(t, 3)));
    }
    size_t records = 0;
    for (size_t message = 0; !reader.complete(); ++message) {
        uint8_t prefix[2];
        read_exact(sock.fd, prefix, 2, source.timeout, fail);
        std::vector<uint8_t> wire(static_cast<size_t>(prefix[0]) << 8 | prefix[1]);
        read_exact(sock.fd, wire.data(), wire.size(), source.timeout, fail);
        ldns_pkt* raw = nullptr;
        if (ldns_wire2pkt(&raw, wire.data(), wire.size()) != LDNS_STATUS_OK) {
            fail("message " + std::to_string(message + 1) + " of the reply is malformed");
        }
        const Pkt reply(raw);
        if (ldns_pkt_id(reply.get()) != ldns_pkt_id(query.get())) {
            fail("message " + std::to_string(message + 1) + " has another query's ID");
        }
        if (ldns_pkt_get_rcode(reply.get()) != LDNS_RCODE_NOERROR) {
            fail("the server answered " +
                 rcode_name(static_cast<int>(ldns_pkt_get_rcode(reply.get()))));
        }
        if (source.key) {
            const ldns_rr* t = ldns_pkt_tsig(reply.get());
            if (t == nullptr && message == 0) fail("the reply is not TSIG-signed");
            if (t != nullptr) {
                std::unique_ptr<ldns_rdf, RdfFree> next(
                    ldns_rr_rd_count(t) > 3 ? ldns_rdf_clone(ldns_rr_rdf(t, 3)) : nullptr);
                if (!ldns_pkt_tsig_verify_next(
                        reply.get(), wire.data(), wire.size(), (source.key->name + ".").c_str(),
                        source.key->secret.c_str(), mac.get(), message == 0 ? 0 : 1)) {
                    fail("message " + std::to_string(message + 1) +
                         " fails TSIG verification with key " + source.key->name);
                }
                mac = std::move(next);
            }
        }
        const ldns_rr_list* answer = ldns_pkt_answer(reply.get());
        try {
            for (size_t i = 0; i < ldns_rr_list_rr_count(answer) && !reader.complete(); ++i) {
                if (++records > kMaxRecords) fail("more than 20,000,000 records: giving up");
                reader.add(transfer_record(ldns_rr_list_rr(answer, i)));
            }
            if (!reader.complete()) reader.end_of_message();
        } catch (const std::runtime_error& e) {
            const std::string what = e.what();
            if (what.rfind("IXFR of ", 0) == 0) throw;
            fail(what);
        }
        if (ldns_rr_list_rr_count(answer) == 0 && !reader.complete()) {
            fail("message " + std::to_string(message + 1) + " of the reply has no records");
        }
    }
}

}  // namespace nswatch
