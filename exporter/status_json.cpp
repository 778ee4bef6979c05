#include "exporter/status_json.hpp"

#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <string>

#include "monitor/delegation_missing.hpp"

namespace nswatch {

namespace {

using nlohmann::json;

// ---- enums: the names are the ones printed everywhere else (to_string) ----

template <typename E, size_t N>
E enum_from(const json& j, const E (&all)[N], const char* what) {
    const auto s = j.get<std::string>();
    for (E e : all) {
        if (to_string(e) == s) return e;
    }
    throw std::invalid_argument(std::string("unknown ") + what + ": " + s);
}

constexpr Transport all_transports[] = {Transport::udp, Transport::tcp};
constexpr Family all_families[] = {Family::ipv4, Family::ipv6};
constexpr SerialState all_serial_states[] = {SerialState::current, SerialState::behind,
                                             SerialState::ahead_of_primary, SerialState::undefined,
                                             SerialState::no_answer};

Outcome outcome_from(const json& j) {
    const auto s = j.get<std::string>();
    if (auto o = outcome_from_string(s)) return *o;
    throw std::invalid_argument("unknown outcome: " + s);
}

// ---- times ----

json time_to_json(WallTime t) {
    if (t == WallTime{}) return nullptr;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch());
    auto secs = std::chrono::floor<std::chrono::seconds>(ns);
    const auto frac = (ns - secs).count();
    const std::time_t tt = secs.count();
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<long long>(frac));
    return buf;
}

WallTime time_from_json(const json& j) {
    if (j.is_null()) return WallTime{};
    const auto s = j.get<std::string>();
    std::tm tm{};
    int frac_start = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &frac_start) != 6) {
        throw std::invalid_argument("bad time: " + s);
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    long long ns = 0;
    size_t i = static_cast<size_t>(frac_start);
    if (i < s.size() && s[i] == '.') {
        int digits = 0;
        for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
            if (digits < 9) ns = ns * 10 + (s[i] - '0');
        }
        for (; digits < 9; ++digits) ns *= 10;
    }
    if (i + 1 != s.size() || s[i] != 'Z')
        throw std::invalid_argument("bad time (want UTC Z): " + s);
    const auto secs = std::chrono::seconds(timegm(&tm));
    return WallTime(std::chrono::duration_cast<WallTime::duration>(secs) +
                    std::chrono::duration_cast<WallTime::duration>(std::chrono::nanoseconds(ns)));
}

// ---- value types ----

json to_json(const Target& t) {
    return {{"zone", t.zone},
            {"nameserver", t.nameserver},
            {"address", t.address},
            {"family", to_string(t.family)},
            {"provider", t.provider},
            {"vantage", t.vantage},
            {"transport", to_string(t.transport)},
            {"port", t.port}};
}

Target target_from(const json& j) {
    Target t;
    t.zone = j.value("zone", "");
    t.nameserver = j.value("nameserver", "");
    t.address = j.value("address", "");
    if (j.contains("family")) t.family = enum_from(j["family"], all_families, "family");
    t.provider = j.value("provider", "");
    t.vantage = j.value("vantage", "");
    if (j.contains("transport"))
        t.transport = enum_from(j["transport"], all_transports, "transport");
    t.port = j.value("port", uint16_t{53});
    return t;
}

json to_json(const Query& q) {
    return {{"name", q.name},
            {"type", q.type},
            {"recursion_desired", q.recursion_desired},
            {"edns", q.edns},
            {"edns_buffer_size", q.edns_buffer_size},
            {"nsid", q.nsid},
            {"dnssec_ok", q.dnssec_ok}};
}

Query query_from(const json& j) {
    Query q;
    q.name = j.value("name", "");
    q.type = j.value("type", q.type);
    q.recursion_desired = j.value("recursion_desired", q.recursion_desired);
    q.edns = j.value("edns", q.edns);
    q.edns_buffer_size = j.value("edns_buffer_size", q.edns_buffer_size);
    q.nsid = j.value("nsid", q.nsid);
    q.dnssec_ok = j.value("dnssec_ok", q.dnssec_ok);
    return q;
}

json to_json(const std::vector<Record>& rs) {
    json a = json::array();
    for (const Record& r : rs) {
        a.push_back({{"owner", r.owner}, {"type", r.type}, {"ttl", r.ttl}, {"rdata", r.rdata}});
    }
    return a;
}

std::vector<Record> records_from(const json& j) {
    std::vector<Record> out;
    for (const json& r : j) {
        out.push_back({r.value("owner", ""), r.value("type", uint16_t{0}), r.value("ttl", 0u),
                       r.value("rdata", "")});
    }
    return out;
}

json to_json(const SoaFields& s) {
    return {{"mname", s.mname},     {"rname", s.rname}, {"serial", s.serial},
            {"refresh", s.refresh}, {"retry", s.retry}, {"expire", s.expire},
            {"minimum", s.minimum}, {"ttl", s.ttl}};
}

SoaFields soa_from(const json& j) {
    return {j.value("mname", ""),   j.value("rname", ""), j.value("serial", 0u),
            j.value("refresh", 0u), j.value("retry", 0u), j.value("expire", 0u),
            j.value("minimum", 0u), j.value("ttl", 0u)};
}

json to_json(const ProbeResult& r) {
    return {{"target", to_json(r.target)},
            {"query", to_json(r.query)},
            {"sent", time_to_json(r.sent_wall)},
            {"rtt_ns", r.rtt.count()},
            {"rtt_seconds", r.rtt_seconds()},
            {"outcome", to_string(r.outcome)},
            {"rcode", r.rcode},
            {"aa", r.aa},
            {"tc", r.tc},
            {"ra", r.ra},
            {"ad", r.ad},
            {"soa", r.soa ? to_json(*r.soa) : json(nullptr)},
            {"answer", to_json(r.answer)},
            {"authority", to_json(r.authority)},
            {"additional", to_json(r.additional)},
            {"nsid", r.nsid},
            {"has_opt", r.has_opt},
            {"reply_size", r.reply_size},
            {"retried_from_tc", r.retried_from_tc},
            {"detail", r.detail}};
}

const json& member(const json& j, const char* key) {
    static const json null_value;
    auto it = j.find(key);
    return it == j.end() ? null_value : *it;
}

ProbeResult probe_from(const json& j) {
    ProbeResult r;
    if (j.contains("target")) r.target = target_from(j["target"]);
    if (j.contains("query")) r.query = query_from(j["query"]);
    r.sent_wall = time_from_json(member(j, "sent"));
    r.rtt = std::chrono::nanoseconds(j.value("rtt_ns", int64_t{0}));
    if (j.contains("outcome")) r.outcome = outcome_from(j["outcome"]);
    r.rcode = j.value("rcode", -1);
    r.aa = j.value("aa", false);
    r.tc = j.value("tc", false);
    r.ra = j.value("ra", false);
    r.ad = j.value("ad", false);
    if (const json& soa = member(j, "soa"); !soa.is_null()) r.soa = soa_from(soa);
    r.answer = records_from(member(j, "answer"));
    r.authority = records_from(member(j, "authority"));
    r.additional = records_from(member(j, "additional"));
    r.nsid = j.value("nsid", "");
    r.has_opt = j.value("has_opt", false);
    r.reply_size = j.value("reply_size", size_t{0});
    r.retried_from_tc = j.value("retried_from_tc", false);
    r.detail = j.value("detail", "");
    return r;
}

json optional_serial(const std::optional<uint32_t>& s) {
    return s ? json(*s) : json(nullptr);
}

std::optional<uint32_t> optional_serial_from(const json& j) {
    if (j.is_null()) return std::nullopt;
    return j.get<uint32_t>();
}

/// A target's last result as the API has always shown it: the whole ProbeResult, rebuilt from the
/// compact form the tracker keeps (TargetState::last) and the target.
json last_json(const TargetState& t) {
    return to_json(to_probe_result(t.last, t.target.full()));
}

json to_json(const TargetState& t) {
    return {{"target", to_json(t.target.full())},
            {"last", last_json(t)},
            {"state", state_text(address_view(t))},
            {"serial_state", to_string(t.serial_state)},
            {"serial", optional_serial(t.serial)},
            {"behind_by", t.behind_by},
            {"lag_seconds", t.lag_seconds},
            {"up", t.up},
            {"known", t.known},
            {"consecutive_failures", t.consecutive_failures},
            {"last_success", time_to_json(t.last_success)},
            {"probes", t.probes},
            {"failures", t.failures}};
}

TargetState target_state_from(const json& j) {
    TargetState t;
    if (j.contains("target")) t.target = KeptTarget(target_from(j["target"]));
    if (j.contains("last")) t.last = keep_last(probe_from(j["last"]));
    if (j.contains("serial_state")) {
        t.serial_state = enum_from(j["serial_state"], all_serial_states, "serial state");
    }
    t.serial = optional_serial_from(member(j, "serial"));
    t.behind_by = j.value("behind_by", 0u);
    t.lag_seconds = j.value("lag_seconds", 0.0);
    t.up = j.value("up", true);
    t.known =
        j.value("known", true);  // documents without it come from before health could be unknown
    t.consecutive_failures = j.value("consecutive_failures", 0);
    t.last_success = time_from_json(member(j, "last_success"));
    t.probes = j.value("probes", uint64_t{0});
    t.failures = j.value("failures", uint64_t{0});
    return t;
}

json to_json(const ProviderState& p) {
    return {{"provider", p.provider},
            {"targets", p.targets},
            {"targets_up", p.targets_up},
            {"up", p.up},
            {"lagging", p.lagging},
            {"max_lag_seconds", p.max_lag_seconds},
            {"max_behind_by", p.max_behind_by}};
}

ProviderState provider_from(const json& j) {
    ProviderState p;
    p.provider = j.value("provider", "");
    p.targets = j.value("targets", size_t{0});
    p.targets_up = j.value("targets_up", size_t{0});
    p.up = j.value("up", true);
    p.lagging = j.value("lagging", false);
    p.max_lag_seconds = j.value("max_lag_seconds", 0.0);
    p.max_behind_by = j.value("max_behind_by", 0u);
    return p;
}

json to_json(const DelegationState& d) {
    return {{"consistent", d.consistent},
            {"only_in_parent", d.only_in_parent},
            {"only_in_child", d.only_in_child},
            {"discovered", time_to_json(d.discovered)},
            {"error", d.error},
            {"missing", d.missing == MissingReason::none ? json() : json(to_string(d.missing))},
            {"missing_detail", d.missing_detail}};
}

DelegationState delegation_from(const json& j) {
    DelegationState d;
    d.consistent = j.value("consistent", true);
    d.only_in_parent = j.value("only_in_parent", std::vector<std::string>{});
    d.only_in_child = j.value("only_in_child", std::vector<std::string>{});
    d.discovered = time_from_json(member(j, "discovered"));
    d.error = j.value("error", "");
    const json& missing = member(j, "missing");
    if (missing.is_string()) d.missing = missing_reason_from_string(missing.get<std::string>());
    d.missing_detail = j.value("missing_detail", "");
    return d;
}

// The verdict now (discovery and the newest probes together): null when the delegation is there.
json delegation_missing_json(const ZoneState& z) {
    const DelegationMissing m = delegation_missing(z);
    if (!m.missing()) return nullptr;
    return {{"reason", to_string(m.reason)}, {"detail", m.detail}, {"severity", "critical"}};
}

// The per-provider DNSSEC views (keyset_mismatch, dnssec_invalid), as the status API and
// `status` show them.
json keysets_json(const std::vector<ProviderKeyset>& keysets) {
    json out = json::array();
    for (const auto& k : keysets) {
        json missing = json::array();
        for (const auto& m : k.missing)
            missing.push_back({{"key", m.key}, {"served_by", m.served_by}});
        out.push_back({{"provider", k.provider},
                       {"name", k.name},
                       {"type", k.type},
                       {"keys", k.keys},
                       {"missing", std::move(missing)},
                       {"text", describe(k)}});
    }
    return out;
}

std::vector<ProviderKeyset> keysets_from(const json& j) {
    std::vector<ProviderKeyset> out;
    for (const json& e : j) {
        ProviderKeyset k;
        k.provider = e.value("provider", "");
        k.name = e.value("name", "");
        k.type = e.value("type", uint16_t{0});
        k.keys = e.value("keys", std::vector<std::string>{});
        for (const json& m : member(e, "missing")) {
            k.missing.push_back(
                {m.value("key", ""), m.value("served_by", std::vector<std::string>{})});
        }
        out.push_back(std::move(k));
    }
    return out;
}

SignatureFault fault_from(const std::string& s) {
    for (auto f : {SignatureFault::missing_rrsig, SignatureFault::unknown_key,
                   SignatureFault::bogus, SignatureFault::expired}) {
        if (to_string(f) == s) return f;
    }
    throw std::invalid_argument("unknown signature fault '" + s + "'");
}

json signatures_json(const std::vector<ProviderSignatures>& signatures) {
    json out = json::array();
    for (const auto& p : signatures) {
        json problems = json::array();
        for (const auto& x : p.problems) {
            problems.push_back({{"nameserver", x.nameserver},
                                {"address", x.address},
                                {"rrset", x.rrset},
                                {"fault", std::string(to_string(x.fault))},
                                {"key", x.key},
                                {"text", describe(x)}});
        }
        out.push_back({{"provider", p.provider},
                       {"vantage", p.vantage},
                       {"rrsets", p.rrsets},
                       {"problems", std::move(problems)},
                       {"expires", p.expires ? time_to_json(*p.expires) : json()}});
    }
    return out;
}

std::vector<ProviderSignatures> signatures_from(const json& j) {
    std::vector<ProviderSignatures> out;
    for (const json& e : j) {
        ProviderSignatures p;
        p.provider = e.value("provider", "");
        p.vantage = e.value("vantage", "");
        p.rrsets = e.value("rrsets", size_t{0});
        for (const json& x : member(e, "problems")) {
            p.problems.push_back({x.value("nameserver", ""), x.value("address", ""),
                                  x.value("rrset", ""), fault_from(x.value("fault", "")),
                                  x.value("key", "")});
        }
        if (const json& t = member(e, "expires"); !t.is_null()) p.expires = time_from_json(t);
        out.push_back(std::move(p));
    }
    return out;
}

json to_json(const ZoneState& z) {
    json targets = json::array();
    for (const auto& t : z.targets) targets.push_back(to_json(t));
    json providers = json::array();
    for (const auto& p : z.providers) providers.push_back(to_json(p));
    return {{"zone", z.zone},
            {"newest_serial", optional_serial(z.newest_serial)},
            {"newest_first_seen", time_to_json(z.newest_first_seen)},
            {"targets", std::move(targets)},
            {"providers", std::move(providers)},
            {"delegation", to_json(z.delegation)},
            {"delegation_missing", delegation_missing_json(z)},
            {"answers_consistent", z.answers_consistent},
            {"has_primary", z.has_primary},
            {"answer_differences", z.answer_differences},
            {"keysets", keysets_json(z.keysets)},
            {"dnssec_signatures", signatures_json(z.signatures)},
            {"ttl_notes", z.ttl_notes},
            {"rounds", z.rounds},
            {"updated", time_to_json(z.updated)}};
}

ZoneState zone_from(const json& j) {
    ZoneState z;
    z.zone = j.value("zone", "");
    z.newest_serial = optional_serial_from(member(j, "newest_serial"));
    z.newest_first_seen = time_from_json(member(j, "newest_first_seen"));
    for (const json& t : member(j, "targets")) z.targets.push_back(target_state_from(t));
    for (const json& p : member(j, "providers")) z.providers.push_back(provider_from(p));
    if (j.contains("delegation")) z.delegation = delegation_from(j["delegation"]);
    z.answers_consistent = j.value("answers_consistent", true);
    z.has_primary = j.value("has_primary", false);
    z.answer_differences = j.value("answer_differences", std::vector<std::string>{});
    z.ttl_notes = j.value("ttl_notes", std::vector<std::string>{});
    z.keysets = keysets_from(member(j, "keysets"));
    z.signatures = signatures_from(member(j, "dnssec_signatures"));
    z.rounds = j.value("rounds", uint64_t{0});
    z.updated = time_from_json(member(j, "updated"));
    return z;
}

}  // namespace

nlohmann::json snapshot_to_json(const Snapshot& s) {
    json zones = json::array();
    for (const auto& z : s.zones) zones.push_back(to_json(z));
    json failures = json::array();
    for (const auto& r : s.recent_failures) failures.push_back(to_json(r));
    return {{"schema", status_json_schema},
            {"taken", time_to_json(s.taken)},
            {"vantage", s.vantage},
            {"zones", std::move(zones)},
            {"recent_failures", std::move(failures)}};
}

Snapshot snapshot_from_json(const nlohmann::json& j) {
    if (!j.is_object()) throw std::invalid_argument("status JSON is not an object");
    Snapshot s;
    s.taken = time_from_json(member(j, "taken"));
    s.vantage = j.value("vantage", "");
    for (const json& z : member(j, "zones")) s.zones.push_back(zone_from(z));
    for (const json& r : member(j, "recent_failures")) s.recent_failures.push_back(probe_from(r));
    return s;
}

}  // namespace nswatch
