// The configuration schema: plain values with their defaults. The loader (config/config.hpp)
// fills these from YAML; the CLI may also build them in code (e.g. zones named on the command
// line), so every struct is usable as default-constructed. CONFIGURATION.md documents each field.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/alerts_schema.hpp"
#include "config/audit_settings.hpp"
#include "config/notify_schema.hpp"
#include "config/resolvers.hpp"
#include "config/shard.hpp"
#include "dns/vantage.hpp"

namespace nswatch {

/// Settings of the authoritative probes (prober/engine.hpp ProbeRequest, dns/probe_result.hpp
/// Query).
struct ProbeSettings {
    /// How long one probe waits for its reply.
    std::chrono::milliseconds timeout{2000};
    /// Time between the starts of two daemon rounds.
    std::chrono::milliseconds interval{60000};
    /// Each round starts up to jitter × interval late, so many instances do not probe in step.
    double jitter = 0.1;
    /// Probe over TCP every k-th round (1 = every round, 0 = never); UDP runs every round.
    int tcp_every = 5;
    /// Probe the watched names every k-th round (1 = every round), and in any round after a
    /// server's SOA serial changed: a zone's data changes with its serial, so most rounds need
    /// only the SOA probes, which are one in seven of the default probes.
    int answers_every = 5;
    /// Add an OPT record (EDNS0) to queries.
    bool edns = true;
    /// EDNS UDP payload size advertised; 1232 avoids IP fragmentation (DNS flag day 2020).
    uint16_t edns_buffer_size = 1232;
    /// Ask for NSID (RFC 5001) to tell anycast instances apart.
    bool nsid = true;
    /// Set the DO bit so signed zones return their RRSIGs.
    bool dnssec_ok = false;
    /// Probe the IPv6 addresses of nameservers too.
    bool ipv6 = true;
    /// At most this many probes on the wire at once; more wait in a queue. Thousands of
    /// simultaneous TCP connections exhaust the kernel's and the servers' limits, so a cap keeps a
    /// large deployment's rounds from failing on their own load.
    int max_in_flight = 1024;
    /// Answers over UDP in a row that bring a down address up again.
    int rise = 2;
    /// Failed UDP rounds in a row that take an address down; a provider is down when all of its
    /// addresses are. At the default 60 s interval, 2 puts provider_down about 2 minutes after
    /// the failure (fall x interval + the alert evaluation interval at most).
    int fall = 2;

    bool operator==(const ProbeSettings&) const = default;
};

/// Settings of delegation discovery (iterative resolution from the root hints).
struct DiscoverySettings {
    /// Time between two discoveries of a zone's delegation and nameserver addresses.
    std::chrono::milliseconds interval{std::chrono::hours(1)};
    /// How long one iterative query waits for its reply.
    std::chrono::milliseconds timeout{1500};
    /// Discoveries run at once, each on a worker thread of its own with its own probe engine.
    int workers = 4;

    bool operator==(const DiscoverySettings&) const = default;
};

/// An explicit provider grouping: nameservers whose name matches a pattern belong to `name`.
/// Rules are tried in order before the built-in catalogue; the first match wins.
struct ProviderConfig {
    /// Provider name as shown in reports and metric labels.
    std::string name;
    /// Globs on the NS name, lower case, no trailing dot: '*' any run of characters, '?' one.
    std::vector<std::string> patterns;

    bool operator==(const ProviderConfig&) const = default;
};

/// One name whose answers are compared across providers.
struct WatchName {
    /// Owner name relative to the zone, lower case, no trailing dot; "@" is the apex.
    std::string name = "@";
    /// RR type numbers to query at that name, in configured order, without duplicates.
    std::vector<uint16_t> types;

    bool operator==(const WatchName&) const = default;

    /// The absolute owner name (lower case, no trailing dot) within `zone`.
    std::string owner(std::string_view zone) const;
};

/// A nameserver given in the config instead of discovered.
struct StaticNameserver {
    /// NS name, lower case, no trailing dot.
    std::string name;
    /// IPv4/IPv6 literals in canonical form (inet_ntop), at least one.
    std::vector<std::string> addresses;
    /// Provider the server belongs to; empty = decide by rules and the built-in catalogue.
    std::string provider;
    /// Destination port; not 53 only in labs and tests.
    uint16_t port = 53;

    bool operator==(const StaticNameserver&) const = default;
};

/// When a finding becomes a WARNING or CRITICAL in check/status.
struct Thresholds {
    /// A server behind the newest serial for longer than this is a WARNING.
    std::chrono::milliseconds serial_lag_warning{std::chrono::minutes(5)};
    /// A server behind the newest serial for longer than this is CRITICAL.
    std::chrono::milliseconds serial_lag_critical{std::chrono::hours(1)};
    /// A round-trip time above this is a WARNING.
    std::chrono::milliseconds rtt_warning{500};

    bool operator==(const Thresholds&) const = default;
};

/// Per-zone overrides of the global thresholds; an empty field inherits the global value.
struct ThresholdOverrides {
    /// Overrides Thresholds::serial_lag_warning.
    std::optional<std::chrono::milliseconds> serial_lag_warning;
    /// Overrides Thresholds::serial_lag_critical.
    std::optional<std::chrono::milliseconds> serial_lag_critical;
    /// Overrides Thresholds::rtt_warning.
    std::optional<std::chrono::milliseconds> rtt_warning;

    bool operator==(const ThresholdOverrides&) const = default;

    /// `global` with every set field of this replacing the global one.
    Thresholds apply_to(const Thresholds& global) const;
};

/// The RRsets compared across providers when a zone names none: the apex SOA NS A AAAA MX TXT.
std::vector<WatchName> default_watch();

/// An immutable list that copies share: a ZoneConfig's watch list and static nameservers. The
/// daemon copies zone configs (the monitor, propagation) and many zones list the same servers
/// (the loader shares equal lists) or watch the defaults (one list for all): as vectors they were
/// ~0.6 KiB per zone and copy. Read like a const std::vector; replaced, never edited in place.
template <typename T>
class SharedVector {
  public:
    SharedVector() = default;
    SharedVector(std::vector<T> items)  // NOLINT: implicit, so that `zone.watch = {...}` reads well
        : items_(items.empty() ? nullptr
                               : std::make_shared<const std::vector<T>>(std::move(items))) {}
    SharedVector(std::initializer_list<T> items) : SharedVector(std::vector<T>(items)) {}

    const std::vector<T>& get() const { return items_ ? *items_ : none(); }
    operator const std::vector<T>&() const { return get(); }  // NOLINT: reads as the vector
    auto begin() const { return get().begin(); }
    auto end() const { return get().end(); }
    size_t size() const { return get().size(); }
    bool empty() const { return get().empty(); }
    const T& operator[](size_t i) const { return get()[i]; }
    const T& at(size_t i) const { return get().at(i); }
    const T& front() const { return get().front(); }
    /// Same list object (shared), not merely equal elements.
    bool shares(const SharedVector& o) const { return items_ == o.items_; }

    bool operator==(const SharedVector& o) const { return items_ == o.items_ || get() == o.get(); }

  private:
    static const std::vector<T>& none() {
        static const std::vector<T> empty;
        return empty;
    }
    std::shared_ptr<const std::vector<T>> items_;
};

/// default_watch() as one list shared by every zone that names none.
const SharedVector<WatchName>& shared_default_watch();

/// One zone under watch.
/// `reference:` the zone as it is meant to be, asked of every provider (zonediff/reference_zone.hpp
/// and reference_service.hpp): from a master file, or transferred from a hidden primary.
struct ReferenceSettings {
    /// RFC 1035 master file, resolved against the config file's directory; empty: `primary`.
    std::string file;
    /// The hidden primary to transfer the zone from (AXFR, TSIG with `key`); server empty: `file`.
    TransferSettings primary;
    /// Every RRset is asked of every provider within this period.
    std::chrono::milliseconds every{std::chrono::hours(1)};
    /// Compare TTLs too (off: the same records with another TTL are the same answer).
    bool compare_ttl = false;
    /// Questions per round whose right answer is negative (NXDOMAIN, NODATA).
    int negative_per_round = 2;

    bool operator==(const ReferenceSettings&) const = default;
};

struct ZoneConfig {
    /// Zone name, lower case, no trailing dot ("shop.test").
    std::string name;
    /// NS name of the server that must never be behind (the primary); empty = none singled out.
    std::string primary;
    /// Names and types compared across providers; the apex entry always comes first.
    SharedVector<WatchName> watch = shared_default_watch();
    /// Static nameserver list; when non-empty, discovery is skipped for this zone.
    SharedVector<StaticNameserver> nameservers;
    /// Per-zone threshold overrides.
    ThresholdOverrides thresholds;
    /// The intended content every provider is checked against; none by default.
    std::optional<ReferenceSettings> reference;

    bool operator==(const ZoneConfig&) const = default;
};

/// A `zones_from` entry with `catalog:`: member zones of a catalog zone (RFC 9432), transferred
/// from its primary and followed at run time (catalog/catalog_source.hpp).
struct CatalogSettings {
    /// Catalog zone name, lower case, no trailing dot.
    std::string name;
    /// Address literal of the server to transfer it from, and its port.
    std::string server;
    uint16_t port = 53;
    /// Name of a key (from `keys`) to sign the transfers with; empty = unsigned.
    std::string key;
    /// Local address to transfer from; empty = the kernel's choice.
    std::string source;
    /// Per-read time-out of a transfer.
    std::chrono::milliseconds timeout{10000};
    /// A catalog with more members than this is refused as a whole (the last good list stays).
    int64_t max_members = 10000;
    /// Zone settings per member `group` (name empty in each); members without a group, or of a
    /// group not listed, get every default.
    std::map<std::string, ZoneConfig> groups;

    bool operator==(const CatalogSettings&) const = default;
};

/// Where a config's zones came from, and which of them this instance keeps (Config::inventory).
struct ZoneInventory {
    /// This instance's part of the listed zones (`shard`, or --shard over it); Config::zones
    /// holds only the zones of this shard.
    ShardSettings shard;
    /// How many zones the file lists (inline and `zones_from`), before the shard keeps its part.
    size_t listed = 0;
    /// The `zones_from` entry with `file:` (at most one), resolved against the config file's
    /// directory; empty when not given.
    std::string zones_from;
    /// The `zones_from` entries with `catalog:`, in list order, each catalog named once: their
    /// members are added to Config::zones at run time. A zone several of them list takes the
    /// settings of the first (catalog/catalog_members.hpp).
    std::vector<CatalogSettings> catalogs;

    bool operator==(const ZoneInventory&) const = default;

    /// The catalog named `name` (canonical: lower case, no trailing dot), or nullptr.
    const CatalogSettings* find_catalog(std::string_view name) const;
};

/// Probe history in SQLite (storage/). An empty path turns history off.
struct StorageSettings {
    /// Database file; relative paths are taken from the config file's directory.
    std::string path;
    /// How long raw probe rows are kept.
    std::chrono::milliseconds raw_retention{std::chrono::hours(48)};
    /// How long per-minute rollups are kept.
    std::chrono::milliseconds minute_retention{std::chrono::hours(24 * 30)};
    /// How long per-hour rollups are kept.
    std::chrono::milliseconds hour_retention{std::chrono::hours(24 * 400)};
    /// Results buffered for the writer thread; beyond this new results are dropped and counted.
    int64_t queue = 100000;

    bool operator==(const StorageSettings&) const = default;
};

/// The HTTP server: /metrics, /api/v1/status, /healthz and the status page at /.
struct HttpSettings {
    /// Serve HTTP at all.
    bool enabled = true;
    /// Addresses to listen on, each one IP address and port: host:port, [v6]:port.
    std::vector<std::string> listen{"127.0.0.1:10053"};
    /// Connections open at once, all clients together; a new one beyond it replaces the one
    /// that has waited longest without sending a whole request.
    int64_t max_connections = 512;
    /// Connections open at once from one IPv4 address or IPv6 /64.
    int64_t max_connections_per_client = 32;
    /// Time a client has to send a whole request head (from connecting, or from the first byte
    /// of its next request on a kept-alive connection).
    std::chrono::milliseconds header_timeout{std::chrono::seconds(5)};
    /// Time a kept-alive connection may wait for its next request.
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(120)};
    /// Time a response has to be delivered in full.
    std::chrono::milliseconds write_timeout{std::chrono::seconds(60)};
    /// Upper bounds (seconds) of the RTT histogram buckets.
    std::vector<double> rtt_buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                    0.1,    0.25,  0.5,    1,     2.5,  5};
    /// Granularity of nswatch_probe_duration_seconds: "target" (per address and transport, the
    /// DNS exporter family's labels), "provider" (per zone, provider, vantage, transport and
    /// family: 15 lines per target were most of /metrics at 1,000 zones) or "off".
    std::string rtt_histogram = "target";

    bool operator==(const HttpSettings&) const = default;
};

/// The whole configuration. Default-constructed, it is valid and has no zones.
struct Config {
    /// Where this was loaded from (file path or source name); empty when built in code.
    std::string source;
    /// Root hints file (named.root format); empty = the built-in IANA hints.
    std::string root_hints;
    /// Vantage points probes leave from; never empty.
    std::vector<Vantage> vantages{Vantage{}};
    /// Name of the vantage used when none is asked for; names an entry of `vantages`.
    std::string default_vantage = "default";
    /// Probe settings.
    ProbeSettings probe;
    /// Delegation discovery settings.
    DiscoverySettings discovery;
    /// Explicit provider groupings, tried in order before the built-in catalogue.
    std::vector<ProviderConfig> providers;
    /// Zones under watch (only this instance's shard of them); may be empty when the CLI names
    /// zones itself.
    std::vector<ZoneConfig> zones;
    /// Where the zones came from and which part of them this instance keeps.
    ZoneInventory inventory;
    /// Global thresholds; zones may override them.
    Thresholds thresholds;
    /// Probe history.
    StorageSettings storage;
    /// The HTTP server.
    HttpSettings http;
    /// Resolution probes through recursive resolvers (off when it lists none).
    ResolutionSettings resolution;
    /// providers[].transfer, by provider (kept apart from ProviderConfig so its aggregate shape
    /// stays).
    std::vector<ProviderTransfer> transfers;
    /// TSIG keys, referenced by name from `notify` and provider transfers.
    std::vector<TsigKey> keys;
    /// The NOTIFY listener.
    NotifySettings notify;
    /// Propagation runs.
    PropagationConfig propagation;
    /// The daemon's scheduled zone diff (off unless `diff.interval` is set).
    ZoneDiffSettings diff;

    /// The key named `name`, or nullptr.
    const TsigKey* find_key(std::string_view name) const;
    /// The transfer settings of provider `name`, or nullptr.
    const TransferSettings* find_transfer(std::string_view provider) const;
    /// `nswatch audit` thresholds (docs/AUDIT-CHECKS.md defaults).
    AuditThresholds audit;
    /// Alert rules and notification channels (off unless the file has an `alerts` section).
    AlertSettings alerts;

    /// The zone named `name` (any case, trailing dot allowed), or nullptr.
    const ZoneConfig* find_zone(std::string_view name) const;
    /// The vantage named `name`, or nullptr.
    const Vantage* find_vantage(std::string_view name) const;
    /// The default vantage; falls back to the first one if `default_vantage` names none.
    const Vantage& get_default_vantage() const;
    /// The thresholds that apply to `zone`: global ones with the zone's overrides.
    Thresholds thresholds_for(const ZoneConfig& zone) const;
};

}  // namespace nswatch
