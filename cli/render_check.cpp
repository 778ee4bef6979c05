#include "cli/render_check.hpp"

#include <iomanip>
#include <map>
#include <sstream>

#include "cli/json_zones_writer.hpp"
#include "cli/table.hpp"
#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

// Three significant-ish digits: loopback and LAN RTTs are tens of microseconds, and "0.0ms"
// would hide them.
std::string ms(std::chrono::nanoseconds d) {
    const double v = std::chrono::duration<double, std::milli>(d).count();
    std::ostringstream s;
    s << std::fixed << std::setprecision(v < 1.0 ? 3 : v < 10.0 ? 2 : 1) << v << "ms";
    return s.str();
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
    return out;
}

const char* colour_of(PluginStatus s) {
    switch (s) {
        case PluginStatus::ok:
            return "\033[32m";
        case PluginStatus::warning:
            return "\033[33m";
        case PluginStatus::critical:
            return "\033[31m";
        case PluginStatus::unknown:
            return "\033[35m";
    }
    return "";
}

std::string serial_state_text(const AddressSerialState& a) {
    switch (a.state) {
        case SerialState::current:
            return "current";
        case SerialState::behind:
            return "behind " + std::to_string(a.behind_by);
        case SerialState::ahead_of_primary:
            return "AHEAD of primary";
        case SerialState::undefined:
            return "undefined";
        case SerialState::no_answer:
            return "-";
    }
    return "-";
}

void delegation_lines(std::ostream& out, const Delegation& d) {
    if (d.from_config) {
        out << "  nameservers from the config (" << d.nameservers.size()
            << "), discovery skipped\n";
        return;
    }
    out << "  parent " << d.parent_zone << " (asked " << d.parent_server
        << "): " << join(d.parent_ns) << "\n";
    out << "  zone NS: " << join(d.child_ns) << "\n";
    if (d.ns_sets_agree()) {
        out << "  parent and zone NS sets agree\n";
    } else {
        if (!d.only_in_parent().empty())
            out << "  only at the parent: " << join(d.only_in_parent()) << "\n";
        if (!d.only_in_child().empty())
            out << "  only in the zone: " << join(d.only_in_child()) << "\n";
    }
    for (const auto& n : d.notes) out << "  note: " << n << "\n";
}

}  // namespace

void render_check_text(std::ostream& out, const std::vector<ZoneView>& views,
                       const RenderOptions& options) {
    const char* reset = options.colour ? "\033[0m" : "";
    for (const auto& v : views) {
        const PluginStatus s = v.verdict.status;
        out << (options.colour ? colour_of(s) : "") << to_string(s) << reset << "  "
            << v.delegation.zone << "\n";
        if (!v.delegation.ok()) {
            // The verdict's line says whether it is CRITICAL (the parent said there is no such
            // delegation) or UNKNOWN (nobody could be asked).
            out << "  "
                << (v.delegation.missing.missing() ? "delegation missing" : "discovery failed")
                << ": " << v.delegation.error << "\n\n  " << v.verdict.summary << "\n\n";
            continue;
        }
        delegation_lines(out, v.delegation);
        std::map<const ProbeResult*, const AddressSerialState*> state;
        for (size_t i = 0; i < v.results.size() && i < v.round.addresses.size(); ++i) {
            state[&v.results[i]] = &v.round.addresses[i];
        }
        TextTable table({"PROVIDER", "NAMESERVER", "ADDRESS", "PROTO", "RCODE", "AA", "SERIAL",
                         "STATE", "RTT", "CONNECT", "NSID"});
        for (const auto& r : v.results) {
            const auto* a = state.count(&r) ? state[&r] : nullptr;
            std::string st = r.outcome == Outcome::ok ? (a ? serial_state_text(*a) : "ok")
                                                      : std::string(to_string(r.outcome));
            const bool bad = r.outcome != Outcome::ok || (a && a->state != SerialState::current);
            const char* mark = bad && options.colour ? "\033[31m" : "";
            table.add_row(
                {{r.target.provider},
                 {r.target.nameserver},
                 {r.target.address},
                 {std::string(to_string(r.target.transport)) + (r.retried_from_tc ? "*" : "")},
                 {rcode_name(r.rcode)},
                 {r.aa ? "aa" : "-"},
                 {r.soa ? std::to_string(r.soa->serial) : "-"},
                 {st, mark},
                 {ms(r.rtt)},
                 {r.connect_time ? ms(*r.connect_time) : "-"},
                 {r.nsid.empty() ? "-" : r.nsid}});
        }
        out << "\n";
        table.print(out);
        // The servers' own reasons (RFC 8914), under the table: too long for a column.
        bool first_ede = true;
        for (const auto& r : v.results) {
            for (const auto& e : r.extended_errors) {
                if (first_ede) out << "\n";
                first_ede = false;
                out << "  " << r.target.nameserver << " (" << r.target.address << ", "
                    << to_string(r.target.transport) << ") says " << describe(e) << "\n";
            }
        }
        if (!v.verdict.findings.empty()) {
            out << "\n";
            for (const auto& f : v.verdict.findings) {
                out << "  " << (options.colour ? colour_of(f.severity) : "")
                    << to_string(f.severity) << reset << ": " << f.text << "\n";
            }
        }
        out << "\n  " << v.verdict.summary << "\n\n";
    }
}

namespace {

using Object = nlohmann::json::object_t;

/// Adds a key that sorts after every key already in `o`: the hint makes the insertion constant
/// time (no comparisons down the tree), which matters at thousands of probes. A key out of
/// order is still inserted in its place, only slower.
void put(Object& o, const char* key, nlohmann::json value) {
    o.emplace_hint(o.end(), key, std::move(value));
}

}  // namespace

nlohmann::json probe_result_json(const ProbeResult& r) {
    // Keys in sorted order (see put).
    Object j;
    put(j, "address", r.target.address);
    put(j, "connect_seconds",
        r.connect_time ? nlohmann::json(std::chrono::duration<double>(*r.connect_time).count())
                       : nlohmann::json());
    put(j, "detail", r.detail);
    nlohmann::json edes = nlohmann::json::array();
    for (const auto& e : r.extended_errors) {
        Object x;
        put(x, "code", e.code);
        put(x, "name", extended_error_name(e.code));
        put(x, "text", e.text);
        edes.push_back(std::move(x));
    }
    put(j, "extended_errors", std::move(edes));
    put(j, "family", to_string(r.target.family));
    Object flags;
    put(flags, "aa", r.aa);
    put(flags, "ad", r.ad);
    put(flags, "ra", r.ra);
    put(flags, "tc", r.tc);
    put(j, "flags", std::move(flags));
    put(j, "nameserver", r.target.nameserver);
    put(j, "nsid", r.nsid);
    put(j, "outcome", to_string(r.outcome));
    put(j, "port", r.target.port);
    put(j, "provider", r.target.provider);
    Object query;
    put(query, "name", r.query.name);
    put(query, "type", rr_type_name(r.query.type));
    put(j, "query", std::move(query));
    put(j, "rcode", r.rcode);
    put(j, "rcode_name", rcode_name(r.rcode));
    put(j, "reply_size", r.reply_size);
    put(j, "retried_from_tc", r.retried_from_tc);
    put(j, "rtt_seconds", r.rtt_seconds());  // the query alone: a TCP handshake is connect_seconds
    put(j, "sent_unix", std::chrono::duration<double>(r.sent_wall.time_since_epoch()).count());
    if (r.soa) {
        Object soa;
        put(soa, "expire", r.soa->expire);
        put(soa, "minimum", r.soa->minimum);
        put(soa, "mname", r.soa->mname);
        put(soa, "refresh", r.soa->refresh);
        put(soa, "retry", r.soa->retry);
        put(soa, "rname", r.soa->rname);
        put(soa, "serial", r.soa->serial);
        put(soa, "ttl", r.soa->ttl);
        put(j, "soa", std::move(soa));
    } else {
        put(j, "soa", nullptr);
    }
    put(j, "transport", to_string(r.target.transport));
    put(j, "vantage", r.target.vantage);
    put(j, "zone", r.target.zone);
    return nlohmann::json(std::move(j));
}

nlohmann::json zone_check_json(const ZoneView& v) {
    const Delegation& d = v.delegation;
    nlohmann::json nss = nlohmann::json::array();
    for (const auto& ns : d.nameservers) {
        nss.push_back({{"name", ns.name},
                       {"addresses", ns.addresses},
                       {"glue", ns.glue},
                       {"provider", ns.provider},
                       {"provider_rule", ns.provider_how},
                       {"in_parent", ns.in_parent},
                       {"in_child", ns.in_child},
                       {"cname", ns.cname},
                       {"error", ns.error}});
    }
    nlohmann::json probes = nlohmann::json::array();
    for (size_t i = 0; i < v.results.size(); ++i) {
        nlohmann::json p = probe_result_json(v.results[i]);
        if (i < v.round.addresses.size()) {
            p["serial_state"] = to_string(v.round.addresses[i].state);
            p["behind_by"] = v.round.addresses[i].behind_by;
        }
        probes.push_back(std::move(p));
    }
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : v.verdict.findings) {
        findings.push_back({{"severity", to_string(f.severity)}, {"text", f.text}});
    }
    // Assigned and moved, not written as one initializer list: that copies every nested
    // value (the probes twice), the bulk of the time at thousands of zones. The keys come out
    // sorted either way.
    nlohmann::json z;
    z["zone"] = d.zone;
    z["status"] = to_string(v.verdict.status);
    z["summary"] = v.verdict.summary;
    z["discovery_error"] = d.error;
    z["delegation_missing"] =
        d.missing.missing()
            ? nlohmann::json{{"reason", to_string(d.missing.reason)}, {"detail", d.missing.detail}}
            : nlohmann::json();
    nlohmann::json& del = z["delegation"];
    del["parent_zone"] = d.parent_zone;
    del["parent_server"] = d.parent_server;
    del["parent_ns"] = d.parent_ns;
    del["parent_ns_ttl"] = d.parent_ns_ttl;
    del["child_ns"] = d.child_ns;
    del["ns_sets_agree"] = d.ns_sets_agree();
    del["only_in_parent"] = d.only_in_parent();
    del["only_in_child"] = d.only_in_child();
    del["from_config"] = d.from_config;
    del["notes"] = d.notes;
    z["nameservers"] = std::move(nss);
    z["newest_serial"] = v.round.newest ? nlohmann::json(*v.round.newest) : nlohmann::json();
    z["lagging_providers"] = lagging_providers(v.round);
    z["probes"] = std::move(probes);
    z["findings"] = std::move(findings);
    return z;
}

nlohmann::json check_json(const std::vector<ZoneView>& views, PluginStatus overall) {
    nlohmann::json zones = nlohmann::json::array();
    for (const auto& v : views) zones.push_back(zone_check_json(v));
    nlohmann::json out;
    out["status"] = to_string(overall);
    out["exit_code"] = static_cast<int>(overall);
    out["zones"] = std::move(zones);
    return out;
}

void write_check_json(std::ostream& out, const std::vector<ZoneView>& views, PluginStatus overall) {
    nlohmann::json head;
    head["status"] = to_string(overall);
    head["exit_code"] = static_cast<int>(overall);
    write_zones_document(out, head, views.size(),
                         [&views](size_t i) { return zone_check_json(views[i]); });
}

}  // namespace nswatch
