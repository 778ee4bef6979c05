#include "config/resolvers_loader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include "config/names.hpp"

namespace nswatch::config_detail {

namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

std::string plain_word(const Reader& in, const Field& field, std::string_view what) {
    std::string name = in.string(field, what);
    // The name becomes a metric label value and a CLI argument: keep it to one plain word.
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
            in.fail(field, std::string(what) + " '" + name +
                               "' may only contain letters, digits, '-', '_' and '.'");
        }
    }
    return name;
}

std::vector<std::string> read_vantage_names(const Reader& in, const Field& field,
                                            const std::vector<Vantage>& vantages) {
    std::vector<std::string> out;
    for (const auto& item : in.list(field, "[fra1, ams1]")) {
        std::string name = in.string(item, "the name of a vantage");
        bool defined = false;
        std::vector<std::string_view> names;
        for (const auto& v : vantages) {
            names.push_back(v.name);
            defined = defined || v.name == name;
        }
        if (!defined) {
            std::string message = "'" + name + "' is not a defined vantage";
            if (auto close = closest_match(name, names))
                message += ": did you mean '" + *close + "'?";
            in.fail(item, message);
        }
        if (std::find(out.begin(), out.end(), name) != out.end()) {
            in.fail(item, "vantage '" + name + "' is listed twice");
        }
        out.push_back(std::move(name));
    }
    if (out.empty()) {
        in.fail(field, "the list is empty; leave 'vantages' out to probe from the default vantage");
    }
    return out;
}

// A multiple such as 3 or 2.5, in [1, 1000].
double read_factor(const Reader& in, const Field& field) {
    constexpr std::string_view kExpected =
        "expected a multiple of the baseline between 1 and 1000 (e.g. 3 or 2.5)";
    if (!field.value.IsScalar()) {
        in.fail(field, std::string(kExpected) + ", got " + describe(field.value));
    }
    const std::string& s = field.value.Scalar();
    double value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
        in.fail(field, std::string(kExpected) + ", got '" + s + "'");
    }
    // NaN fails both comparisons, so test for being inside rather than outside.
    if (!(value >= 1 && value <= 1000))
        in.fail(field, s + " is out of range: " + std::string(kExpected));
    return value;
}

ResolverConfig read_resolver(const Reader& in, const Field& item,
                             const std::vector<Vantage>& vantages) {
    MapFields m = in.map(item, {"name", "address", "port", "vantages"});
    ResolverConfig r;
    r.name = plain_word(in, in.require(m, "name", "every resolver needs a name"), "resolver name");
    const Field& address = in.require(m, "address", "the resolver's IPv4 or IPv6 address");
    const std::string text = in.string(address, "an IPv4 or IPv6 address");
    auto literal = normalize_ip_literal(text);
    if (!literal) {
        in.fail(address, "'" + text +
                             "' is not an IP address (resolvers are given by address: probing "
                             "through a name would need a resolver to find the resolver)");
    }
    r.address = *literal;
    r.family = r.address.find(':') != std::string::npos ? Family::ipv6 : Family::ipv4;
    if (const Field* f = m.get("port")) r.port = static_cast<uint16_t>(in.integer(*f, 1, 65535));
    if (const Field* f = m.get("vantages")) r.vantages = read_vantage_names(in, *f, vantages);
    return r;
}

}  // namespace

ResolutionSettings read_resolution(const Reader& in, const Field& field,
                                   const std::vector<Vantage>& vantages) {
    MapFields m = in.map(field, {"servers", "interval", "timeout", "failing_after", "slow_after",
                                 "slow_factor", "recent_window", "baseline_window"});
    ResolutionSettings s;
    const Field& servers =
        in.require(m, "servers",
                   "list the resolvers to probe through, e.g. [{name: isp, address: 192.0.2.53}]");
    auto items = in.list(servers, "[{name: isp, address: 192.0.2.53}]");
    if (items.empty()) {
        in.fail(servers, "the list is empty; leave 'resolvers' out to turn resolution probes off");
    }
    std::map<std::string, int> seen;  // name -> line
    for (const auto& item : items) {
        ResolverConfig r = read_resolver(in, item, vantages);
        if (auto [it, inserted] = seen.emplace(r.name, item.mark().line + 1); !inserted) {
            in.fail(item, "duplicate resolver '" + r.name + "' (first at line " +
                              std::to_string(it->second) + ")");
        }
        s.resolvers.push_back(std::move(r));
    }
    if (const Field* f = m.get("interval")) s.interval = in.duration(*f, 1s, 24h);
    if (const Field* f = m.get("timeout")) s.timeout = in.duration(*f, 100ms, 60s);
    if (const Field* f = m.get("failing_after")) {
        s.failing_after = static_cast<int>(in.integer(*f, 1, 1000));
    }
    if (const Field* f = m.get("slow_after")) s.slow_after = in.duration(*f, 1ms, 60s);
    if (const Field* f = m.get("slow_factor")) {
        s.slow_factor = read_factor(in, *f);
    }
    if (const Field* f = m.get("recent_window")) s.recent_window = in.duration(*f, 1s, 24h);
    if (const Field* f = m.get("baseline_window")) {
        s.baseline_window = in.duration(*f, 1min, 24h * 30);
    }
    if (s.interval <= s.timeout) {
        const Field* at = m.get("interval") != nullptr ? m.get("interval") : m.get("timeout");
        in.fail(at != nullptr ? *at : field,
                "the interval (" + format_duration(s.interval) +
                    ") must be longer than the timeout (" + format_duration(s.timeout) +
                    "): a round must be able to end before the next begins");
    }
    return s;
}

}  // namespace nswatch::config_detail
