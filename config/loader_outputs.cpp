// Where results go: the storage (SQLite) and http (metrics and status page) sections.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "config/config.hpp"
#include "config/loader_detail.hpp"
#include "config/yaml_fields.hpp"

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

}  // namespace nswatch::config_detail
