// InternedName: an 8-byte handle to a name kept once per process (zone, nameserver, address,
// provider and vantage names). A TargetState held its Target by value: five std::string (176
// bytes inline plus heap copies of the longer names) for names that every target of a zone, and
// most zones, share. The pool only grows: the names it holds are the configuration's, a few per
// nameserver address, and live as long as the process (a reload with new names adds them).
//
// Thread-safe: interning takes a lock; reading a handle does not (an interned string is never
// moved or freed).
#pragma once

#include <compare>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "dns/probe_result.hpp"

namespace nswatch {

class InternedName {
  public:
    InternedName();  ///< the empty name
    explicit InternedName(std::string_view name);
    InternedName& operator=(std::string_view name) { return *this = InternedName(name); }

    const std::string& str() const { return *name_; }
    operator const std::string&() const { return *name_; }
    operator std::string_view() const { return *name_; }
    const char* c_str() const { return name_->c_str(); }
    bool empty() const { return name_->empty(); }
    size_t size() const { return name_->size(); }

    /// Interned: equal names are the same string.
    friend bool operator==(const InternedName& a, const InternedName& b) {
        return a.name_ == b.name_;
    }
    friend bool operator==(const InternedName& a, std::string_view b) { return *a.name_ == b; }
    friend std::strong_ordering operator<=>(const InternedName& a, const InternedName& b) {
        return a.name_->compare(*b.name_) <=> 0;
    }

  private:
    const std::string* name_;
};

std::ostream& operator<<(std::ostream& out, const InternedName& n);

/// A Target as a TargetState keeps it: its names interned, 56 bytes instead of ~180 plus heap.
struct KeptTarget {
    InternedName zone;
    InternedName nameserver;
    InternedName address;
    InternedName provider;
    InternedName vantage;
    Family family = Family::ipv4;
    Transport transport = Transport::udp;
    uint16_t port = 53;

    KeptTarget() = default;
    KeptTarget(const Target& t);  // NOLINT(google-explicit-constructor): a lossless conversion

    /// The Target it was made from.
    Target full() const;
    /// Same fields as `t`.
    bool same_as(const Target& t) const;
    bool operator==(const KeptTarget&) const = default;
};

}  // namespace nswatch
