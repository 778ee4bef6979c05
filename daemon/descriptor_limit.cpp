#include "daemon/descriptor_limit.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <tuple>

#include "config/config.hpp"

namespace nswatch {

namespace {
// stdio, the log, the engines' epoll, a pipe, and files opened in passing (c-ares reads
// resolv.conf for each new channel, SQLite a journal).
constexpr size_t kProcessBase = 10;
// A SQLite connection in WAL mode: database, -wal, -shm.
constexpr size_t kPerDatabase = 3;
// The web server's epoll instance and its wake-up descriptor, beside one listening socket per
// address and up to http.max_connections connections (exporter/http_event_loop.hpp).
constexpr size_t kHttpBase = 2;
// The propagation service's engine: a few servers' sockets during a run.
constexpr size_t kPropagation = 16;
}  // namespace

void raise_descriptor_limit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
    const rlim_t before = lim.rlim_cur;
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) == 0) {
        spdlog::debug("open files limit raised from {} to {}", before, lim.rlim_cur);
    } else {
        spdlog::warn("could not raise the open files limit above {}: {}", before,
                     std::strerror(errno));
    }
}

uint64_t open_files_limit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return 0;
    return lim.rlim_cur;
}

DescriptorPlan plan_descriptors(const DescriptorNeeds& needs, uint64_t limit) {
    DescriptorPlan plan;
    const size_t discovery = needs.discovery_workers * needs.per_discovery_worker;
    plan.needed = needs.base + discovery + needs.probe_sockets;
    plan.discovery_workers = needs.discovery_workers;
    if (limit == 0) return plan;  // unlimited: no cap
    const size_t avail = limit > needs.base ? static_cast<size_t>(limit) - needs.base : 0;
    // Discovery workers give way to probe sockets down to one worker (discovery is slower then,
    // not impossible).
    size_t workers = needs.discovery_workers;
    while (workers > 1 &&
           workers * needs.per_discovery_worker + std::min(needs.probe_sockets, kMinProbeSockets) >
               avail) {
        --workers;
    }
    plan.discovery_workers = workers;
    const size_t for_discovery = workers * needs.per_discovery_worker;
    // Always capped at what is left (a cap above the need costs nothing): discovered zones may
    // bring more addresses than the config shows. Never 0 (0 means "no cap").
    plan.probe_sockets = std::max<size_t>(avail > for_discovery ? avail - for_discovery : 0, 1);
    plan.short_of_descriptors =
        plan.probe_sockets < needs.probe_sockets || workers < needs.discovery_workers;
    if (!plan.short_of_descriptors) return plan;
    const size_t in_flight = needs.max_in_flight == 0
                                 ? plan.probe_sockets
                                 : std::min(needs.max_in_flight, plan.probe_sockets);
    plan.summary = "open-files limit " + std::to_string(limit) + " is short of the " +
                   std::to_string(plan.needed) + " descriptors this configuration needs (" +
                   std::to_string(needs.probe_sockets) + " probe sockets for " +
                   std::to_string(needs.addresses) + " addresses, " + std::to_string(discovery) +
                   " for " + std::to_string(needs.discovery_workers) + " discovery workers, " +
                   std::to_string(needs.base) +
                   " for HTTP, history and the rest): probing with at most " +
                   std::to_string(plan.probe_sockets) + " sockets open and " +
                   std::to_string(in_flight) + " probes in flight, the others wait their turn";
    if (workers < needs.discovery_workers)
        plan.summary += ", " + std::to_string(workers) + " discovery workers";
    plan.summary += "; raise the hard limit (ulimit -Hn, systemd LimitNOFILE=) to at least " +
                    std::to_string(plan.needed) + " to probe at full speed";
    return plan;
}

DescriptorNeeds descriptor_needs(const Config& config) {
    DescriptorNeeds n;
    std::set<std::tuple<std::string_view, uint16_t>> addresses;
    bool discovered = false;
    for (const auto& z : config.zones) {
        if (z.nameservers.empty()) discovered = true;
        for (const auto& ns : z.nameservers) {
            for (const auto& a : ns.addresses) addresses.emplace(a, ns.port);
        }
    }
    n.addresses = addresses.size();
    n.probe_sockets = addresses.size() * (config.probe.tcp_every > 0 ? 2 : 1);
    n.max_in_flight = static_cast<size_t>(config.probe.max_in_flight);
    n.discovery_workers = discovered ? static_cast<size_t>(config.discovery.workers) : 0;
    n.per_discovery_worker = kDescriptorsPerDiscovery;
    size_t databases = config.storage.path.empty() ? 0 : 3;  // writer, reader, answer changes
    if (config.alerts.enabled) ++databases;
    size_t base = kProcessBase + databases * kPerDatabase;
    if (config.http.enabled) {
        base += kHttpBase + config.http.listen.size() +
                static_cast<size_t>(config.http.max_connections);
    }
    // The resolution prober: an engine, a socket per resolver and transport.
    if (config.resolution.enabled()) base += 1 + 2 * config.resolution.resolvers.size();
    // NOTIFY listener (UDP and TCP) and propagation/diff engines with a few servers each.
    if (config.notify.enabled || config.propagation.enabled) base += 2 + kPropagation;
    if (config.diff.enabled()) base += 4;
    n.base = base;
    return n;
}

}  // namespace nswatch
