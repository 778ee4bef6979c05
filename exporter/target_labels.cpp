#include "exporter/target_labels.hpp"

namespace nswatch {

std::map<std::string, std::string> target_labels(const Target& t) {
    return {
        {"zone", t.zone},
        {"nameserver", t.nameserver},
        {"ip", t.address},
        {"family", std::string(to_string(t.family))},
        {"transport", std::string(to_string(t.transport))},
        {"provider", t.provider},
        {"vantage", t.vantage},
    };
}

}  // namespace nswatch
