#include "dns/ixfr.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

IxfrReader::Key key_of(const Record& r) {
    return {r.owner, r.type, r.rdata};
}

std::string describe(const Record& r) {
    return r.owner + " type " + std::to_string(r.type) + " " + r.rdata;
}

uint32_t serial_or_throw(const Record& soa) {
    const auto s = soa_serial(soa);
    if (!s) throw std::runtime_error("unreadable SOA in the IXFR reply: " + soa.rdata);
    return *s;
}

// Orders a copy's records against a key by (owner, type, rdata), the prefix of sort_for_diff's
// order.
struct KeyLess {
    bool operator()(const Record& r, const IxfrReader::Key& k) const {
        return std::tie(r.owner, r.type, r.rdata) < k;
    }
    bool operator()(const IxfrReader::Key& k, const Record& r) const {
        return k < std::tie(r.owner, r.type, r.rdata);
    }
};

}  // namespace

std::string_view to_string(IxfrShape s) {
    switch (s) {
        case IxfrShape::pending:
            return "pending";
        case IxfrShape::up_to_date:
            return "up_to_date";
        case IxfrShape::incremental:
            return "incremental";
        case IxfrShape::full:
            return "full";
    }
    return "pending";
}

std::optional<uint32_t> soa_serial(const Record& soa) {
    std::istringstream in(soa.rdata);
    std::string mname, rname;
    uint32_t serial = 0;
    if (in >> mname >> rname >> serial) return serial;
    return std::nullopt;
}

void IxfrReader::add(Record&& r) {
    if (limit_ != 0 && ++read_ > limit_) {
        throw std::runtime_error("the IXFR reply has more than " + std::to_string(limit_) +
                                 " records");
    }
    const bool soa = r.type == kTypeSoa;
    switch (phase_) {
        case Phase::first:
            if (!soa) {
                throw std::runtime_error("the IXFR reply starts with " + describe(r) +
                                         ", not the zone's SOA");
            }
            new_serial_ = serial_or_throw(r);
            first_soa_ = std::move(r);
            phase_ = Phase::second;
            return;
        case Phase::second:
            if (!soa) {
                // SOA then anything else: the whole zone, AXFR-style.
                shape_ = IxfrShape::full;
                full_.push_back(*first_soa_);
                full_.push_back(std::move(r));
                phase_ = Phase::full;
                return;
            }
            if (serial_or_throw(r) != known_) {
                throw std::runtime_error("the IXFR differences start at serial " +
                                         std::to_string(serial_or_throw(r)) +
                                         ", the cached copy is at " + std::to_string(known_));
            }
            shape_ = IxfrShape::incremental;
            phase_ = Phase::step_start;
            add_incremental(std::move(r));
            return;
        case Phase::full:
            if (soa) {
                if (serial_or_throw(r) != *new_serial_) {
                    throw std::runtime_error("the IXFR reply (whole zone) ends with serial " +
                                             std::to_string(serial_or_throw(r)) + ", not " +
                                             std::to_string(*new_serial_));
                }
                phase_ = Phase::done;
                complete_ = true;
                return;
            }
            full_.push_back(std::move(r));
            return;
        case Phase::step_start:
        case Phase::removing:
        case Phase::adding:
            add_incremental(std::move(r));
            return;
        case Phase::done:
            throw std::runtime_error("records after the IXFR reply's closing SOA: " + describe(r));
    }
}

void IxfrReader::add_incremental(Record&& r) {
    const bool soa = r.type == kTypeSoa;
    if (phase_ == Phase::adding && soa) {
        const uint32_t serial = serial_or_throw(r);
        if (serial == *new_serial_ && step_to_ == *new_serial_) {
            phase_ = Phase::done;  // the closing SOA
            complete_ = true;
            return;
        }
        if (serial != step_to_) {
            throw std::runtime_error("an IXFR step starts at serial " + std::to_string(serial) +
                                     " after a step that ended at " + std::to_string(step_to_));
        }
        phase_ = Phase::step_start;  // the next step's old SOA
    }
    if (phase_ == Phase::step_start) {
        remove(std::move(r));  // the old SOA goes; the records up to the next SOA go with it
        phase_ = Phase::removing;
        return;
    }
    if (phase_ == Phase::removing && soa) {
        // The step's new SOA: it and what follows are added.
        step_to_ = serial_or_throw(r);
        ++steps_;
        phase_ = Phase::adding;
    }
    if (phase_ == Phase::adding) {
        Key k = key_of(r);
        changes_[std::move(k)] = std::move(r);
    } else {
        remove(std::move(r));
    }
}

void IxfrReader::remove(Record&& r) {
    Key k = key_of(r);
    auto it = changes_.find(k);
    if (it == changes_.end()) {
        must_exist_.emplace(k, r);
        changes_.emplace(std::move(k), std::nullopt);
    } else if (!it->second) {
        throw std::runtime_error("the IXFR reply removes " + describe(r) + " twice");
    } else {
        it->second.reset();
    }
}

void IxfrReader::end_of_message() {
    if (phase_ == Phase::second) {
        // A lone SOA: the server says the copy is current (or cannot send differences).
        if (*new_serial_ != known_) {
            throw std::runtime_error("the IXFR reply is a lone SOA with serial " +
                                     std::to_string(*new_serial_) + ", the cached copy is at " +
                                     std::to_string(known_));
        }
        shape_ = IxfrShape::up_to_date;
        phase_ = Phase::done;
        complete_ = true;
    }
}

void apply_ixfr(std::vector<Record>& copy, const IxfrReader& reply) {
    for (const auto& [k, r] : reply.must_exist()) {
        if (!std::binary_search(copy.begin(), copy.end(), k, KeyLess{})) {
            throw std::runtime_error("the IXFR reply removes " + describe(r) +
                                     ", which the cached copy does not hold");
        }
    }
    // In place, so a 100,000-record copy is never held twice: grow by the records the changes
    // add, merge from the back (the write position never passes the read position, since each
    // step writes at most one record more than it reads, and only for an added key), then close
    // the gap that removals left at the front.
    const auto& changes = reply.changes();
    size_t adds = 0;
    for (const auto& [k, r] : changes) {
        adds += r.has_value() && !std::binary_search(copy.begin(), copy.end(), k, KeyLess{});
    }
    const size_t n = copy.size();
    copy.resize(n + adds);
    size_t read = n;          // copy[0, read) not yet merged
    size_t write = n + adds;  // copy[write, n + adds) is the result so far
    auto c = changes.rbegin();
    while (read > 0 || c != changes.rend()) {
        if (c == changes.rend() || (read > 0 && KeyLess{}(c->first, copy[read - 1]))) {
            --read;
            // Until the first added record the positions coincide: a self-move would empty it.
            if (--write != read) copy[write] = std::move(copy[read]);
            continue;
        }
        // The change replaces every record of its key the copy holds (a TTL may have changed).
        while (read > 0 && !KeyLess{}(copy[read - 1], c->first)) --read;
        if (c->second) copy[--write] = *c->second;
        ++c;
    }
    copy.erase(copy.begin(), copy.begin() + static_cast<std::ptrdiff_t>(write));
}

}  // namespace nswatch
