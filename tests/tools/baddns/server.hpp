// The server loop of nswatch_baddns: one thread, one ppoll() over the UDP socket, the TCP
// listening socket (same port), every accepted TCP connection, and stdin.
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "baddns.hpp"

namespace nswatch::baddns {

/// The command line (tests/tools/baddns.cpp parses it).
struct Options {
    std::string listen = "127.0.0.1";
    uint16_t port = 0;
    Mode mode = Mode::ok;
    std::string zone = "shop.test";
    std::string zone_file;   ///< --zone-file: serve these records
    std::string fault_name;  ///< --fault-name: the one name servfail-name fails for
    bool watch_stdin = true;
};

struct Connection {
    int fd = -1;
    std::vector<uint8_t> in;       ///< bytes received, not yet a whole framed message
    std::vector<uint8_t> out;      ///< bytes the kernel has not taken yet
    bool silenced = false;         ///< tcp-length-lie: the stream is broken on purpose, stay quiet
    bool close_when_sent = false;  ///< tcp-other-question: close once `out` is written
    bool closing = false;
};

/// Set by SIGTERM/SIGINT; the loop ends at its next turn.
extern volatile sig_atomic_t g_stop;
/// The handler that sets g_stop (installed by main without SA_RESTART).
void on_signal(int);

class Server {
  public:
    Server(Options options) : options_(std::move(options)), zone_(options_.zone) {
        if (!options_.zone_file.empty()) zone_.load_file(options_.zone_file);
        if (!options_.fault_name.empty()) zone_.set_fault_name(options_.fault_name);
    }
    ~Server();

    /// Bind UDP and TCP on the same port; returns the port, or 0 on failure.
    uint16_t bind_sockets();
    /// Answer queries until a signal, or stdin closing (unless --ignore-stdin).
    void run();
    /// How many queries arrived, answered or not.
    uint64_t queries() const { return queries_; }

  private:
    bool try_bind(uint16_t port);
    bool make_address(uint16_t port, sockaddr_storage& addr, socklen_t& len) const;
    bool stdin_closed();
    std::optional<Reply> handle(const uint8_t* data, size_t size, Transport transport);
    void on_udp();
    void on_accept();
    void on_tcp_readable(Connection& c);
    void flush(Connection& c);

    Options options_;
    Zone zone_;
    int udp_ = -1;
    int tcp_ = -1;
    uint16_t port_ = 0;
    std::vector<Connection> connections_;
    uint64_t queries_ = 0;
};

}  // namespace nswatch::baddns
