#include "cli/render_check.hpp"

#include <iomanip>
#include <map>
#include <sstream>

#include "cli/json_in_place.hpp"
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

double seconds(std::chrono::nanoseconds d) {
    return std::chrono::duration<double>(d).count();
}

}  // namespace

void fill_probe_result_json(nlohmann::json& j, const ProbeResult& r) {
    as_object(j);
    set_text(j["address"], r.target.address);
    j["connect_seconds"] = r.connect_time ? nlohmann::json(seconds(*r.connect_time)) : nullptr;
    set_text(j["detail"], r.detail);
    set_array(j["extended_errors"], r.extended_errors.size(), [&r](nlohmann::json& x, size_t i) {
        const ExtendedError& e = r.extended_errors[i];
        as_object(x);
        x["code"] = e.code;
        set_text(x["name"], extended_error_name(e.code));
        set_text(x["text"], e.text);
    });
    set_text(j["family"], to_string(r.target.family));
    nlohmann::json& flags = as_object(j["flags"]);
    flags["aa"] = r.aa;
    flags["ad"] = r.ad;
    flags["ra"] = r.ra;
    flags["tc"] = r.tc;
    set_text(j["nameserver"], r.target.nameserver);
    set_text(j["nsid"], r.nsid);
    set_text(j["outcome"], to_string(r.outcome));
    j["port"] = r.target.port;
    set_text(j["provider"], r.target.provider);
    nlohmann::json& query = as_object(j["query"]);
    set_text(query["name"], r.query.name);
    set_text(query["type"], rr_type_name(r.query.type));
    j["rcode"] = r.rcode;
    set_text(j["rcode_name"], rcode_name(r.rcode));
    j["reply_size"] = r.reply_size;
    j["retried_from_tc"] = r.retried_from_tc;
    j["rtt_seconds"] = r.rtt_seconds();  // the query alone: a TCP handshake is connect_seconds
    j["sent_unix"] = seconds(r.sent_wall.time_since_epoch());
    if (r.soa) {
        nlohmann::json& soa = as_object(j["soa"]);
        soa["expire"] = r.soa->expire;
        soa["minimum"] = r.soa->minimum;
        set_text(soa["mname"], r.soa->mname);
        soa["refresh"] = r.soa->refresh;
        soa["retry"] = r.soa->retry;
        set_text(soa["rname"], r.soa->rname);
        soa["serial"] = r.soa->serial;
        soa["ttl"] = r.soa->ttl;
    } else {
        j["soa"] = nullptr;
    }
    set_text(j["transport"], to_string(r.target.transport));
    set_text(j["vantage"], r.target.vantage);
    set_text(j["zone"], r.target.zone);
}

nlohmann::json probe_result_json(const ProbeResult& r) {
    nlohmann::json j;
    fill_probe_result_json(j, r);
    return j;
}

void fill_zone_check_json(nlohmann::json& z, const ZoneView& v) {
    const Delegation& d = v.delegation;
    as_object(z);
    set_text(z["zone"], d.zone);
    set_text(z["status"], to_string(v.verdict.status));
    set_text(z["summary"], v.verdict.summary);
    set_text(z["discovery_error"], d.error);
    if (d.missing.missing()) {
        nlohmann::json& missing = as_object(z["delegation_missing"]);
        set_text(missing["reason"], to_string(d.missing.reason));
        set_text(missing["detail"], d.missing.detail);
    } else {
        z["delegation_missing"] = nullptr;
    }
    nlohmann::json& del = as_object(z["delegation"]);
    set_text(del["parent_zone"], d.parent_zone);
    set_text(del["parent_server"], d.parent_server);
    set_texts(del["parent_ns"], d.parent_ns);
    del["parent_ns_ttl"] = d.parent_ns_ttl;
    set_texts(del["child_ns"], d.child_ns);
    del["ns_sets_agree"] = d.ns_sets_agree();
    set_texts(del["only_in_parent"], d.only_in_parent());
    set_texts(del["only_in_child"], d.only_in_child());
    del["from_config"] = d.from_config;
    set_texts(del["notes"], d.notes);
    set_array(z["nameservers"], d.nameservers.size(), [&d](nlohmann::json& n, size_t i) {
        const NameserverInfo& ns = d.nameservers[i];
        as_object(n);
        set_text(n["name"], ns.name);
        set_texts(n["addresses"], ns.addresses);
        set_texts(n["glue"], ns.glue);
        set_text(n["provider"], ns.provider);
        set_text(n["provider_rule"], ns.provider_how);
        n["in_parent"] = ns.in_parent;
        n["in_child"] = ns.in_child;
        n["cname"] = ns.cname;
        set_text(n["error"], ns.error);
    });
    z["newest_serial"] = v.round.newest ? nlohmann::json(*v.round.newest) : nullptr;
    set_texts(z["lagging_providers"], lagging_providers(v.round));
    set_array(z["probes"], v.results.size(), [&v](nlohmann::json& p, size_t i) {
        fill_probe_result_json(p, v.results[i]);
        if (i < v.round.addresses.size()) {
            set_text(p["serial_state"], to_string(v.round.addresses[i].state));
            p["behind_by"] = v.round.addresses[i].behind_by;
        } else {
            erase_key(p, "serial_state");
            erase_key(p, "behind_by");
        }
    });
    set_array(z["findings"], v.verdict.findings.size(), [&v](nlohmann::json& f, size_t i) {
        as_object(f);
        set_text(f["severity"], to_string(v.verdict.findings[i].severity));
        set_text(f["text"], v.verdict.findings[i].text);
    });
}

nlohmann::json zone_check_json(const ZoneView& v) {
    nlohmann::json z;
    fill_zone_check_json(z, v);
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

namespace {

nlohmann::json check_head(PluginStatus overall) {
    nlohmann::json head;
    head["status"] = to_string(overall);
    head["exit_code"] = static_cast<int>(overall);
    return head;
}

}  // namespace

void write_check_json(std::ostream& out, const std::vector<ZoneView>& views, PluginStatus overall) {
    nlohmann::json zone;  // one object, overwritten for each zone (cli/json_in_place.hpp)
    write_zones_document(out, check_head(overall), views.size(),
                         [&](size_t i) -> const nlohmann::json& {
                             fill_zone_check_json(zone, views[i]);
                             return zone;
                         });
}

void CheckJsonWriter::add(const ZoneView& v) {
    overall_ = worst(overall_, v.verdict.status);
    fill_zone_check_json(zone_, v);
    spool_.add(zone_);
}

void CheckJsonWriter::write(std::ostream& out) const {
    spool_.write(out, check_head(overall_));
}

}  // namespace nswatch
