#include "storage/tally.hpp"

#include <algorithm>
#include <string>

namespace nswatch {

namespace {
void widen(std::optional<int64_t>& lo, std::optional<int64_t>& hi, int64_t v_lo, int64_t v_hi) {
    lo = lo ? std::min(*lo, v_lo) : v_lo;
    hi = hi ? std::max(*hi, v_hi) : v_hi;
}

// Outcome codes 0..11 have their columns after `failures`; codes added later (schema v3) were
// appended after last_ts_ms, so the columns of older rows keep their places.
constexpr int kOutcomesInV1 = 12;
int outcome_column(int first, int code) {
    return code < kOutcomesInV1 ? first + 2 + code : first + 19 + (code - kOutcomesInV1);
}

std::optional<int64_t> nullable(const Statement& s, int i) {
    if (s.column_is_null(i)) return std::nullopt;
    return s.column_int(i);
}
}  // namespace

void Tally::add_probe(int64_t ts_ms, int outcome, int64_t rcode, int64_t rtt_us,
                      std::optional<int64_t> serial) {
    ++count;
    if (outcome >= 0 && outcome < kOutcomeCount) ++by_outcome[static_cast<size_t>(outcome)];
    if (rcode >= 0) ++latency[static_cast<size_t>(latency_bucket(rtt_us))];
    if (serial) {
        widen(serial_min, serial_max, *serial, *serial);
        serial_last = serial;
    }
    if (ts_ms >= last_ts_ms) {
        last_ts_ms = ts_ms;
        last_outcome = outcome;
    }
}

void Tally::add_rollup(const Statement& s, int first) {
    count += static_cast<uint64_t>(s.column_int(first));
    // first + 1 is failures: derived, not summed.
    for (int i = 0; i < kOutcomeCount; ++i) {
        by_outcome[static_cast<size_t>(i)] +=
            static_cast<uint64_t>(s.column_int(outcome_column(first, i)));
    }
    add_encoded_histogram(s.column_blob(first + 14), latency);
    auto lo = nullable(s, first + 15);
    auto hi = nullable(s, first + 16);
    if (lo && hi) widen(serial_min, serial_max, *lo, *hi);
    if (auto last = nullable(s, first + 17)) serial_last = last;
    int64_t ts = s.column_int(first + 18);
    if (ts >= last_ts_ms) {
        last_ts_ms = ts;
        last_outcome.reset();  // a rollup does not keep it
    }
}

void Tally::bind_rollup(Statement& s, int first) const {
    s.bind(first, static_cast<int64_t>(count));
    s.bind(first + 1, static_cast<int64_t>(failures()));
    for (int i = 0; i < kOutcomeCount; ++i) {
        s.bind(outcome_column(first, i), static_cast<int64_t>(by_outcome[static_cast<size_t>(i)]));
    }
    std::string blob = encode_histogram(latency);
    s.bind(first + 14, blob.data(), blob.size());
    auto bind_opt = [&](int i, const std::optional<int64_t>& v) {
        if (v) {
            s.bind(i, *v);
        } else {
            s.bind_null(i);
        }
    };
    bind_opt(first + 15, serial_min);
    bind_opt(first + 16, serial_max);
    bind_opt(first + 17, serial_last);
    s.bind(first + 18, last_ts_ms);
}

}  // namespace nswatch
