// Where results go: the storage (SQLite) and http (metrics and status page) sections.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "config/config.hpp"
#include "config/loader_detail.hpp"
#include "config/yaml_fields.hpp"
#include "exporter/listen_address.hpp"

namespace nswatch::config_detail {

using namespace std::chrono_literals;

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
    MapFields m = in_.map(
        field, {"enabled", "listen", "rtt_buckets", "rtt_histogram", "max_connections",
                "max_connections_per_client", "header_timeout", "idle_timeout", "write_timeout"});
    if (const Field* f = m.get("rtt_histogram")) {
        http.rtt_histogram = in_.string(*f, "target, provider or off");
        if (http.rtt_histogram != "target" && http.rtt_histogram != "provider" &&
            http.rtt_histogram != "off") {
            in_.fail(*f, "rtt_histogram '" + http.rtt_histogram +
                             "' is not one of target, provider, off");
        }
    }
    if (const Field* f = m.get("enabled")) http.enabled = in_.boolean(*f);
    if (const Field* f = m.get("listen")) http.listen = read_listen(*f);
    if (const Field* f = m.get("max_connections")) {
        http.max_connections = in_.integer(*f, 1, 1'000'000);
    }
    if (const Field* f = m.get("max_connections_per_client")) {
        http.max_connections_per_client = in_.integer(*f, 1, 1'000'000);
    }
    if (const Field* f = m.get("header_timeout")) {
        http.header_timeout = in_.duration(*f, 100ms, 10min);
    }
    if (const Field* f = m.get("idle_timeout")) http.idle_timeout = in_.duration(*f, 100ms, 1h);
    if (const Field* f = m.get("write_timeout")) http.write_timeout = in_.duration(*f, 1s, 1h);
    if (http.max_connections_per_client > http.max_connections) {
        // Only a cap the operator wrote is an error; the default one follows a smaller total.
        const Field* per_client = m.get("max_connections_per_client");
        if (per_client == nullptr) {
            http.max_connections_per_client = http.max_connections;
        } else {
            in_.fail(*per_client, "max_connections_per_client (" +
                                      std::to_string(http.max_connections_per_client) +
                                      ") is more than max_connections (" +
                                      std::to_string(http.max_connections) + ")");
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

std::vector<std::string> Loader::read_listen(const Field& field) const {
    constexpr const char* example =
        "one address:port with an IP address (e.g. 127.0.0.1:10053, "
        "[::1]:10053)";
    std::vector<Field> items;
    if (field.value.IsSequence()) {
        items = in_.list(field, "[127.0.0.1:10053, \"[::1]:10053\"]");
        if (items.empty()) in_.fail(field, "the list is empty: nothing would be served");
    } else {
        items.push_back(field);
    }
    std::vector<std::string> out;
    for (const Field& item : items) {
        const std::string text = in_.string(item, example);
        if (text.find(',') != std::string::npos) {
            in_.fail(item, "'" + text +
                               "' is several addresses in one string: give one address, or a "
                               "YAML list of them (listen: [127.0.0.1:10053, \"[::1]:10053\"])");
        }
        if (!parse_listen_address(text)) in_.fail(item, "'" + text + "' is not " + example);
        if (std::find(out.begin(), out.end(), text) != out.end()) {
            in_.fail(item, "'" + text + "' is listed twice");
        }
        out.push_back(text);
    }
    return out;
}

}  // namespace nswatch::config_detail
