#include "dns/interned_name.hpp"

#include <mutex>
#include <ostream>
#include <unordered_set>

namespace nswatch {

namespace {

struct Pool {
    std::mutex mutex;
    std::unordered_set<std::string> names;  // node-based: a string's address never changes
};

Pool& pool() {
    // Never destroyed: handles may be read by other static objects' destructors.
    static Pool* p = new Pool;
    return *p;
}

const std::string* intern(std::string_view name) {
    Pool& p = pool();
    std::lock_guard lock(p.mutex);
    return &*p.names.emplace(name).first;
}

}  // namespace

InternedName::InternedName() {
    static const std::string* const empty = intern({});
    name_ = empty;
}

InternedName::InternedName(std::string_view name) : name_(intern(name)) {}

std::ostream& operator<<(std::ostream& out, const InternedName& n) {
    return out << n.str();
}

KeptTarget::KeptTarget(const Target& t)
    : zone(t.zone),
      nameserver(t.nameserver),
      address(t.address),
      provider(t.provider),
      vantage(t.vantage),
      family(t.family),
      transport(t.transport),
      port(t.port) {}

Target KeptTarget::full() const {
    Target t;
    t.zone = zone;
    t.nameserver = nameserver;
    t.address = address;
    t.family = family;
    t.provider = provider;
    t.vantage = vantage;
    t.transport = transport;
    t.port = port;
    return t;
}

bool KeptTarget::same_as(const Target& t) const {
    return family == t.family && transport == t.transport && port == t.port &&
           address == t.address && nameserver == t.nameserver && provider == t.provider &&
           vantage == t.vantage && zone == t.zone;
}

}  // namespace nswatch
