// The schema walk: one function per section, each reading its map through config_detail::Reader
// so every value is checked where it is read and reported at its own line and column.
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "config/alerts_config.hpp"
#include "config/audit_section.hpp"
#include "config/config.hpp"
#include "config/notify_config.hpp"
#include "config/resolvers_loader.hpp"
#include "config/yaml_fields.hpp"

namespace nswatch {

ConfigError::ConfigError(std::string source, int line, int column, std::string message)
    : std::runtime_error(line > 0 ? source + ":" + std::to_string(line) + ":" +
                                        std::to_string(column) + ": " + message
                                  : source + ": " + message),
      source_(std::move(source)),
      line_(line),
      column_(column),
      message_(std::move(message)) {}

namespace {

using config_detail::describe;
using config_detail::Field;
using config_detail::MapFields;
using config_detail::Reader;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

// Sections a later version will add. Naming them lets the error say "not yet" instead of
// "unknown", so a config written for a newer nswatch fails with an honest message.
const std::vector<std::string_view> kReservedTopLevel{};  // none at present

// Upper bounds: beyond these a value is far more likely a slip (a missing unit, an extra zero)
// than an intent. A probe timeout over a minute would hold a round open for that long.
constexpr milliseconds kMaxProbeTimeout = 60s;
constexpr milliseconds kMaxInterval = 24h * 30;

std::string line_of(const Field& field) {
    return std::to_string(field.mark().line + 1);
}

std::string mark_text(const Field& field) {
    return std::to_string(field.mark().line + 1) + ":" + std::to_string(field.mark().column + 1);
}

class Loader {
  public:
    Loader(std::string source, std::filesystem::path base_dir)
        : source_(source), base_dir_(std::move(base_dir)), in_(std::move(source)) {}

    Config load(const std::string& yaml, const LoadOptions& options);

  private:
    YAML::Node parse(const std::string& yaml) const;
    void read_root_hints(const Field& field, Config& config) const;
    void read_vantages(const Field& field, Config& config) const;
    void read_default_vantage(const Field& field, Config& config) const;
    void read_probe(const Field& field, ProbeSettings& probe) const;
    void read_discovery(const Field& field, DiscoverySettings& discovery) const;
    void read_providers(const Field& field, Config& config) const;
    void read_thresholds(const Field& field, Thresholds& thresholds) const;
    void read_storage(const Field& field, StorageSettings& storage) const;
    void read_http(const Field& field, HttpSettings& http) const;
    ThresholdOverrides read_overrides(const Field& field, const Thresholds& global) const;
    void read_zones(const Field& field, Config& config) const;
    ZoneConfig read_zone(const Field& field, const Thresholds& global, Field& name_field) const;
    std::vector<WatchName> read_watch(const Field& field, const std::string& zone) const;
    WatchName read_watch_entry(const Field& field, const std::string& zone) const;
    std::string read_watch_name(const Field& field, const std::string& zone) const;
    std::vector<StaticNameserver> read_nameservers(const Field& field) const;
    StaticNameserver read_nameserver(const Field& field) const;
    std::string domain_name(const Field& field, std::string_view what) const;
    void check_lag_order(const Field& at, const Thresholds& t) const;

    std::string source_;              ///< file path or source name, for Config::source
    std::filesystem::path base_dir_;  ///< relative root_hints are resolved against this
    Reader in_;                       ///< reads values and throws positioned errors
};

// Records where each document starts, and nothing else.
class DocumentStarts : public YAML::EventHandler {
  public:
    std::vector<YAML::Mark> starts;  ///< position of each document's first token

    void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

YAML::Node Loader::parse(const std::string& yaml) const {
    try {
        // Not YAML::LoadAll: in yaml-cpp 0.7 it loops forever, allocating, on a stray ',' at
        // document level (jbeder/yaml-cpp#1040, fixed upstream by #1319). The parser reports an
        // empty document there without consuming the token, again and again. So documents are
        // counted with a bounded parse: two are enough to know there is more than one, and a
        // second one starting where the first did is that stuck token.
        std::istringstream in(yaml);
        YAML::Parser parser(in);
        DocumentStarts documents;
        while (documents.starts.size() < 2 && parser.HandleNextDocument(documents)) {
        }
        if (documents.starts.size() == 2) {
            const YAML::Mark& first = documents.starts[0];
            const YAML::Mark& second = documents.starts[1];
            if (second.pos == first.pos) {
                const size_t at = static_cast<size_t>(first.pos);
                in_.fail(first, "YAML syntax error: unexpected '" +
                                    (at < yaml.size() ? yaml.substr(at, 1) : std::string()) + "'");
            }
            in_.fail(second,
                     "only one YAML document is allowed; remove the second '---' and what follows");
        }
        return YAML::Load(yaml);
    } catch (const YAML::Exception& e) {
        in_.fail(e.mark, "YAML syntax error: " + e.msg);
    }
}

Config Loader::load(const std::string& yaml, const LoadOptions& options) {
    const YAML::Node document = parse(yaml);
    Config config;
    config.source = source_;
    Field root{document, "", YAML::Mark::null_mark()};
    if (root.value.IsNull() || !root.value.IsDefined()) {
        // An empty file (or one of only comments) is the all-defaults config.
        if (options.require_zones) {
            in_.fail(root.mark(), "no zones: add a 'zones' list with at least one zone");
        }
        return config;
    }

    MapFields top = in_.map(root,
                            {"root_hints", "vantages", "default_vantage", "probe", "discovery",
                             "providers", "zones", "thresholds", "storage", "http", "alerts",
                             "resolvers", "keys", "notify", "propagation", "audit", "diff"},
                            kReservedTopLevel);
    // Sections are read in dependency order, not document order: default_vantage needs the
    // vantages, zone overrides need the global thresholds.
    if (const Field* f = top.get("root_hints")) read_root_hints(*f, config);
    if (const Field* f = top.get("vantages")) read_vantages(*f, config);
    if (const Field* f = top.get("default_vantage")) read_default_vantage(*f, config);
    if (const Field* f = top.get("probe")) read_probe(*f, config.probe);
    if (const Field* f = top.get("discovery")) read_discovery(*f, config.discovery);
    if (const Field* f = top.get("keys")) config_detail::read_keys(in_, *f, config);
    if (const Field* f = top.get("notify")) config_detail::read_notify(in_, *f, config);
    if (const Field* f = top.get("propagation")) {
        config_detail::read_propagation(in_, *f, config.propagation);
    }
    if (const Field* f = top.get("providers")) read_providers(*f, config);
    if (const Field* f = top.get("diff")) config_detail::read_diff(in_, *f, config);
    if (const Field* f = top.get("thresholds")) read_thresholds(*f, config.thresholds);
    if (const Field* f = top.get("zones")) read_zones(*f, config);
    if (const Field* f = top.get("storage")) read_storage(*f, config.storage);
    if (const Field* f = top.get("http")) read_http(*f, config.http);
    if (const Field* f = top.get("resolvers")) {
        config.resolution = config_detail::read_resolution(in_, *f, config.vantages);
    }
    if (const Field* f = top.get("audit")) config_detail::read_audit_section(in_, *f, config.audit);
    if (const Field* f = top.get("alerts")) {
        std::vector<std::string> zone_names;
        for (const auto& z : config.zones) zone_names.push_back(z.name);
        config_detail::read_alerts(in_, *f, base_dir_, zone_names, config.alerts);
    }

    if (options.require_zones && config.zones.empty()) {
        const Field* zones = top.get("zones");
        in_.fail(zones != nullptr ? *zones : root,
                 "no zones: add a 'zones' list with at least one zone");
    }
    return config;
}

void Loader::read_root_hints(const Field& field, Config& config) const {
    std::filesystem::path path = in_.string(field, "the path of a root hints file");
    if (path.is_relative() && !base_dir_.empty()) path = base_dir_ / path;
    path = path.lexically_normal();
    // Checked now so a typo is reported at its line, not at the first discovery an hour later.
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        in_.fail(field, "root hints file '" + path.string() +
                            "' does not exist or is not a regular file (leave root_hints out to "
                            "use the built-in IANA hints)");
    }
    if (!std::ifstream(path)) {
        in_.fail(field,
                 "root hints file '" + path.string() + "' cannot be read: " + std::strerror(errno));
    }
    config.root_hints = path.string();
}

void Loader::read_vantages(const Field& field, Config& config) const {
    auto items = in_.list(field, "[{name: fra1, source_ipv4: 192.0.2.10}]");
    if (items.empty()) {
        in_.fail(field,
                 "the list is empty; leave 'vantages' out to probe from one vantage with "
                 "kernel-chosen source addresses");
    }
    config.vantages.clear();
    std::map<std::string, Field> seen;
    for (const auto& item : items) {
        MapFields m = in_.map(item, {"name", "source_ipv4", "source_ipv6", "interface"});
        Vantage v;
        const Field& name = in_.require(m, "name", "every vantage needs a name");
        v.name = in_.string(name, "a vantage name");
        // The name becomes a metric label value and a CLI argument: keep it to one plain word.
        for (char c : v.name) {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
                in_.fail(name, "vantage name '" + v.name +
                                   "' may only contain letters, digits, '-', '_' and '.'");
            }
        }
        if (auto [it, inserted] = seen.emplace(v.name, name); !inserted) {
            in_.fail(name, "duplicate vantage '" + v.name + "' (first at line " +
                               line_of(it->second) + ")");
        }
        if (const Field* f = m.get("source_ipv4")) {
            std::string text = in_.string(*f, "an IPv4 address");
            auto address = normalize_ip_literal(text, 4);
            if (!address) {
                in_.fail(*f, normalize_ip_literal(text, 6)
                                 ? "'" + text + "' is an IPv6 address; put it under source_ipv6"
                                 : "'" + text + "' is not an IPv4 address");
            }
            v.source_ipv4 = *address;
        }
        if (const Field* f = m.get("source_ipv6")) {
            std::string text = in_.string(*f, "an IPv6 address");
            auto address = normalize_ip_literal(text, 6);
            if (!address) {
                in_.fail(*f, normalize_ip_literal(text, 4)
                                 ? "'" + text + "' is an IPv4 address; put it under source_ipv4"
                                 : "'" + text + "' is not an IPv6 address");
            }
            v.source_ipv6 = *address;
        }
        if (const Field* f = m.get("interface")) {
            v.interface = in_.string(*f, "a network interface name such as eth0");
            // IFNAMSIZ is 16 including the terminating NUL.
            bool bad = v.interface.size() > 15 ||
                       std::any_of(v.interface.begin(), v.interface.end(), [](char c) {
                           return c == '/' || std::isspace(static_cast<unsigned char>(c));
                       });
            if (bad) {
                in_.fail(*f, "'" + v.interface +
                                 "' is not a valid interface name (at most 15 characters, no '/' "
                                 "or spaces)");
            }
        }
        config.vantages.push_back(std::move(v));
    }
    config.default_vantage = config.vantages.front().name;
}

void Loader::read_default_vantage(const Field& field, Config& config) const {
    std::string name = in_.string(field, "the name of a vantage");
    if (config.find_vantage(name) == nullptr) {
        std::vector<std::string_view> names;
        for (const auto& v : config.vantages) names.push_back(v.name);
        std::string message = "'" + name + "' is not a defined vantage";
        if (auto close = closest_match(name, names)) message += ": did you mean '" + *close + "'?";
        std::string list;
        for (auto n : names) list += (list.empty() ? "" : ", ") + std::string(n);
        in_.fail(field, message + " (defined vantages: " + list + ")");
    }
    config.default_vantage = name;
}

void Loader::read_probe(const Field& field, ProbeSettings& probe) const {
    MapFields m =
        in_.map(field, {"timeout", "interval", "jitter", "tcp_every", "answers_every", "edns",
                        "edns_buffer_size", "nsid", "dnssec_ok", "ipv6", "max_in_flight"});
    if (const Field* f = m.get("timeout")) probe.timeout = in_.duration(*f, 1ms, kMaxProbeTimeout);
    if (const Field* f = m.get("interval")) probe.interval = in_.duration(*f, 1s, kMaxInterval);
    if (const Field* f = m.get("jitter")) probe.jitter = in_.fraction(*f);
    if (const Field* f = m.get("tcp_every")) {
        probe.tcp_every = static_cast<int>(in_.integer(*f, 0, 1'000'000));
    }
    if (const Field* f = m.get("answers_every")) {
        probe.answers_every = static_cast<int>(in_.integer(*f, 1, 1'000'000));
    }
    if (const Field* f = m.get("edns")) probe.edns = in_.boolean(*f);
    if (const Field* f = m.get("edns_buffer_size")) {
        // Below 512 an OPT record is treated as 512 (RFC 6891 §6.2.5); above is what fits a uint16.
        probe.edns_buffer_size = static_cast<uint16_t>(in_.integer(*f, 512, 65535));
    }
    const Field* nsid = m.get("nsid");
    const Field* dnssec_ok = m.get("dnssec_ok");
    if (nsid != nullptr) probe.nsid = in_.boolean(*nsid);
    if (dnssec_ok != nullptr) probe.dnssec_ok = in_.boolean(*dnssec_ok);
    if (const Field* f = m.get("ipv6")) probe.ipv6 = in_.boolean(*f);
    if (const Field* f = m.get("max_in_flight")) {
        probe.max_in_flight = static_cast<int>(in_.integer(*f, 1, 1'000'000));
    }

    if (probe.interval <= probe.timeout) {
        in_.fail(*(m.get("interval") != nullptr ? m.get("interval") : m.get("timeout")),
                 "the interval (" + format_duration(probe.interval) +
                     ") must be longer than the timeout (" + format_duration(probe.timeout) +
                     "): a round must be able to end before the next begins");
    }
    if (!probe.edns) {
        // NSID and DO travel in the OPT record: asked for without EDNS they cannot be sent.
        if (nsid != nullptr && probe.nsid) {
            in_.fail(*nsid, "nsid needs EDNS: set edns: true or nsid: false");
        }
        if (dnssec_ok != nullptr && probe.dnssec_ok) {
            in_.fail(*dnssec_ok, "dnssec_ok needs EDNS: set edns: true or dnssec_ok: false");
        }
        probe.nsid = false;
        probe.dnssec_ok = false;
    }
}

void Loader::read_storage(const Field& field, StorageSettings& storage) const {
    MapFields m =
        in_.map(field, {"path", "raw_retention", "minute_retention", "hour_retention", "queue"});
    if (const Field* f = m.get("path")) {
        std::filesystem::path p = in_.string(*f, "a database file path");
        if (p.is_relative()) p = base_dir_ / p;
        storage.path = p.string();
    }
    if (const Field* f = m.get("raw_retention")) {
        storage.raw_retention = in_.duration(*f, 1h, 24h * 3650);
    }
    if (const Field* f = m.get("minute_retention")) {
        storage.minute_retention = in_.duration(*f, 1h, 24h * 3650);
    }
    if (const Field* f = m.get("hour_retention")) {
        storage.hour_retention = in_.duration(*f, 1h, 24h * 3650);
    }
    if (const Field* f = m.get("queue")) storage.queue = in_.integer(*f, 100, 100'000'000);
}

void Loader::read_http(const Field& field, HttpSettings& http) const {
    MapFields m = in_.map(field, {"enabled", "listen", "rtt_buckets", "rtt_histogram"});
    if (const Field* f = m.get("rtt_histogram")) {
        http.rtt_histogram = in_.string(*f, "target, provider or off");
        if (http.rtt_histogram != "target" && http.rtt_histogram != "provider" &&
            http.rtt_histogram != "off") {
            in_.fail(*f, "rtt_histogram '" + http.rtt_histogram +
                             "' is not one of target, provider, off");
        }
    }
    if (const Field* f = m.get("enabled")) http.enabled = in_.boolean(*f);
    if (const Field* f = m.get("listen")) {
        http.listen = in_.string(*f, "host:port, e.g. 127.0.0.1:9153");
        const auto colon = http.listen.rfind(':');
        const std::string port = colon == std::string::npos ? "" : http.listen.substr(colon + 1);
        const bool digits = !port.empty() && port.size() <= 5 &&
                            std::all_of(port.begin(), port.end(),
                                        [](unsigned char c) { return std::isdigit(c) != 0; });
        if (!digits || std::stoi(port) > 65535) {
            in_.fail(*f,
                     "'" + http.listen + "' is not host:port (e.g. 127.0.0.1:9153, [::1]:9153)");
        }
    }
    if (const Field* f = m.get("rtt_buckets")) {
        http.rtt_buckets.clear();
        double previous = 0;
        for (const auto& item : in_.list(*f, "[0.001, 0.01, 0.1, 1]")) {
            const std::string text = in_.string(item, "a bucket bound in seconds");
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (end == text.c_str() || *end != '\0' || !(v > previous)) {
                in_.fail(item, "bucket bounds must be increasing positive numbers of seconds");
            }
            previous = v;
            http.rtt_buckets.push_back(v);
        }
    }
}

void Loader::read_discovery(const Field& field, DiscoverySettings& discovery) const {
    MapFields m = in_.map(field, {"interval", "timeout"});
    if (const Field* f = m.get("interval")) discovery.interval = in_.duration(*f, 1s, kMaxInterval);
    if (const Field* f = m.get("timeout")) {
        discovery.timeout = in_.duration(*f, 1ms, kMaxProbeTimeout);
    }
}

void Loader::read_providers(const Field& field, Config& config) const {
    std::map<std::string, Field> seen;
    for (const auto& item : in_.list(field, "[{name: alpha, patterns: [\"*.alpha-dns.test\"]}]")) {
        MapFields m = in_.map(item, {"name", "patterns", "transfer"});
        ProviderConfig rule;
        const Field& name = in_.require(m, "name", "every provider needs a name");
        rule.name = in_.string(name, "a provider name");
        if (auto [it, inserted] = seen.emplace(rule.name, name); !inserted) {
            in_.fail(name, "duplicate provider '" + rule.name + "' (first at line " +
                               line_of(it->second) + "); list all its patterns in one entry");
        }
        if (const Field* f = m.get("transfer")) {
            config.transfers.push_back({rule.name, config_detail::read_transfer(in_, *f, config)});
        }
        const Field& patterns = in_.require(
            m, "patterns", "a list of globs on nameserver names, e.g. [\"*.alpha-dns.test\"]");
        auto items = in_.list(patterns, "[\"*.alpha-dns.test\", \"ns?.alpha.example\"]");
        if (items.empty()) in_.fail(patterns, "provider '" + rule.name + "' has no patterns");
        for (const auto& p : items) {
            if (p.value.IsScalar() && p.value.Scalar().empty()) {
                in_.fail(p,
                         "empty pattern: it would match nothing; write a glob such as "
                         "\"*.alpha-dns.test\" ('*' for any characters, '?' for one)");
            }
            std::string pattern = in_.string(p, "a glob such as \"*.alpha-dns.test\"");
            if (pattern.back() == '.') pattern.pop_back();
            for (char& c : pattern) {
                auto u = static_cast<unsigned char>(c);
                if (!std::isalnum(u) && c != '-' && c != '_' && c != '.' && c != '*' && c != '?') {
                    in_.fail(p, std::string("character '") + c + "' is not allowed in pattern '" +
                                    p.value.Scalar() +
                                    "' (name characters and the wildcards '*' and '?' only)");
                }
                c = static_cast<char>(std::tolower(u));
            }
            if (pattern.empty()) in_.fail(p, "the pattern '.' matches no nameserver name");
            rule.patterns.push_back(std::move(pattern));
        }
        config.providers.push_back(std::move(rule));
    }
}

void Loader::check_lag_order(const Field& at, const Thresholds& t) const {
    if (t.serial_lag_warning > t.serial_lag_critical) {
        in_.fail(at, "serial_lag_warning (" + format_duration(t.serial_lag_warning) +
                         ") is longer than serial_lag_critical (" +
                         format_duration(t.serial_lag_critical) + "): the warning must come first");
    }
}

void Loader::read_thresholds(const Field& field, Thresholds& thresholds) const {
    MapFields m = in_.map(field, {"serial_lag_warning", "serial_lag_critical", "rtt_warning"});
    // A lag threshold of 0 is allowed: it means "any lag at all".
    if (const Field* f = m.get("serial_lag_warning")) {
        thresholds.serial_lag_warning = in_.duration(*f, 0ms, kMaxInterval);
    }
    if (const Field* f = m.get("serial_lag_critical")) {
        thresholds.serial_lag_critical = in_.duration(*f, 0ms, kMaxInterval);
    }
    if (const Field* f = m.get("rtt_warning")) {
        thresholds.rtt_warning = in_.duration(*f, 1ms, kMaxProbeTimeout);
    }
    const Field* at = m.get("serial_lag_warning");
    check_lag_order(at != nullptr ? *at : field, thresholds);
}

ThresholdOverrides Loader::read_overrides(const Field& field, const Thresholds& global) const {
    MapFields m = in_.map(field, {"serial_lag_warning", "serial_lag_critical", "rtt_warning"});
    ThresholdOverrides o;
    if (const Field* f = m.get("serial_lag_warning")) {
        o.serial_lag_warning = in_.duration(*f, 0ms, kMaxInterval);
    }
    if (const Field* f = m.get("serial_lag_critical")) {
        o.serial_lag_critical = in_.duration(*f, 0ms, kMaxInterval);
    }
    if (const Field* f = m.get("rtt_warning"))
        o.rtt_warning = in_.duration(*f, 1ms, kMaxProbeTimeout);
    // Checked on the combination: a zone raising only the warning above the global critical is
    // as wrong as a zone setting both backwards.
    const Field* at = m.get("serial_lag_warning");
    check_lag_order(at != nullptr ? *at : field, o.apply_to(global));
    return o;
}

std::string Loader::domain_name(const Field& field, std::string_view what) const {
    std::string text = in_.string(field, std::string(what) + " (a domain name)");
    std::string why;
    auto name = normalize_domain_name(text, &why);
    if (!name) in_.fail(field, "'" + text + "' is not a valid " + std::string(what) + ": " + why);
    return *name;
}

void Loader::read_zones(const Field& field, Config& config) const {
    std::map<std::string, Field> seen;
    for (const auto& item : in_.list(field, "[{name: shop.test}]")) {
        Field name_field = item;
        ZoneConfig zone = read_zone(item, config.thresholds, name_field);
        if (auto [it, inserted] = seen.emplace(zone.name, name_field); !inserted) {
            in_.fail(name_field, "duplicate zone '" + zone.name + "' (first defined at " +
                                     mark_text(it->second) + "); each zone may appear once");
        }
        config.zones.push_back(std::move(zone));
    }
}

ZoneConfig Loader::read_zone(const Field& field, const Thresholds& global,
                             Field& name_field) const {
    ZoneConfig zone;
    if (field.value.IsScalar()) {
        // Shorthand "- shop.test": a zone with every default.
        zone.name = domain_name(field, "zone name");
        return zone;
    }
    MapFields m = in_.map(field, {"name", "primary", "watch", "nameservers", "thresholds"});
    name_field = in_.require(m, "name", "every zone needs a name, e.g. name: shop.test");
    zone.name = domain_name(name_field, "zone name");
    if (const Field* f = m.get("watch")) zone.watch = read_watch(*f, zone.name);
    if (const Field* f = m.get("nameservers")) zone.nameservers = read_nameservers(*f);
    if (const Field* f = m.get("primary")) {
        zone.primary = domain_name(*f, "primary nameserver name");
        if (!zone.nameservers.empty()) {
            std::vector<std::string_view> names;
            for (const auto& ns : zone.nameservers) names.push_back(ns.name);
            if (std::find(names.begin(), names.end(), zone.primary) == names.end()) {
                std::string message =
                    "primary '" + zone.primary + "' is not one of the zone's static nameservers";
                if (auto close = closest_match(zone.primary, names)) {
                    message += ": did you mean '" + *close + "'?";
                }
                in_.fail(*f, message);
            }
        }
    }
    if (const Field* f = m.get("thresholds")) zone.thresholds = read_overrides(*f, global);
    return zone;
}

std::vector<WatchName> Loader::read_watch(const Field& field, const std::string& zone) const {
    std::vector<WatchName> watch = default_watch();
    std::map<std::string, Field> seen;
    for (const auto& item : in_.list(field, "[{name: www, types: [A, AAAA]}]")) {
        WatchName entry = read_watch_entry(item, zone);
        if (auto [it, inserted] = seen.emplace(entry.name, item); !inserted) {
            in_.fail(item, "'" + entry.owner(zone) + "' is watched twice (first at line " +
                               line_of(it->second) + "); list all its types in one entry");
        }
        if (entry.name == "@") {
            // An explicit apex entry replaces the default one, and stays first.
            watch.front() = std::move(entry);
        } else {
            watch.push_back(std::move(entry));
        }
    }
    return watch;
}

WatchName Loader::read_watch_entry(const Field& field, const std::string& zone) const {
    WatchName entry;
    if (field.value.IsScalar()) {
        // Shorthand "- www": the name's addresses.
        entry.name = read_watch_name(field, zone);
        entry.types =
            entry.name == "@" ? default_watch().front().types : std::vector<uint16_t>{1, 28};
        return entry;
    }
    MapFields m = in_.map(field, {"name", "types"});
    entry.name = read_watch_name(
        in_.require(m, "name", "the owner name to watch, e.g. name: www (\"@\" for the apex)"),
        zone);
    const Field* types = m.get("types");
    if (types == nullptr) {
        entry.types =
            entry.name == "@" ? default_watch().front().types : std::vector<uint16_t>{1, 28};
        return entry;
    }
    auto items = in_.list(*types, "[A, AAAA]");
    if (items.empty()) in_.fail(*types, "the list is empty; name at least one RR type");
    for (const auto& t : items) {
        std::string text = in_.string(t, "an RR type such as A or AAAA");
        auto type = watch_type_from_name(text);
        if (!type) {
            std::string message = "unknown RR type '" + text + "'";
            if (auto close = closest_match(text, watch_type_names())) {
                message += ": did you mean '" + *close + "'?";
            }
            std::string supported;
            for (auto name : watch_type_names()) {
                supported += (supported.empty() ? "" : ", ") + std::string(name);
            }
            in_.fail(t, message + " (supported: " + supported + ")");
        }
        // A repeated type is harmless: keep the first.
        if (std::find(entry.types.begin(), entry.types.end(), *type) == entry.types.end()) {
            entry.types.push_back(*type);
        }
    }
    return entry;
}

std::string Loader::read_watch_name(const Field& field, const std::string& zone) const {
    std::string text = in_.string(field, "an owner name such as www (\"@\" for the apex)");
    if (text == "@") return "@";
    bool absolute = text.back() == '.';
    std::string why;
    auto name = normalize_domain_name(text, &why, true);
    if (!name) in_.fail(field, "'" + text + "' is not a valid owner name: " + why);
    // Zone-file rules make "www.shop.test" (no dot) mean "www.shop.test.shop.test"; nobody means
    // that, so a name ending in the zone is taken as absolute.
    bool in_zone =
        *name == zone || (name->size() > zone.size() &&
                          name->compare(name->size() - zone.size(), zone.size(), zone) == 0 &&
                          (*name)[name->size() - zone.size() - 1] == '.');
    if (absolute && !in_zone) {
        in_.fail(field, "'" + text + "' is outside the zone '" + zone +
                            "': only names in the zone can be compared across its nameservers");
    }
    if (!in_zone) return *name;
    if (*name == zone) return "@";
    return name->substr(0, name->size() - zone.size() - 1);
}

std::vector<StaticNameserver> Loader::read_nameservers(const Field& field) const {
    auto items = in_.list(field, "[{name: ns1.alpha-dns.test, addresses: [192.0.2.53]}]");
    if (items.empty()) {
        in_.fail(field,
                 "the list is empty; leave 'nameservers' out to discover them from the "
                 "delegation");
    }
    std::vector<StaticNameserver> out;
    std::map<std::string, Field> seen;
    for (const auto& item : items) {
        StaticNameserver ns = read_nameserver(item);
        if (auto [it, inserted] = seen.emplace(ns.name, item); !inserted) {
            in_.fail(item, "nameserver '" + ns.name + "' is listed twice (first at line " +
                               line_of(it->second) + "); list all its addresses in one entry");
        }
        out.push_back(std::move(ns));
    }
    return out;
}

StaticNameserver Loader::read_nameserver(const Field& field) const {
    MapFields m = in_.map(field, {"name", "addresses", "provider", "port"});
    StaticNameserver ns;
    const Field& name = in_.require(m, "name", "the NS name, e.g. name: ns1.alpha-dns.test");
    if (name.value.IsScalar() && normalize_ip_literal(name.value.Scalar())) {
        in_.fail(name, "'" + name.value.Scalar() +
                           "' is an address, not a nameserver name; put it under 'addresses'");
    }
    ns.name = domain_name(name, "nameserver name");
    const Field* addresses = m.get("addresses");
    if (addresses == nullptr || (addresses->value.IsSequence() && addresses->value.size() == 0)) {
        in_.fail(addresses != nullptr ? *addresses : m.whole,
                 "static nameserver '" + ns.name +
                     "' has no addresses: give at least one, e.g. addresses: [192.0.2.53]");
    }
    for (const auto& a : in_.list(*addresses, "[127.53.1.1, \"fd00:53::1:1\"]")) {
        std::string text = in_.string(a, "an IPv4 or IPv6 address");
        auto address = normalize_ip_literal(text);
        if (!address) in_.fail(a, "'" + text + "' is not an IPv4 or IPv6 address");
        if (std::find(ns.addresses.begin(), ns.addresses.end(), *address) != ns.addresses.end()) {
            in_.fail(a, "address " + *address + " is listed twice");
        }
        ns.addresses.push_back(*address);
    }
    if (const Field* f = m.get("provider")) ns.provider = in_.string(*f, "a provider name");
    if (const Field* f = m.get("port")) ns.port = static_cast<uint16_t>(in_.integer(*f, 1, 65535));
    return ns;
}

Config load_with_base(const std::string& yaml, const std::string& source_name,
                      const std::filesystem::path& base_dir, const LoadOptions& options) {
    return Loader(source_name, base_dir).load(yaml, options);
}

}  // namespace

Config load_config_string(const std::string& yaml, const std::string& source_name,
                          const LoadOptions& options) {
    return load_with_base(yaml, source_name, {}, options);
}

Config load_config_file(const std::string& path, const LoadOptions& options) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw ConfigError(path, 0, 0, "is a directory, not a configuration file");
    }
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw ConfigError(
            path, 0, 0, std::string("cannot read the configuration file: ") + std::strerror(errno));
    }
    std::ostringstream text;
    text << file.rdbuf();
    std::filesystem::path base = std::filesystem::path(path).parent_path();
    if (base.empty()) base = ".";
    return load_with_base(text.str(), path, base, options);
}

}  // namespace nswatch
