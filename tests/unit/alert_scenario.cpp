#include "alert_scenario.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "alerts/alert_engine.hpp"
#include "alerts/alert_store.hpp"
#include "temp_dir.hpp"

namespace nswatch::test {

namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

const WallTime kStart = WallTime{} + std::chrono::seconds(1800000000);

milliseconds parse_duration(const std::string& s) {
    size_t used = 0;
    const long long n = std::stoll(s, &used);
    const std::string unit = s.substr(used);
    if (unit == "ms") return milliseconds(n);
    if (unit == "s") return std::chrono::seconds(n);
    if (unit == "m") return std::chrono::minutes(n);
    if (unit == "h") return std::chrono::hours(n);
    throw std::runtime_error("bad duration '" + s + "'");
}

struct Server {
    std::string provider, nameserver, address;
    bool frozen = false, tcp_down = false, refusing = false, stale = false;
    uint32_t serial = 0;
};

struct Expect {
    int line = 0;
    bool resolved = false;
    std::string rule;
    std::map<std::string, std::string> labels;
    std::string words;
    std::optional<milliseconds> at;
};

struct Seen {
    Notice notice;
    milliseconds at;
};

class Story {
  public:
    explicit Story(std::vector<std::string>& failures) : failures_(failures) {}

    void command(int line, const std::vector<std::string>& w, const std::string& text);
    void finish() { check_expectations(); }

  private:
    void start_daemon();
    void run(milliseconds d);
    void round();
    std::vector<ProbeResult> round_results();
    void check_expectations();
    std::vector<Server*> who(const std::string& name, int line);
    void fail(int line, const std::string& what) {
        failures_.push_back("line " + std::to_string(line) + ": " + what);
    }

    std::vector<std::string>& failures_;
    TempDir dir_{"nswatch-story"};
    std::string zone_ = "shop.test";
    std::optional<std::string> primary_;
    std::vector<Server> servers_;
    milliseconds interval_ = 10s, evaluation_ = 10s, now_ = 0ms;
    AlertSettings settings_;
    HealthThresholds health_;
    int tcp_every_ = 3;
    uint64_t rounds_ = 0;
    milliseconds next_round_ = 0ms, next_evaluation_ = 0ms;
    std::unique_ptr<ZoneTracker> tracker_;
    std::unique_ptr<AlertEngine> engine_;
    std::vector<Seen> seen_;
    std::vector<Expect> expects_;
    int run_line_ = 0;
};

std::vector<Server*> Story::who(const std::string& name, int line) {
    std::vector<Server*> out;
    for (auto& s : servers_) {
        if (s.provider == name || s.address == name || s.nameserver == name) out.push_back(&s);
    }
    if (out.empty()) fail(line, "no server or provider '" + name + "'");
    return out;
}

void Story::start_daemon() {
    tracker_ = std::make_unique<ZoneTracker>(zone_, health_, primary_);
    engine_ = std::make_unique<AlertEngine>(
        dir_.file("alerts.db"), settings_,
        [this] {
            auto s = std::make_shared<Snapshot>();
            s->vantage = "default";
            s->zones.push_back(tracker_->share());
            return SnapshotPtr(s);
        },
        nullptr);
    // What `nswatch run` does at start: the lag clock continues from the state file.
    const auto& memory = engine_->stored_serial_memory();
    if (auto it = memory.find(zone_); it != memory.end()) {
        tracker_->restore_serial_first_seen(it->second);
    }
}

std::vector<ProbeResult> Story::round_results() {
    std::vector<ProbeResult> out;
    const bool tcp = tcp_every_ > 0 && rounds_ % static_cast<uint64_t>(tcp_every_) == 0;
    for (const auto& s : servers_) {
        for (Transport t : {Transport::udp, Transport::tcp}) {
            if (t == Transport::tcp && !tcp) continue;
            ProbeResult r;
            r.target.zone = zone_;
            r.target.provider = s.provider;
            r.target.nameserver = s.nameserver;
            r.target.address = s.address;
            r.target.transport = t;
            r.target.vantage = "default";
            r.query.name = zone_;
            r.query.type = 6;
            if (s.frozen || (t == Transport::tcp && s.tcp_down)) {
                r.outcome = Outcome::timeout;
            } else if (s.refusing) {
                r.outcome = Outcome::refused;
                r.rcode = 5;
            } else {
                r.outcome = Outcome::ok;
                r.rcode = 0;
                r.aa = true;
                r.rtt = 1ms;
                r.soa = SoaFields{};
                r.soa->serial = s.serial;
                r.soa->refresh = 3600;
            }
            out.push_back(std::move(r));
        }
    }
    return out;
}

void Story::round() {
    tracker_->observe(round_results(), kStart + now_);
    ++rounds_;
}

void Story::run(milliseconds d) {
    const milliseconds end = now_ + d;
    while (true) {
        const milliseconds next = std::min(next_round_, next_evaluation_);
        if (next >= end) break;
        now_ = next;
        if (next_round_ == now_) {
            round();
            next_round_ += interval_;
        }
        if (next_evaluation_ == now_) {
            auto notices = engine_->evaluate_once(kStart + now_);
            // One evaluation's notices in a fixed order: firing first, then by rule and labels.
            std::sort(notices.begin(), notices.end(), [](const Notice& a, const Notice& b) {
                return std::tie(a.resolved, a.alert.rule, a.alert.labels) <
                       std::tie(b.resolved, b.alert.rule, b.alert.labels);
            });
            for (auto& n : notices) seen_.push_back({n, now_});
            next_evaluation_ += evaluation_;
        }
    }
    now_ = end;
}

std::string describe(const Notice& n, milliseconds at) {
    std::string out = (n.resolved ? "RESOLVED " : "FIRING ") + n.alert.rule;
    for (const auto& [k, v] : n.alert.labels) {
        if (k != "zone") out += " " + k + "=" + v;
    }
    return out + " at " + std::to_string(at.count() / 1000) + "s: " + n.alert.summary;
}

void Story::check_expectations() {
    for (size_t i = 0; i < std::max(seen_.size(), expects_.size()); ++i) {
        if (i >= expects_.size()) {
            fail(run_line_, "unexpected notification " + describe(seen_[i].notice, seen_[i].at));
            continue;
        }
        const Expect& e = expects_[i];
        if (i >= seen_.size()) {
            fail(e.line, std::string("expected ") + (e.resolved ? "RESOLVED " : "FIRING ") +
                             e.rule + ", no notification came");
            continue;
        }
        const Notice& n = seen_[i].notice;
        bool ok = n.resolved == e.resolved && n.alert.rule == e.rule;
        for (const auto& [k, v] : e.labels) {
            auto it = n.alert.labels.find(k);
            ok = ok && it != n.alert.labels.end() && it->second == v;
        }
        ok = ok && n.alert.summary.find(e.words) != std::string::npos;
        ok = ok && (!e.at || *e.at == seen_[i].at);
        if (!ok) fail(e.line, "got " + describe(n, seen_[i].at));
    }
    seen_.clear();
    expects_.clear();
}

void Story::command(int line, const std::vector<std::string>& w, const std::string& text) {
    const std::string& c = w[0];
    if (c != "expect" && (!expects_.empty() || !seen_.empty())) check_expectations();
    if (c == "set") {
        const std::string& k = w.at(1);
        if (k == "interval")
            interval_ = parse_duration(w.at(2));
        else if (k == "evaluation")
            evaluation_ = parse_duration(w.at(2));
        else if (k == "resolve_after")
            settings_.resolve_after = parse_duration(w.at(2));
        else if (k == "repeat")
            settings_.repeat_interval = parse_duration(w.at(2));
        else if (k == "fall")
            health_.fall = std::stoi(w.at(2));
        else if (k == "rise")
            health_.rise = std::stoi(w.at(2));
        else if (k == "tcp_every")
            tcp_every_ = std::stoi(w.at(2));
        else
            fail(line, "unknown setting " + k);
    } else if (c == "zone") {
        zone_ = w.at(1);
        if (w.size() >= 4 && w[2] == "primary") primary_ = w[3];
    } else if (c == "server") {
        servers_.push_back({w.at(1), w.at(2), w.at(3)});
    } else if (c == "serial") {
        for (auto& s : servers_) {
            if (!s.stale) s.serial = static_cast<uint32_t>(std::stoul(w.at(1)));
        }
    } else if (c == "run") {
        if (!engine_) start_daemon();
        run_line_ = line;
        run(parse_duration(w.at(1)));
    } else if (c == "restart") {
        engine_.reset();  // what was committed stays; the tracker's memory is gone
        tracker_.reset();
        start_daemon();
        next_round_ = now_;  // the new daemon starts with a round
        next_evaluation_ = now_;
    } else if (c == "undelegate" || c == "redelegate") {
        // What a discovery at this moment reports: the parent (test.) answers NXDOMAIN for the
        // zone, or refers to it again.
        DelegationState d;
        d.discovered = kStart + now_;
        if (c == "undelegate") {
            d.consistent = false;
            d.missing = MissingReason::parent_nxdomain;
            d.missing_detail = "the parent's server 127.53.0.2 (zone 'test') answers NXDOMAIN";
        }
        tracker_->set_delegation(d);
    } else if (c == "silence") {
        Silence s;
        for (size_t i = 1; i + 1 < w.size(); ++i) {
            if (w[i] == "for") {
                s.expires = kStart + now_ + parse_duration(w.at(i + 1));
                break;
            }
            const auto eq = w[i].find('=');
            s.matchers[w[i].substr(0, eq)] = w[i].substr(eq + 1);
        }
        s.created = kStart + now_;
        AlertStore(dir_.file("alerts.db")).add_silence(s);
    } else if (c == "expect") {
        if (w.at(1) == "nothing") return;
        Expect e;
        e.line = line;
        e.resolved = w.at(1) == "RESOLVED";
        e.rule = w.at(2);
        for (size_t i = 3; i < w.size(); ++i) {
            if (w[i] == "at") {
                e.at = parse_duration(w.at(i + 1));
                break;
            }
            const auto eq = w[i].find('=');
            if (eq != std::string::npos) e.labels[w[i].substr(0, eq)] = w[i].substr(eq + 1);
        }
        const auto q = text.find('"');
        if (q != std::string::npos) e.words = text.substr(q + 1, text.rfind('"') - q - 1);
        expects_.push_back(std::move(e));
    } else {
        static const std::map<std::string, std::pair<bool Server::*, bool>> toggles{
            {"freeze", {&Server::frozen, true}},     {"thaw", {&Server::frozen, false}},
            {"tcp-down", {&Server::tcp_down, true}}, {"tcp-up", {&Server::tcp_down, false}},
            {"refuse", {&Server::refusing, true}},   {"answer", {&Server::refusing, false}},
            {"stale", {&Server::stale, true}},       {"catch-up", {&Server::stale, false}},
        };
        auto t = toggles.find(c);
        if (t == toggles.end()) {
            fail(line, "unknown command '" + c + "'");
            return;
        }
        for (Server* s : who(w.at(1), line)) s->*(t->second.first) = t->second.second;
        if (c == "catch-up") {
            uint32_t newest = 0;
            for (const auto& s : servers_) {
                if (!s.stale) newest = std::max(newest, s.serial);
            }
            for (Server* s : who(w.at(1), line)) s->serial = newest;
        }
    }
}

// Words of a line, a quoted part kept out (it is read from the raw text).
std::vector<std::string> words_of(const std::string& line) {
    std::string unquoted = line.substr(0, line.find('"'));
    std::istringstream in(unquoted);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

}  // namespace

std::vector<std::string> run_alert_story(const std::string& path) {
    std::vector<std::string> failures;
    std::ifstream in(path);
    if (!in) return {"cannot read " + path};
    Story story(failures);
    std::string text;
    int line = 0;
    while (std::getline(in, text)) {
        ++line;
        const auto hash = text.find('#');
        const std::string code = text.substr(0, hash);
        const auto w = words_of(code);
        if (w.empty()) continue;
        try {
            story.command(line, w, code);
        } catch (const std::exception& e) {
            failures.push_back("line " + std::to_string(line) + ": " + e.what());
        }
    }
    story.finish();
    return failures;
}

}  // namespace nswatch::test
