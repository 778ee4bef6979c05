#include "exporter/http_connection_table.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace nswatch {

std::string client_key(const sockaddr_storage& peer) {
    char text[INET6_ADDRSTRLEN] = {};
    if (peer.ss_family == AF_INET) {
        const auto& v4 = reinterpret_cast<const sockaddr_in&>(peer);
        inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
        return text;
    }
    if (peer.ss_family == AF_INET6) {
        in6_addr a = reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(&a)) {
            in_addr v4{};
            std::memcpy(&v4, &a.s6_addr[12], 4);
            inet_ntop(AF_INET, &v4, text, sizeof text);
            return text;
        }
        std::memset(&a.s6_addr[8], 0, 8);
        inet_ntop(AF_INET6, &a, text, sizeof text);
        return std::string(text) + "/64";
    }
    return "unknown";
}

HttpConnectionTable::Admission HttpConnectionTable::admit(const std::string& client) const {
    if (count(client) >= limits_.max_connections_per_client) {
        return {Verdict::reject_client_limit, std::nullopt};
    }
    if (entries_.size() < limits_.max_connections) return {};
    if (waiting_.empty()) return {Verdict::reject_total_limit, std::nullopt};
    return {Verdict::accept, waiting_.front()};
}

std::optional<uint64_t> HttpConnectionTable::oldest_waiting() const {
    if (waiting_.empty()) return std::nullopt;
    return waiting_.front();
}

void HttpConnectionTable::add(uint64_t id, const std::string& client, Clock::time_point now) {
    auto [it, inserted] = entries_.try_emplace(id);
    if (!inserted) return;
    it->second.client = client;
    ++per_client_[client];
    enter(id, Phase::awaiting_request, now);
}

void HttpConnectionTable::remove(uint64_t id) {
    const auto it = entries_.find(id);
    if (it == entries_.end()) return;
    if (it->second.waiting) waiting_.erase(*it->second.waiting);
    const auto c = per_client_.find(it->second.client);
    if (c != per_client_.end() && --c->second == 0) per_client_.erase(c);
    entries_.erase(it);
}

void HttpConnectionTable::enter(uint64_t id, Phase phase, Clock::time_point now) {
    const auto it = entries_.find(id);
    if (it == entries_.end()) return;
    Entry& e = it->second;
    const bool was_waiting = e.waiting.has_value();
    e.phase = phase;
    switch (phase) {
        case Phase::awaiting_request:
        case Phase::reading_request:
            e.deadline = now + limits_.header_timeout;
            break;
        case Phase::idle:
            e.deadline = now + limits_.idle_timeout;
            break;
        case Phase::handling:
            e.deadline.reset();
            break;
        case Phase::writing:
            e.deadline = now + limits_.write_timeout;
            break;
    }
    // Moving from idle to reading keeps the connection's place: it has been waiting all along.
    if (is_waiting(phase) && !was_waiting) {
        e.waiting = waiting_.insert(waiting_.end(), id);
    } else if (!is_waiting(phase) && was_waiting) {
        waiting_.erase(*e.waiting);
        e.waiting.reset();
    }
}

std::optional<HttpConnectionTable::Phase> HttpConnectionTable::phase(uint64_t id) const {
    const auto it = entries_.find(id);
    if (it == entries_.end()) return std::nullopt;
    return it->second.phase;
}

std::vector<HttpConnectionTable::Expired> HttpConnectionTable::expired(
    Clock::time_point now) const {
    std::vector<Expired> out;
    for (const auto& [id, e] : entries_) {
        if (e.deadline && *e.deadline <= now) out.push_back({id, e.phase});
    }
    return out;
}

size_t HttpConnectionTable::count(const std::string& client) const {
    const auto it = per_client_.find(client);
    return it == per_client_.end() ? 0 : it->second;
}

}  // namespace nswatch
