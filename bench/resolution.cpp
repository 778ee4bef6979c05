// nswatch_bench_resolution: CPU per resolution probe, and the load the probes put on a resolver.
//
// IMPLEMENTATION NOTES
// - Runs ResolverProber::run_round back to back (no interval wait) for `--rounds` rounds over the
//   zones given, through one resolver, with no Monitor snapshot (cached answers are then judged but
//   not compared, which costs less than a comparison: the figure is a slight underestimate of the
//   judging part, not of the I/O).
// - CPU is getrusage(RUSAGE_SELF) user+sys over the rounds, divided by the probes sent (engine
//   stats): the client side of one resolution probe, send + parse + judge + fold + evaluate.
// - The resolver's side is counted by bench/resolution.sh from the resolver's query log.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

#include "bench/process_cpu.hpp"
#include "config/config.hpp"
#include "resolver/resolver_prober.hpp"

int main(int argc, char** argv) {
    std::string resolver = "127.64.0.2";
    std::string zones = "shop.test";
    int rounds = 50;
    bool watch = true;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--resolver") {
            resolver = next();
        } else if (a == "--zones") {
            zones = next();
        } else if (a == "--rounds") {
            rounds = std::atoi(next().c_str());
        } else if (a == "--uncached-only") {
            watch = false;
        } else {
            std::cerr << "usage: nswatch_bench_resolution [--resolver ADDR] [--zones a,b,c] "
                         "[--rounds N] [--uncached-only]\n";
            return 2;
        }
    }
    nswatch::Config config;
    std::stringstream list(zones);
    for (std::string z; std::getline(list, z, ',');) {
        nswatch::ZoneConfig zc;
        zc.name = z;
        if (!watch) zc.watch = {};
        config.zones.push_back(zc);
    }
    nswatch::ResolverConfig r;
    r.name = "bench";
    r.address = resolver;
    config.resolution.resolvers = {r};
    config.resolution.timeout = std::chrono::seconds(3);

    nswatch::ResolverProber prober(config, nullptr);
    prober.run_round();  // warm the resolver's cache and the engine's channel: not measured
    const uint64_t sent0 = prober.probes_sent();
    const double cpu0 = nswatch::bench::process_cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < rounds; ++i) prober.run_round();
    const double cpu = nswatch::bench::process_cpu_seconds() - cpu0;
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const uint64_t sent = prober.probes_sent() - sent0;
    const auto view = prober.view();
    uint64_t uncached_ok = 0;
    for (const auto& st : view->states) {
        for (const auto& s : st.uncached) {
            if (s.outcome == nswatch::ResolutionOutcome::ok) ++uncached_ok;
        }
    }
    std::printf("zones %zu, rounds %d, probes %llu (%.1f per zone-round), uncached ok %llu\n",
                config.zones.size(), rounds, static_cast<unsigned long long>(sent),
                static_cast<double>(sent) / (rounds * static_cast<double>(config.zones.size())),
                static_cast<unsigned long long>(uncached_ok));
    std::printf("client CPU %.3f s, %.1f us per resolution probe; wall %.2f s\n", cpu,
                sent ? cpu / static_cast<double>(sent) * 1e6 : 0.0, wall);
    std::printf("{\"zones\":%zu,\"rounds\":%d,\"probes\":%llu,\"cpu_us_per_probe\":%.2f}\n",
                config.zones.size(), rounds, static_cast<unsigned long long>(sent),
                sent ? cpu / static_cast<double>(sent) * 1e6 : 0.0);
    return 0;
}
