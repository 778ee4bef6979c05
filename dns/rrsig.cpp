#include "dns/rrsig.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <sstream>

#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

bool all_digits(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}
}  // namespace

std::optional<std::chrono::system_clock::time_point> rrsig_expiration(const std::string& rdata) {
    std::istringstream in(rdata);
    std::string field;
    for (int i = 0; i < 5; ++i) {
        if (!(in >> field)) return std::nullopt;
    }
    if (field.size() == 14 && all_digits(field)) {
        std::tm tm{};
        tm.tm_year = std::stoi(field.substr(0, 4)) - 1900;
        tm.tm_mon = std::stoi(field.substr(4, 2)) - 1;
        tm.tm_mday = std::stoi(field.substr(6, 2));
        tm.tm_hour = std::stoi(field.substr(8, 2));
        tm.tm_min = std::stoi(field.substr(10, 2));
        tm.tm_sec = std::stoi(field.substr(12, 2));
        return std::chrono::system_clock::from_time_t(timegm(&tm));
    }
    if (!field.empty() && field.size() <= 10 && all_digits(field)) {
        return std::chrono::system_clock::time_point{} + std::chrono::seconds(std::stoll(field));
    }
    return std::nullopt;
}

std::optional<std::chrono::system_clock::time_point> earliest_rrsig_expiration(
    const std::vector<Record>& records) {
    std::optional<std::chrono::system_clock::time_point> soonest;
    for (const auto& r : records) {
        if (r.type != kTypeRrsig) continue;
        const auto exp = rrsig_expiration(r.rdata);
        if (exp && (!soonest || *exp < *soonest)) soonest = exp;
    }
    return soonest;
}

}  // namespace nswatch
