// nswatch_baddns: a tiny DNS server that misbehaves on purpose, for the replies no real server
// sends (wrong ID, wrong question, garbage, cut-off packets, a lying TCP length prefix, ...).
//
//   nswatch_baddns --listen 127.0.0.1 --port 0 --mode garbage [--zone shop.test] [--ignore-stdin]
//
// The pieces: baddns/server.cpp (the loop), baddns/replies.cpp (well-formed replies and the table
// from mode to reply), baddns/broken_wire.cpp (the raw-byte modes), baddns/zone.cpp (the zone
// `ok` serves). Notes on each are at the top of its file.
//
// "READY <port>" goes to stdout once both sockets are bound; that is the only line on stdout.
// Everything else (one line per query) goes to stderr.
#include "baddns/baddns.hpp"

#include <charconv>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "baddns/server.hpp"

namespace nswatch::baddns {
namespace {

void usage() {
    std::fprintf(stderr,
                 "usage: nswatch_baddns --listen ADDR --port N --mode MODE [--zone ZONE] "
                 "[--zone-file FILE] [--fault-name NAME] [--ignore-stdin]\n"
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
        } else if (arg == "--zone-file" && has_value) {
            o.zone_file = argv[++i];
        } else if (arg == "--fault-name" && has_value) {
            o.fault_name = argv[++i];
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
}  // namespace nswatch::baddns

int main(int argc, char** argv) {
    using namespace nswatch::baddns;
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
