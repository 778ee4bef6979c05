#include "config/notify_config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "dns/dns_name.hpp"

namespace nswatch::config_detail {

namespace {

using namespace std::chrono_literals;

// The algorithms ldns can sign and verify with.
const std::vector<std::string_view> kAlgorithms{"hmac-md5.sig-alg.reg.int",
                                                "hmac-sha1",
                                                "hmac-sha224",
                                                "hmac-sha256",
                                                "hmac-sha384",
                                                "hmac-sha512"};

bool is_base64(const std::string& s) {
    if (s.empty() || s.size() % 4 != 0) return false;
    const auto pad = s.find('=');
    if (pad != std::string::npos &&
        (pad < s.size() - 2 || s.find_first_not_of('=', pad) != std::string::npos)) {
        return false;
    }
    return std::all_of(
        s.begin(),
        s.begin() + static_cast<std::ptrdiff_t>(pad == std::string::npos ? s.size() : pad),
        [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/'; });
}

bool is_address(const std::string& s) {
    unsigned char buf[16];
    return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::string key_reference(const Reader& in, const Field& f, const Config& config) {
    std::string name = canonical_name(in.string(f, "the name of a key defined under 'keys'"));
    if (config.find_key(name) == nullptr) {
        std::string known;
        for (const auto& k : config.keys) known += (known.empty() ? "" : ", ") + k.name;
        in.fail(f, "no key named '" + name + "' under 'keys'" +
                       (known.empty() ? std::string(" (there are none)")
                                      : " (defined keys: " + known + ")"));
    }
    return name;
}

}  // namespace

void read_keys(const Reader& in, const Field& field, Config& config) {
    std::map<std::string, Field> seen;
    for (const auto& item : in.list(field,
                                    "[{name: notify-key, algorithm: hmac-sha256, "
                                    "secret: \"base64==\"}]")) {
        MapFields m = in.map(item, {"name", "algorithm", "secret"});
        TsigKey key;
        const Field& name = in.require(m, "name", "every key needs the name it is known by");
        key.name = canonical_name(in.string(name, "a key name such as notify-key"));
        if (auto [it, inserted] = seen.emplace(key.name, name); !inserted) {
            in.fail(name, "duplicate key '" + key.name + "'");
        }
        if (const Field* f = m.get("algorithm")) {
            key.algorithm = canonical_name(in.string(*f, "an HMAC algorithm such as hmac-sha256"));
            if (std::find(kAlgorithms.begin(), kAlgorithms.end(), key.algorithm) ==
                kAlgorithms.end()) {
                in.fail(*f, "unknown TSIG algorithm '" + key.algorithm +
                                "' (hmac-sha256, hmac-sha512, hmac-sha384, hmac-sha224, "
                                "hmac-sha1, hmac-md5.sig-alg.reg.int)");
            }
        }
        const Field& secret = in.require(m, "secret", "the shared secret in base64");
        key.secret = in.string(secret, "the shared secret in base64");
        if (!is_base64(key.secret)) {
            in.fail(secret,
                    "the secret is not base64 (as in BIND's key statement or the output "
                    "of tsig-keygen)");
        }
        config.keys.push_back(std::move(key));
    }
}

void read_notify(const Reader& in, const Field& field, Config& config) {
    MapFields m = in.map(field, {"listen", "allow", "keys"});
    NotifySettings& n = config.notify;
    n.enabled = true;
    const Field& listen = in.require(m, "listen", "address:port to listen on, e.g. 127.0.0.1:5353");
    const std::string text = in.string(listen, "address:port, e.g. 127.0.0.1:5353 or [::1]:5353");
    const auto colon = text.rfind(':');
    std::string host = colon == std::string::npos ? text : text.substr(0, colon);
    const std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    const bool port_ok =
        !port.empty() && port.size() <= 5 &&
        std::all_of(port.begin(), port.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
        std::stoi(port) >= 1 && std::stoi(port) <= 65535;
    if (!port_ok || !is_address(host)) {
        in.fail(listen, "'" + text +
                            "' is not address:port with an IP address (e.g. 127.0.0.1:5353, "
                            "[::1]:5353)");
    }
    n.address = host;
    n.port = static_cast<uint16_t>(std::stoi(port));
    const Field& allow =
        in.require(m, "allow", "the addresses the primaries send NOTIFY from, e.g. [192.0.2.1]");
    auto items = in.list(allow, "[192.0.2.1, \"2001:db8::/64\"]");
    if (items.empty()) {
        in.fail(allow, "the list is empty: every NOTIFY would be refused");
    }
    for (const auto& item : items) {
        std::string p = in.string(item, "an address or a CIDR prefix");
        if (!valid_address_pattern(p)) {
            in.fail(item, "'" + p +
                              "' is not an IP address or CIDR prefix (e.g. 192.0.2.1, "
                              "192.0.2.0/24, 2001:db8::/64)");
        }
        n.allow.push_back(std::move(p));
    }
    if (const Field* f = m.get("keys")) {
        for (const auto& item : in.list(*f, "[notify-key]")) {
            n.keys.push_back(key_reference(in, item, config));
        }
    }
}

void read_propagation(const Reader& in, const Field& field, PropagationConfig& p) {
    MapFields m = in.map(field, {"enabled", "fast_interval", "deadline"});
    if (const Field* f = m.get("enabled")) p.enabled = in.boolean(*f);
    if (const Field* f = m.get("fast_interval")) p.fast_interval = in.duration(*f, 10ms, 1h);
    if (const Field* f = m.get("deadline")) p.deadline = in.duration(*f, 1s, 24h * 7);
    if (p.deadline <= p.fast_interval) {
        in.fail(m.get("deadline") != nullptr ? *m.get("deadline") : *m.get("fast_interval"),
                "the deadline must be longer than fast_interval");
    }
}

void read_diff(const Reader& in, const Field& field, Config& config) {
    MapFields m = in.map(field, {"interval", "timeout", "ixfr"});
    ZoneDiffSettings& d = config.diff;
    if (const Field* f = m.get("interval")) {
        d.interval = in.duration(*f, 0ms, 24h * 7);
        if (d.interval.count() > 0 && d.interval < 1s) {
            in.fail(*f, "must be at least 1s (or 0 to turn the scheduled diff off)");
        }
    }
    if (const Field* f = m.get("timeout")) d.timeout = in.duration(*f, 100ms, 10min);
    if (const Field* f = m.get("ixfr")) d.ixfr = in.boolean(*f);
    if (d.enabled() && config.transfers.size() < 2) {
        in.fail(*m.get("interval"),
                "the scheduled diff needs at least two providers with transfer: settings "
                "(providers[].transfer), found " +
                    std::to_string(config.transfers.size()));
    }
}

TransferSettings read_transfer(const Reader& in, const Field& field, const Config& config) {
    MapFields m = in.map(field, {"server", "port", "key", "source"});
    TransferSettings t;
    const Field& server =
        in.require(m, "server", "the address of the server to transfer from, e.g. 192.0.2.53");
    t.server = in.string(server, "an IP address");
    if (!is_address(t.server)) {
        in.fail(server, "'" + t.server + "' is not an IP address");
    }
    if (const Field* f = m.get("port")) t.port = static_cast<uint16_t>(in.integer(*f, 1, 65535));
    if (const Field* f = m.get("key")) t.key = key_reference(in, *f, config);
    if (const Field* f = m.get("source")) {
        t.source = in.string(*f, "a local IP address");
        if (!is_address(t.source)) in.fail(*f, "'" + t.source + "' is not an IP address");
    }
    return t;
}

}  // namespace nswatch::config_detail
