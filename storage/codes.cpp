#include "storage/codes.hpp"

#include <cmath>

namespace nswatch {

namespace {

// Index = stored code. Append new outcomes at the end; never reorder (rows on disk use these).
constexpr std::array<Outcome, kOutcomeCount> kOutcomeByCode{
    Outcome::ok,
    Outcome::timeout,
    Outcome::refused,
    Outcome::servfail,
    Outcome::nxdomain,
    Outcome::formerr,
    Outcome::not_authoritative,
    Outcome::truncated,
    Outcome::id_mismatch,
    Outcome::question_mismatch,
    Outcome::malformed,
    Outcome::network_error,
    Outcome::wrong_owner,
};

constexpr int64_t kFirstUpperUs = 250;

// Computed once: 250 * 2^(i/2), rounded to whole microseconds.
const std::array<int64_t, kLatencyBuckets>& upper_bounds() {
    static const std::array<int64_t, kLatencyBuckets> bounds = [] {
        std::array<int64_t, kLatencyBuckets> b{};
        for (int i = 0; i < kLatencyBuckets; ++i) {
            b[static_cast<size_t>(i)] =
                std::llround(static_cast<double>(kFirstUpperUs) * std::pow(2.0, i / 2.0));
        }
        return b;
    }();
    return bounds;
}

}  // namespace

int outcome_code(Outcome o) {
    for (int code = 0; code < kOutcomeCount; ++code) {
        if (kOutcomeByCode[static_cast<size_t>(code)] == o) return code;
    }
    return -1;  // local_error: never stored (the monitor keeps it out of the history sinks)
}

std::optional<Outcome> outcome_from_code(int64_t code) {
    if (code < 0 || code >= kOutcomeCount) return std::nullopt;
    return kOutcomeByCode[static_cast<size_t>(code)];
}

int64_t latency_bucket_upper_us(int i) {
    if (i >= kLatencyBuckets - 1) return upper_bounds()[kLatencyBuckets - 2];
    return upper_bounds()[static_cast<size_t>(i)];
}

int64_t latency_bucket_lower_us(int i) {
    return i <= 0 ? 0 : upper_bounds()[static_cast<size_t>(i - 1)];
}

int latency_bucket(int64_t rtt_us) {
    const auto& b = upper_bounds();
    for (int i = 0; i < kLatencyBuckets - 1; ++i) {
        if (rtt_us <= b[static_cast<size_t>(i)]) return i;
    }
    return kLatencyBuckets - 1;
}

std::string encode_histogram(const LatencyHistogram& h) {
    int used = kLatencyBuckets;
    while (used > 0 && h[static_cast<size_t>(used - 1)] == 0) --used;
    std::string out;
    out.reserve(static_cast<size_t>(used) * 2);
    for (int i = 0; i < used; ++i) {
        uint64_t v = h[static_cast<size_t>(i)];
        do {
            auto byte = static_cast<unsigned char>(v & 0x7f);
            v >>= 7;
            if (v != 0) byte |= 0x80;
            out.push_back(static_cast<char>(byte));
        } while (v != 0);
    }
    return out;
}

void add_encoded_histogram(std::string_view blob, LatencyHistogram& h) {
    size_t bucket = 0;
    uint64_t value = 0;
    int shift = 0;
    for (char c : blob) {
        if (bucket >= h.size()) break;
        auto byte = static_cast<unsigned char>(c);
        if (shift < 64) value |= static_cast<uint64_t>(byte & 0x7f) << shift;
        shift += 7;
        if ((byte & 0x80) == 0) {
            h[bucket++] += value;
            value = 0;
            shift = 0;
        }
    }
}

std::optional<int64_t> histogram_quantile_us(const LatencyHistogram& h, double q) {
    uint64_t total = 0;
    for (uint64_t c : h) total += c;
    if (total == 0) return std::nullopt;
    double rank = std::ceil(q * static_cast<double>(total));
    if (rank < 1) rank = 1;
    uint64_t before = 0;
    for (int i = 0; i < kLatencyBuckets; ++i) {
        uint64_t c = h[static_cast<size_t>(i)];
        if (c == 0) continue;
        if (static_cast<double>(before + c) >= rank) {
            auto lower = static_cast<double>(latency_bucket_lower_us(i));
            auto upper = static_cast<double>(latency_bucket_upper_us(i));
            if (i == kLatencyBuckets - 1) return static_cast<int64_t>(lower);  // no upper bound
            double fraction = (rank - static_cast<double>(before)) / static_cast<double>(c);
            return std::llround(lower + (upper - lower) * fraction);
        }
        before += c;
    }
    return latency_bucket_lower_us(kLatencyBuckets - 1);
}

}  // namespace nswatch
