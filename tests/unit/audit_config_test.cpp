// The `audit:` config section: defaults from the catalogue, overrides, positioned errors.
#include <catch2/catch.hpp>

#include "config/config.hpp"

using namespace nswatch;

TEST_CASE("audit config: defaults are the catalogue's", "[audit][config]") {
    const Config c = load_config_string("", "empty.yml");
    CHECK(c.audit == AuditThresholds{});
    CHECK(c.audit.min_expire == 604800);
    CHECK(c.audit.ns_ttl_error == 3600);
    CHECK(c.audit.ns_ttl_warning == 14400);
    CHECK(c.audit.critical_ttl == 900);
    CHECK(c.audit.min_providers == 2);
    CHECK(c.audit.asn_zone.empty());  // NET-ASN skipped
}

TEST_CASE("audit config: every key is read", "[audit][config]") {
    const Config c = load_config_string(R"(
audit:
  min_expire: 14d
  min_refresh: 2h
  min_retry: 30m
  min_minimum: 1m
  max_minimum: 2d
  ns_ttl_error: 30m
  ns_ttl_warning: 1d
  critical_ttl: 5m
  min_providers: 3
  min_ns_per_provider: 1
  signature_warning: 3d
  private_addresses_ok: false
  compare_soa_fields: false
  asn_zone: ASN.Example.
  asn_zone_ipv6: asn6.example
)",
                                        "audit.yml");
    CHECK(c.audit.min_expire == 14 * 86400);
    CHECK(c.audit.min_refresh == 7200);
    CHECK(c.audit.min_retry == 1800);
    CHECK(c.audit.min_minimum == 60);
    CHECK(c.audit.max_minimum == 2 * 86400);
    CHECK(c.audit.ns_ttl_error == 1800);
    CHECK(c.audit.ns_ttl_warning == 86400);
    CHECK(c.audit.critical_ttl == 300);
    CHECK(c.audit.min_providers == 3);
    CHECK(c.audit.min_ns_per_provider == 1);
    CHECK(c.audit.sig_warning == std::chrono::hours(72));
    CHECK_FALSE(c.audit.private_addresses_ok);
    CHECK_FALSE(c.audit.compare_soa_fields);
    CHECK(c.audit.asn_zone == "asn.example");
    CHECK(c.audit.asn_zone_ipv6 == "asn6.example");
}

TEST_CASE("audit config: bad values fail with line and column", "[audit][config]") {
    auto error_of = [](const std::string& yaml) {
        try {
            load_config_string(yaml, "bad.yml");
        } catch (const std::exception& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK_THAT(error_of("audit:\n  min_providers: 0\n"), Catch::Contains("bad.yml:2:"));
    CHECK_THAT(error_of("audit:\n  min_expire: soon\n"), Catch::Contains("bad.yml:2:"));
    CHECK_THAT(error_of("audit:\n  nope: 1\n"), Catch::Contains("nope"));
    CHECK_THAT(error_of("audit:\n  asn_zone: bad..name\n"),
               Catch::Contains("bad.yml:2:") && Catch::Contains("asn_zone"));
    CHECK_THAT(error_of("audit:\n  asn_zone: [a, b]\n"), Catch::Contains("bad.yml:2:"));
}
