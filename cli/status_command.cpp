// `nswatch status`: the state of every zone, from the history database (--db) or from running
// instances (--from URL, several merged into one cross-vantage view).
#include <unistd.h>

#include <algorithm>
#include <future>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <tuple>

#include "alerts/curl_library.hpp"
#include "cli/answer_change_status.hpp"
#include "cli/commands.hpp"
#include "cli/propagation_status.hpp"
#include "cli/resolution_status.hpp"
#include "cli/table.hpp"
#include "config/config.hpp"
#include "config/names.hpp"
#include "dns/serial.hpp"
#include "exporter/status_json.hpp"
#include "monitor/cross_vantage.hpp"
#include "monitor/dnssec_findings.hpp"
#include "monitor/serial_round.hpp"
#include "monitor/state_words.hpp"
#include "storage/history.hpp"
#include "zonediff/reference_json.hpp"

namespace nswatch {

namespace {

std::string ms_text(std::optional<std::chrono::microseconds> d) {
    if (!d) return "-";
    std::ostringstream s;
    s << std::fixed << std::setprecision(1) << d->count() / 1000.0 << "ms";
    return s.str();
}

std::string percent(double v) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(v >= 0.9995 ? 0 : 2) << v * 100 << "%";
    return s.str();
}

size_t write_body(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

std::string http_get(const std::string& url) {
    const CurlLibrary& lib = curl_library();
    CURL* curl = lib.easy_init();
    if (curl == nullptr) throw std::runtime_error("libcurl initialisation failed");
    std::string body;
    char error[CURL_ERROR_SIZE] = "";
    lib.easy_setopt(curl, CURLOPT_URL, url.c_str());
    lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
    lib.easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    lib.easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    lib.easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
    lib.easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    lib.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    const CURLcode rc = lib.easy_perform(curl);
    lib.easy_cleanup(curl);
    if (rc != CURLE_OK) {
        throw std::runtime_error(url + ": " + (error[0] ? error : lib.easy_strerror(rc)));
    }
    return body;
}

/// One instance asked: its snapshot, or why it could not be read.
struct InstanceReply {
    std::string url;
    std::optional<Snapshot> snapshot;
    std::string error;
    std::string zone_drift;  ///< its zone_drift lines (zonediff/reference_json.hpp), if any
};

// The instance's status document: URL may be the base ("http://host:10053") or the API path.
// Fills the reply's snapshot and zone_drift lines; throws naming the URL.
void fetch_snapshot(std::string url, InstanceReply& reply) {
    if (url.find("/api/v1/status") == std::string::npos) {
        while (!url.empty() && url.back() == '/') url.pop_back();
        url += "/api/v1/status";
    }
    const std::string body = http_get(url);
    try {
        const auto doc = nlohmann::json::parse(body);
        reply.snapshot = snapshot_from_json(doc);
        if (const auto it = doc.find("zone_drift"); it != doc.end()) {
            reply.zone_drift = zone_drift_text(*it);
        }
    } catch (const std::exception& e) {
        throw std::runtime_error(url + ": not an nswatch status document (" + e.what() + ")");
    }
}

/// The exit status of a set of addresses: zone_status per zone and vantage, the worst of them.
/// `view_of_row(row)` gives {zone, vantage, view}.
template <typename Rows, typename ViewOf>
PluginStatus status_of(const Rows& rows, ViewOf view_of_row) {
    std::map<std::pair<std::string, std::string>, std::vector<AddressView>> by_zone_vantage;
    for (const auto& r : rows) {
        auto [zone, vantage, view] = view_of_row(r);
        by_zone_vantage[std::pair<std::string, std::string>(zone, vantage)].push_back(view);
    }
    PluginStatus status = PluginStatus::ok;
    for (const auto& [key, views] : by_zone_vantage) status = worst(status, zone_status(views));
    return status;
}

void print_verdict(PluginStatus s) {
    std::cout << "status: " << to_string(s) << " (exit " << static_cast<int>(s) << ")\n";
}

/// Every instance at once (each request has its own 5 s timeout), in the order given.
std::vector<InstanceReply> fetch_all(const std::vector<std::string>& urls) {
    std::vector<std::future<InstanceReply>> pending;
    for (const auto& url : urls) {
        pending.push_back(std::async(std::launch::async, [url] {
            InstanceReply r{url, std::nullopt, "", ""};
            try {
                fetch_snapshot(url, r);
            } catch (const std::exception& e) {
                r.error = e.what();
            }
            return r;
        }));
    }
    std::vector<InstanceReply> replies;
    for (auto& f : pending) replies.push_back(f.get());
    return replies;
}

int status_from_instances(const StatusArgs& args) {
    curl_library();  // opened before the threads: a missing libcurl is one error, not one per URL
    std::vector<Snapshot> snaps;
    std::vector<InstanceReply> unreachable;
    std::string drift_lines;
    for (auto& r : fetch_all(args.from)) {
        drift_lines += r.zone_drift;
        if (r.snapshot) {
            snaps.push_back(std::move(*r.snapshot));
        } else {
            unreachable.push_back(std::move(r));
        }
    }
    const auto findings = compare_vantages(snaps);
    std::vector<const TargetState*> all;
    for (const auto& s : snaps) {
        for (const auto& z : s.zones) {
            for (const auto& t : z.targets) all.push_back(&t);
        }
    }
    PluginStatus status = status_of(all, [](const TargetState* t) {
        return std::tuple(t->target.zone.str(), t->target.vantage.str(), address_view(*t));
    });
    if (!unreachable.empty()) status = worst(status, PluginStatus::unknown);
    if (args.json) {
        nlohmann::json j;
        j["status"] = to_string(status);
        j["instances"] = nlohmann::json::array();
        for (const auto& s : snaps) {
            auto sj = snapshot_to_json(s);
            j["instances"].push_back(std::move(sj));
        }
        j["unreachable"] = nlohmann::json::array();
        for (const auto& u : unreachable) {
            j["unreachable"].push_back({{"url", u.url}, {"error", u.error}});
        }
        j["findings"] = nlohmann::json::array();
        for (const auto& f : findings) {
            j["findings"].push_back({{"zone", f.zone},
                                     {"provider", f.provider},
                                     {"kind", f.kind},
                                     {"vantages", f.vantages},
                                     {"fine_at", f.fine_at},
                                     {"text", f.text}});
        }
        std::cout << j.dump(2) << "\n";
        return static_cast<int>(status);
    }
    // zone -> rows from every instance; problems first.
    std::map<std::string, std::vector<const TargetState*>> rows;
    std::map<std::string, std::optional<uint32_t>> newest;
    for (const auto& s : snaps) {
        for (const auto& z : s.zones) {
            for (const auto& t : z.targets) rows[z.zone].push_back(&t);
            if (z.newest_serial &&
                (!newest[z.zone] ||
                 compare_serials(*newest[z.zone], *z.newest_serial) == SerialOrder::less)) {
                newest[z.zone] = z.newest_serial;
            }
        }
    }
    for (auto& [zone, list] : rows) {
        std::stable_sort(list.begin(), list.end(), [](const TargetState* a, const TargetState* b) {
            return is_problem(address_view(*a)) > is_problem(address_view(*b));
        });
        std::cout << zone << "  newest serial "
                  << (newest[zone] ? std::to_string(*newest[zone]) : "-") << "\n";
        TextTable table({"PROVIDER", "NAMESERVER", "ADDRESS", "PROTO", "VANTAGE", "SERIAL", "STATE",
                         "LAG", "RTT"});
        for (const TargetState* t : list) {
            std::ostringstream lag;
            if (t->lag_seconds > 0) lag << static_cast<long>(t->lag_seconds) << "s";
            table.add_row(
                {{t->target.provider},
                 {t->target.nameserver},
                 {t->target.address},
                 {std::string(to_string(t->target.transport))},
                 {t->target.vantage},
                 {t->serial ? std::to_string(*t->serial) : "-"},
                 {state_text(address_view(*t))},
                 {lag.str().empty() ? "-" : lag.str()},
                 {ms_text(std::chrono::duration_cast<std::chrono::microseconds>(t->last.rtt))}});
        }
        table.print(std::cout);
        std::cout << "\n";
    }
    for (const auto& f : findings) std::cout << f.text << "\n";
    std::cout << drift_lines;
    for (const auto& s : snaps) {
        for (const auto& z : s.zones) {
            for (const auto& d : dnssec_findings(z)) {
                std::cout << d.rule << " " << z.zone << ": " << d.text << "\n";
            }
        }
    }
    if (findings.empty() && !snaps.empty()) {
        std::cout << "no provider lagging or down from any vantage\n";
    }
    for (const auto& u : unreachable) std::cout << "unreachable: " << u.error << "\n";
    print_verdict(status);
    return static_cast<int>(status);
}

int status_from_history(const StatusArgs& args) {
    const auto since = parse_duration(args.since);
    // A mistyped path must be an error, not a new empty database.
    HistoryOptions ho;
    ho.create_if_missing = false;
    HistoryStore store(args.db, ho);
    const auto now = std::chrono::system_clock::now();
    const auto rows = store.summarize(now - since, now);
    const auto resolution = resolution_from_history(args.db, since, now);
    const int64_t since_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>((now - since).time_since_epoch())
            .count();

    // Per zone, the reference serial as the daemon takes it (judge_serial): the configured
    // primary's newest serial in the window when `-c` names one and it answered, else the newest.
    std::map<std::string, std::optional<uint32_t>> newest, primary_serial;
    auto later = [](std::optional<uint32_t>& n, std::optional<uint32_t> s) {
        if (s && (!n || compare_serials(*n, *s) == SerialOrder::less)) n = s;
    };
    for (const auto& r : rows) {
        later(newest[r.target.zone], r.last_serial);
        auto p = args.primaries.find(r.target.zone);
        if (p != args.primaries.end() && p->second == r.target.nameserver) {
            later(primary_serial[r.target.zone], r.last_serial);
        }
    }
    auto verdict = [&](const TargetSummary& r) -> std::optional<SerialVerdict> {
        if (!r.last_serial) return std::nullopt;
        const auto& p = primary_serial[r.target.zone];
        return judge_serial(*r.last_serial, p ? p : newest[r.target.zone], p.has_value());
    };
    auto behind = [&](const TargetSummary& r) -> std::optional<uint32_t> {
        const auto v = verdict(r);
        if (!v || v->state != SerialState::behind) return std::nullopt;
        return v->behind_by;
    };
    // The history's view of an address: its newest probe (the daemon's live views use rise/fall).
    auto view = [&](const TargetSummary& r) {
        const auto v = verdict(r);
        const Outcome last = r.last_outcome.value_or(Outcome::ok);
        return AddressView{r.target.provider,
                           r.probes > 0,
                           last == Outcome::ok,
                           last,
                           v ? v->state : SerialState::no_answer,
                           v ? v->behind_by : 0};
    };
    const PluginStatus status = status_of(rows, [&](const TargetSummary& r) {
        return std::tuple(r.target.zone, r.target.vantage, view(r));
    });
    if (args.json) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& r : rows) {
            j.push_back(
                {{"zone", r.target.zone},
                 {"provider", r.target.provider},
                 {"nameserver", r.target.nameserver},
                 {"address", r.target.address},
                 {"transport", to_string(r.target.transport)},
                 {"vantage", r.target.vantage},
                 {"probes", r.probes},
                 {"failures", r.failures},
                 {"availability", r.availability},
                 {"p50_seconds", r.p50 ? nlohmann::json(r.p50->count() / 1e6) : nlohmann::json()},
                 {"p95_seconds", r.p95 ? nlohmann::json(r.p95->count() / 1e6) : nlohmann::json()},
                 {"last_serial", r.last_serial ? nlohmann::json(*r.last_serial) : nlohmann::json()},
                 {"behind_by", behind(r) ? nlohmann::json(*behind(r)) : nlohmann::json(0)},
                 {"serial_state",
                  std::string(to_string(verdict(r) ? verdict(r)->state : SerialState::no_answer))},
                 {"state", state_text(view(r))},
                 {"last_outcome",
                  r.last_outcome ? nlohmann::json(to_string(*r.last_outcome)) : nlohmann::json()}});
        }
        std::cout << nlohmann::json{{"since_seconds", since.count() / 1000},
                                    {"status", to_string(status)},
                                    {"targets", j},
                                    {"resolution", resolution_json(resolution)},
                                    {"propagation", propagation_json(args.db)},
                                    {"answer_changes", answer_changes_json(args.db, since_ms)}}
                         .dump(2)
                  << "\n";
        return rows.empty() ? static_cast<int>(PluginStatus::unknown) : static_cast<int>(status);
    }
    if (rows.empty()) {
        // No evidence is not "all is well": UNKNOWN, as a monitoring plugin says it.
        std::cout << "no probes in " << args.db << " over the last " << args.since << "\n";
        print_verdict(PluginStatus::unknown);
        return static_cast<int>(PluginStatus::unknown);
    }
    std::map<std::string, std::vector<const TargetSummary*>> by_zone;
    for (const auto& r : rows) by_zone[r.target.zone].push_back(&r);
    auto bad = [&](const TargetSummary* r) { return r->failures > 0 || is_problem(view(*r)); };
    for (auto& [zone, list] : by_zone) {
        std::stable_sort(
            list.begin(), list.end(),
            [&](const TargetSummary* a, const TargetSummary* b) { return bad(a) > bad(b); });
        std::cout << zone << "  newest serial "
                  << (newest[zone] ? std::to_string(*newest[zone]) : "-") << "  (last "
                  << args.since << ")\n";
        TextTable table({"PROVIDER", "NAMESERVER", "ADDRESS", "PROTO", "VANTAGE", "SERIAL", "STATE",
                         "AVAIL", "P50", "P95", "PROBES"});
        const char* red = args.colour ? "\033[31m" : "";
        for (const TargetSummary* r : list) {
            const std::string st = state_text(view(*r));
            table.add_row({{r->target.provider},
                           {r->target.nameserver},
                           {r->target.address},
                           {std::string(to_string(r->target.transport))},
                           {r->target.vantage},
                           {r->last_serial ? std::to_string(*r->last_serial) : "-"},
                           {st, st == "current" ? "" : red},
                           {percent(r->availability), r->failures ? red : ""},
                           {ms_text(r->p50)},
                           {ms_text(r->p95)},
                           {std::to_string(r->probes)}});
        }
        table.print(std::cout);
        std::cout << "\n";
    }
    print_resolution(std::cout, resolution, args.colour);
    print_propagation(args.db, std::cout);
    print_answer_changes(args.db, since_ms, std::cout);
    print_verdict(status);
    return static_cast<int>(status);
}

}  // namespace

int run_status(const StatusArgs& given) {
    try {
        StatusArgs args = given;
        if (!args.config_path.empty()) {
            // The daemon's own config: its history file (unless --db says otherwise) and each
            // zone's primary, so serials are judged as the daemon judges them.
            const Config c = load_config_file(args.config_path);
            if (args.db.empty()) args.db = c.storage.path;
            for (const auto& z : c.zones) {
                if (!z.primary.empty()) args.primaries[z.name] = z.primary;
            }
        }
        if (!args.from.empty()) return status_from_instances(args);
        if (!args.db.empty()) return status_from_history(args);
        std::cerr << "nswatch status: give --db FILE (history) or --from URL (running instances)\n";
        return 3;
    } catch (const std::exception& e) {
        std::cerr << "nswatch status: " << e.what() << "\n";
        return 3;
    }
}

}  // namespace nswatch
