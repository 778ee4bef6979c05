// Tests for storage/codes.cpp: the numbers stored on disk (outcome codes, latency buckets).
#include <catch2/catch.hpp>

#include "storage/codes.hpp"

using namespace nswatch;

TEST_CASE("outcome codes: the stored numbers never change", "[storage][codes]") {
    // These are in files on users' disks: a failure here means a migration is needed, not a fix
    // of the test.
    CHECK(outcome_code(Outcome::ok) == 0);
    CHECK(outcome_code(Outcome::timeout) == 1);
    CHECK(outcome_code(Outcome::refused) == 2);
    CHECK(outcome_code(Outcome::servfail) == 3);
    CHECK(outcome_code(Outcome::nxdomain) == 4);
    CHECK(outcome_code(Outcome::formerr) == 5);
    CHECK(outcome_code(Outcome::not_authoritative) == 6);
    CHECK(outcome_code(Outcome::truncated) == 7);
    CHECK(outcome_code(Outcome::id_mismatch) == 8);
    CHECK(outcome_code(Outcome::question_mismatch) == 9);
    CHECK(outcome_code(Outcome::malformed) == 10);
    CHECK(outcome_code(Outcome::network_error) == 11);
}

TEST_CASE("outcome codes: every code maps back, unknown codes do not", "[storage][codes]") {
    for (int code = 0; code < kOutcomeCount; ++code) {
        auto o = outcome_from_code(code);
        REQUIRE(o.has_value());
        CHECK(outcome_code(*o) == code);
    }
    CHECK_FALSE(outcome_from_code(-1).has_value());
    CHECK_FALSE(outcome_from_code(kOutcomeCount).has_value());
}

TEST_CASE("latency buckets: half-octave bounds from 250 us to 8.192 s", "[storage][codes]") {
    CHECK(latency_bucket_upper_us(0) == 250);
    CHECK(latency_bucket_upper_us(2) == 500);
    CHECK(latency_bucket_upper_us(30) == 8'192'000);
    CHECK(latency_bucket(0) == 0);
    CHECK(latency_bucket(250) == 0);
    CHECK(latency_bucket(251) == 1);
    CHECK(latency_bucket(8'192'000) == 30);
    CHECK(latency_bucket(30'000'000) == kLatencyBuckets - 1);
    for (int i = 1; i < kLatencyBuckets - 1; ++i) {
        CHECK(latency_bucket_lower_us(i) == latency_bucket_upper_us(i - 1));
    }
}

TEST_CASE("latency histogram: varint encoding round-trips and drops trailing zeros",
          "[storage][codes]") {
    LatencyHistogram h{};
    h[0] = 1;
    h[3] = 300;             // two varint bytes
    h[10] = 5'000'000'000;  // more than 32 bits
    std::string blob = encode_histogram(h);
    CHECK(blob.size() == 1 + 1 + 1 + 2 + 6 * 1 + 5);
    LatencyHistogram back{};
    add_encoded_histogram(blob, back);
    CHECK(back == h);
    add_encoded_histogram(blob, back);  // adding twice doubles
    CHECK(back[3] == 600);
    CHECK(encode_histogram(LatencyHistogram{}).empty());
}

TEST_CASE("latency histogram: quantiles interpolate inside the bucket", "[storage][codes]") {
    LatencyHistogram h{};
    CHECK_FALSE(histogram_quantile_us(h, 0.5).has_value());
    // 100 probes in the 8–11.3 ms bucket: the median is half-way through it.
    int b = latency_bucket(10'000);
    h[static_cast<size_t>(b)] = 100;
    auto lower = latency_bucket_lower_us(b);
    auto upper = latency_bucket_upper_us(b);
    auto p50 = histogram_quantile_us(h, 0.5);
    REQUIRE(p50.has_value());
    CHECK(*p50 == (lower + upper) / 2);
    CHECK(*histogram_quantile_us(h, 1.0) == upper);
}
