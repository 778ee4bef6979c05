#include "cli/alerts_command.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

#include "alerts/alert_engine.hpp"
#include "alerts/notification.hpp"
#include "config/config.hpp"

namespace nswatch {

namespace {

std::string state_file(const AlertsCliArgs& a) {
    if (!a.state.empty()) return a.state;
    if (a.config_path.empty()) {
        throw std::runtime_error("say which alert state file: --state FILE or -c CONFIG");
    }
    const Config c = load_config_file(a.config_path);
    return alert_state_path(c.alerts, c.storage.path);
}

nlohmann::json silence_json(const Silence& s) {
    return {{"id", s.id},
            {"matchers", s.matchers},
            {"comment", s.comment},
            {"created", rfc3339(s.created)},
            {"expires", rfc3339(s.expires)}};
}

std::string matchers_text(const Labels& m) {
    std::string out;
    for (const auto& [k, v] : m) out += (out.empty() ? "" : ",") + k + "=" + v;
    return out;
}

int silence_add(const AlertsCliArgs& a) {
    Silence s;
    for (const auto& m : a.matchers) {
        const auto eq = m.find('=');
        if (eq == std::string::npos || eq == 0) {
            std::cerr << "nswatch silence add: --match '" << m
                      << "' is not label=value (e.g. zone=shop.test, alertname=serial_lag)\n";
            return 3;
        }
        s.matchers[m.substr(0, eq)] = m.substr(eq + 1);
    }
    if (s.matchers.empty()) {
        std::cerr << "nswatch silence add: give at least one --match label=value (a silence "
                     "matching everything would hide every alert)\n";
        return 3;
    }
    std::chrono::milliseconds d{};
    try {
        d = parse_duration(a.duration);
    } catch (const std::exception& e) {
        std::cerr << "nswatch silence add: --for '" << a.duration << "': " << e.what() << "\n";
        return 3;
    }
    if (d.count() <= 0) {
        std::cerr << "nswatch silence add: --for must be longer than 0\n";
        return 3;
    }
    s.created =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    s.expires = s.created + d;
    s.comment = a.comment;
    AlertStore store(state_file(a));
    s.id = store.add_silence(s);
    if (a.json) {
        std::cout << silence_json(s).dump(2) << "\n";
    } else {
        std::cout << "silence " << s.id << " added: " << matchers_text(s.matchers) << " until "
                  << rfc3339(s.expires) << "\n";
    }
    return 0;
}

int silence_list(const AlertsCliArgs& a) {
    AlertStore store(state_file(a));
    const auto list = store.silences(std::chrono::system_clock::now(), a.all);
    if (a.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& s : list) out.push_back(silence_json(s));
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    if (list.empty()) std::cout << "no active silences\n";
    for (const auto& s : list) {
        std::cout << s.id << "  " << matchers_text(s.matchers) << "  until " << rfc3339(s.expires)
                  << (s.comment.empty() ? "" : "  # " + s.comment) << "\n";
    }
    return 0;
}

int silence_remove(const AlertsCliArgs& a) {
    AlertStore store(state_file(a));
    if (!store.remove_silence(a.id)) {
        std::cerr << "nswatch silence remove: no silence " << a.id << "\n";
        return 1;
    }
    std::cout << "silence " << a.id << " removed\n";
    return 0;
}

int alerts_status(const AlertsCliArgs& a) {
    AlertStore store(state_file(a));
    const auto alerts = store.load_alerts();
    const auto counts = store.counts();
    if (a.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& x : alerts) {
            list.push_back({{"fingerprint", x.fingerprint},
                            {"rule", x.rule},
                            {"status", std::string(to_string(x.status))},
                            {"severity", std::string(to_string(x.severity))},
                            {"labels", x.labels},
                            {"summary", x.summary},
                            {"active_since", rfc3339(x.active_since)}});
        }
        std::cout << nlohmann::json{{"alerts", list},
                                    {"outbox",
                                     {{"pending", counts.pending},
                                      {"delivered", counts.delivered},
                                      {"given_up", counts.given_up},
                                      {"last_error", counts.last_error}}}}
                         .dump(2)
                  << "\n";
    } else {
        if (alerts.empty()) std::cout << "no active alerts\n";
        for (const auto& x : alerts) {
            std::cout << to_string(x.status) << "  " << to_string(x.severity) << "  " << x.rule
                      << "  " << x.summary << "  (since " << rfc3339(x.active_since) << ")\n";
        }
        std::cout << "outbox: " << counts.pending << " pending, " << counts.delivered
                  << " delivered, " << counts.given_up << " given up\n";
        if (!counts.last_error.empty())
            std::cout << "last delivery error: " << counts.last_error << "\n";
    }
    return alerts.empty() ? 0 : 1;
}

}  // namespace

std::function<int()> add_alerts_commands(CLI::App& app, AlertsCliArgs& args) {
    auto* silence = app.add_subcommand(
        "silence",
        "Mute alerts matching labels for a while (while the daemon runs too).\n"
        "Examples:\n"
        "  nswatch silence add -c nswatch.yml --match zone=shop.test --match provider=beta "
        "--for 2h --comment 'planned migration'\n"
        "  nswatch silence list -c nswatch.yml\n"
        "  nswatch silence remove -c nswatch.yml 3");
    silence->require_subcommand(1);
    auto common = [&args](CLI::App* c) {
        c->add_option("-c,--config", args.config_path, "Config file (finds alerts.state_path)");
        c->add_option("--state", args.state, "Alert state file (overrides the config)");
        c->add_flag("--json", args.json, "Print JSON for scripts");
    };
    auto* add = silence->add_subcommand("add", "Add a silence");
    common(add);
    add->add_option("--match", args.matchers,
                    "label=value, repeatable; all must match. Labels: alertname (the rule), zone, "
                    "provider, vantage, nameserver, address, transport")
        ->required();
    add->add_option("--for", args.duration, "How long, e.g. 30m, 2h, 1d (default 2h)");
    add->add_option("--comment", args.comment, "Who and why");
    auto* list = silence->add_subcommand("list", "List active silences");
    common(list);
    list->add_flag("--all", args.all, "Include expired silences");
    auto* remove = silence->add_subcommand("remove", "Remove a silence by id");
    common(remove);
    remove->add_option("id", args.id, "Silence id (from `silence list`)")->required();

    auto* alerts = app.add_subcommand(
        "alerts",
        "Show active alerts and the notification outbox (pending, delivered, given up, last "
        "error).\nExit 0 when no alert is active, 1 otherwise.\nExample: nswatch alerts -c "
        "nswatch.yml --json");
    common(alerts);

    return [=, &args]() -> int {
        if (add->parsed()) return silence_add(args);
        if (list->parsed()) return silence_list(args);
        if (remove->parsed()) return silence_remove(args);
        if (alerts->parsed()) return alerts_status(args);
        return -1;
    };
}

}  // namespace nswatch
