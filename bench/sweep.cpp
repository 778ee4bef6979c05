// nswatch_bench_sweep: a closed-loop SOA sweep through ProbeEngine, for comparison with dnsperf.
//
// IMPLEMENTATION NOTES
// - Closed loop, like dnsperf's -q: `window` probes are kept in flight; each completion callback
//   submits the next zone (cycling through the list) until `duration` has passed. Rate and CPU are
//   taken at that moment (completed probes / elapsed, as dnsperf counts); then the loop drains what
//   is still outstanding, unmeasured, so that every probe's outcome is counted (a lost reply waits
//   out its timeout there instead of stretching the measured interval).
// - --submit-from loop instead counts completions and submits that many after run_once returns.
//   With callbacks that submit, c-ares 1.18 keeps reading the UDP socket (and calling back, and
//   sending) for as long as replies keep arriving, so run_once may not return for a long time;
//   the loop mode shows what the engine does when it gets back control between batches.
// - The queries are the Query defaults (SOA, RD=0, EDNS0 1232 with NSID), i.e. what nswatch sends,
//   and every reply goes through the full parse into ProbeResult: the CPU figure includes it.
// - Client CPU is getrusage(RUSAGE_SELF) user+sys over the measured interval (the zone file is read
//   and the request templates built before it starts), divided by completed probes.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "bench/process_cpu.hpp"
#include "dns/probe_result.hpp"
#include "prober/engine.hpp"
#include "prober/parallel_engine.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::string server = "127.54.0.1";
    uint16_t port = 53;
    std::string zones_file;
    double duration_s = 10;
    size_t window = 500;
    long timeout_ms = 2000;
    bool submit_from_loop = false;  ///< --submit-from loop: refill after run_once, not in callbacks
    size_t threads = 0;  ///< --threads: 0 = one ProbeEngine on this thread, K = ParallelProbeEngine
};

[[noreturn]] void fail(const std::string& why) {
    std::fprintf(stderr, "nswatch_bench_sweep: %s\n", why.c_str());
    std::exit(2);
}

Options parse_args(int argc, char** argv) {
    Options o;
    CLI::App app{
        "A closed-loop SOA sweep through nswatch's probe engine, for comparison with dnsperf: "
        "WINDOW probes in flight over the zones of the file, cycled, for DURATION seconds."};
    app.add_option("--zones-file", o.zones_file,
                   "Zone names, one per line (a dnsperf query file works: its first word)")
        ->required();
    app.add_option("--server", o.server, "Server address")->capture_default_str();
    app.add_option("--port", o.port, "Server port")->capture_default_str();
    app.add_option("--duration", o.duration_s, "Seconds measured")
        ->capture_default_str()
        ->check(CLI::Range(0.1, 86400.0));
    app.add_option("--window", o.window, "Probes in flight")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000000));
    app.add_option("--timeout", o.timeout_ms, "Milliseconds a probe waits for its reply")
        ->capture_default_str()
        ->check(CLI::Range(1, 600000));
    std::string submit_from = "callback";
    app.add_option("--submit-from", submit_from,
                   "Where the next probe is submitted: in the completion callback, or after "
                   "run_once returns")
        ->capture_default_str()
        ->check(CLI::IsMember({"callback", "loop"}));
    app.add_option("--threads", o.threads,
                   "0: one ProbeEngine on this thread; K: a ParallelProbeEngine of K threads")
        ->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        std::exit(app.exit(e));
    }
    o.submit_from_loop = submit_from == "loop";
    return o;
}

std::vector<std::string> read_zones(const std::string& path) {
    std::ifstream in(path);
    if (!in) fail("cannot read the zones file " + path);
    std::vector<std::string> zones;
    std::string line;
    while (std::getline(in, line)) {
        // dnsperf query files ("name SOA") work too: keep the first word.
        const auto end = line.find_first_of(" \t\r");
        if (end != std::string::npos) line.resize(end);
        if (!line.empty() && line[0] != '#' && line[0] != ';') zones.push_back(line);
    }
    if (zones.empty()) fail("the zones file " + path + " holds no names");
    return zones;
}

constexpr std::array kOutcomes = {
    nswatch::Outcome::ok,
    nswatch::Outcome::timeout,
    nswatch::Outcome::refused,
    nswatch::Outcome::servfail,
    nswatch::Outcome::nxdomain,
    nswatch::Outcome::formerr,
    nswatch::Outcome::not_authoritative,
    nswatch::Outcome::truncated,
    nswatch::Outcome::id_mismatch,
    nswatch::Outcome::question_mismatch,
    nswatch::Outcome::malformed,
    nswatch::Outcome::network_error,
    nswatch::Outcome::wrong_owner,
};

template <typename Engine>
struct Sweep {
    template <typename... Args>
    explicit Sweep(Args&&... engine_args) : engine(std::forward<Args>(engine_args)...) {}

    Engine engine;
    std::vector<nswatch::ProbeRequest> requests;  ///< one prepared request per zone
    size_t next = 0;
    bool submitting = true;
    bool from_loop = false;  ///< completions only count a debt that the main loop pays
    size_t owed = 0;         ///< probes to submit after run_once returns (from_loop)
    uint64_t completed = 0;
    std::array<uint64_t, kOutcomes.size()> outcomes{};
    std::vector<uint32_t> rtt_us;  ///< one per completed probe, for percentiles

    void submit_next() {
        const auto& req = requests[next];
        next = (next + 1) % requests.size();
        engine.submit(req, [this](const nswatch::ProbeResult& r) { on_result(r); });
    }

    void on_result(const nswatch::ProbeResult& r) {
        ++completed;
        ++outcomes[static_cast<size_t>(r.outcome)];
        rtt_us.push_back(static_cast<uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(r.rtt).count()));
        if (!submitting) return;
        if (from_loop)
            ++owed;
        else
            submit_next();
    }

    void pay_debt() {
        for (; owed > 0; --owed) submit_next();
    }
};

double percentile_ms(std::vector<uint32_t>& v, double q) {
    if (v.empty()) return 0;
    const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k] / 1000.0;
}

}  // namespace

template <typename Engine>
int run(const Options& opt, const std::vector<std::string>& zones, Sweep<Engine>& sw) {
    sw.requests.reserve(zones.size());
    for (const auto& z : zones) {
        nswatch::ProbeRequest req;
        req.target.zone = z;
        req.target.nameserver = "bench-ns";
        req.target.address = opt.server;
        req.target.family = opt.server.find(':') == std::string::npos ? nswatch::Family::ipv4
                                                                      : nswatch::Family::ipv6;
        req.target.port = opt.port;
        req.target.transport = nswatch::Transport::udp;
        req.query.name = z;  // the rest are the Query defaults: SOA, RD=0, EDNS 1232, NSID
        req.timeout = std::chrono::milliseconds(opt.timeout_ms);
        sw.requests.push_back(std::move(req));
    }
    sw.rtt_us.reserve(static_cast<size_t>(opt.duration_s * 400000));

    const double cpu0 = nswatch::bench::process_cpu_seconds();
    const auto t0 = Clock::now();
    const auto deadline = t0 + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(opt.duration_s));
    for (size_t i = 0; i < opt.window; ++i) sw.submit_next();
    sw.from_loop = opt.submit_from_loop;
    while (Clock::now() < deadline) {
        sw.engine.run_once(std::chrono::milliseconds(50));
        sw.pay_debt();
    }
    sw.submitting = false;
    const auto t1 = Clock::now();
    const double cpu1 = nswatch::bench::process_cpu_seconds();
    const uint64_t measured = sw.completed;
    sw.engine.run_until_idle();  // drain, unmeasured: at most `window` more, bounded by the timeout

    const double elapsed = std::chrono::duration<double>(t1 - t0).count();
    const double rate = static_cast<double>(measured) / elapsed;
    const double cpu_us = measured ? (cpu1 - cpu0) * 1e6 / static_cast<double>(measured) : 0;
    const double p50 = percentile_ms(sw.rtt_us, 0.50);
    const double p99 = percentile_ms(sw.rtt_us, 0.99);

    std::printf("nswatch sweep: %s:%u, %zu zones, window %zu, submit from %s, %s\n",
                opt.server.c_str(), opt.port, zones.size(), opt.window,
                opt.submit_from_loop ? "loop" : "callback",
                opt.threads == 0 ? "one engine on the main thread"
                                 : (std::to_string(opt.threads) + " engine threads").c_str());
    std::printf("  probes completed   %llu in the measured %.2f s (+%llu drained after it)\n",
                static_cast<unsigned long long>(measured), elapsed,
                static_cast<unsigned long long>(sw.completed - measured));
    std::printf("  probes/s           %.0f\n", rate);
    std::printf("  client CPU         %.3f s (%.2f us/probe)\n", cpu1 - cpu0, cpu_us);
    std::printf("  rtt p50 / p99      %.3f / %.3f ms\n", p50, p99);
    std::printf("  outcomes (all)    ");
    for (size_t i = 0; i < kOutcomes.size(); ++i) {
        if (sw.outcomes[i] == 0) continue;
        std::printf(" %s=%llu", std::string(nswatch::to_string(kOutcomes[i])).c_str(),
                    static_cast<unsigned long long>(sw.outcomes[i]));
    }
    std::printf("\n");

    std::string json = "{\"tool\":\"nswatch\",\"server\":\"" + opt.server +
                       "\",\"zones\":" + std::to_string(zones.size()) +
                       ",\"window\":" + std::to_string(opt.window) + ",\"submit_from\":\"" +
                       (opt.submit_from_loop ? "loop" : "callback") +
                       "\",\"threads\":" + std::to_string(opt.threads);
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  ",\"elapsed_s\":%.3f,\"completed\":%llu,\"probes_per_s\":%.1f,\"cpu_s\":%.4f,"
                  "\"cpu_us_per_probe\":%.3f,\"rtt_p50_ms\":%.3f,\"rtt_p99_ms\":%.3f",
                  elapsed, static_cast<unsigned long long>(measured), rate, cpu1 - cpu0, cpu_us,
                  p50, p99);
    json += buf;
    json += ",\"outcomes\":{";
    bool first = true;
    for (size_t i = 0; i < kOutcomes.size(); ++i) {
        if (sw.outcomes[i] == 0) continue;
        json += (first ? "\"" : ",\"") + std::string(nswatch::to_string(kOutcomes[i])) +
                "\":" + std::to_string(sw.outcomes[i]);
        first = false;
    }
    json += "}}";
    std::printf("%s\n", json.c_str());

    const bool all_ok = sw.completed > 0 && sw.outcomes[0] == sw.completed;
    return all_ok ? 0 : 1;
}

int main(int argc, char** argv) {
    const Options opt = parse_args(argc, argv);
    const auto zones = read_zones(opt.zones_file);
    if (opt.threads == 0) {
        Sweep<nswatch::ProbeEngine> sw;
        return run(opt, zones, sw);
    }
    Sweep<nswatch::ParallelProbeEngine> sw(opt.threads);
    return run(opt, zones, sw);
}
