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

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>

#include "bench/process_cpu.hpp"
#include "config/config.hpp"
#include "resolver/resolver_prober.hpp"

int main(int argc, char** argv) {
    std::string resolver = "127.64.0.2";
    std::string zones = "shop.test";
    int rounds = 50;
    bool uncached_only = false;
    CLI::App app{
        "CPU per resolution probe: ResolverProber rounds back to back through one resolver over "
        "the zones given."};
    app.add_option("--resolver", resolver, "Resolver address")->capture_default_str();
    app.add_option("--zones", zones, "Zones, comma-separated")->capture_default_str();
    app.add_option("--rounds", rounds, "Rounds measured (one more, unmeasured, warms the cache)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000000));
    app.add_flag("--uncached-only", uncached_only,
                 "No watched names: only the cache-busting (uncached) probe of each zone");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    const bool watch = !uncached_only;
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
