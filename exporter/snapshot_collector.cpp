#include "exporter/snapshot_collector.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "dns/rr_types.hpp"
#include "dns/rrsig.hpp"
#include "exporter/target_labels.hpp"
#include "monitor/delegation_missing.hpp"

namespace nswatch {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using Labels = std::map<std::string, std::string>;

MetricFamily gauge_family(std::string name, std::string help) {
    return MetricFamily{std::move(name), std::move(help), prometheus::MetricType::Gauge, {}};
}

void add(MetricFamily& f, const Labels& labels, double value) {
    ClientMetric m;
    for (const auto& [name, v] : labels) m.label.push_back({name, v});
    m.gauge.value = value;
    f.metric.push_back(std::move(m));
}

double seconds_since_epoch(WallTime t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

std::vector<MetricFamily> snapshot_families(const Snapshot& s) {
    auto success =
        gauge_family("nswatch_probe_success", "1 if the last probe of the target was ok.");
    auto serial = gauge_family("nswatch_soa_serial", "Last SOA serial the target answered.");
    auto behind =
        gauge_family("nswatch_serial_behind_versions",
                     "Versions (RFC 1982) the target is behind the zone's newest serial.");
    auto lag = gauge_family("nswatch_serial_lag_seconds",
                            "Seconds since the newest serial was first seen, while the target "
                            "does not serve it; 0 when current.");
    auto ahead = gauge_family("nswatch_serial_ahead_of_primary",
                              "1 if the target serves a serial newer (RFC 1982) than the zone's "
                              "configured primary; only for zones that name a primary.");
    auto rrsig_expiry = gauge_family(
        "nswatch_dnssec_signature_expiry_timestamp_seconds",
        "Earliest expiration (Unix time) of the RRSIGs in the target's last SOA answer; only with "
        "probe.dnssec_ok and a signed zone.");
    auto ns_up = gauge_family("nswatch_nameserver_up",
                              "1 if the target is up (rise/fall health over its probes).");
    auto ns_info = gauge_family("nswatch_nameserver_info",
                                "Always 1; details of the target's last reply in labels.");
    auto provider_up =
        gauge_family("nswatch_provider_up", "1 if at least one of the provider's targets is up.");
    auto provider_lagging =
        gauge_family("nswatch_provider_lagging", "1 if some target of the provider is behind.");
    auto consistent = gauge_family("nswatch_zone_answers_consistent",
                                   "1 if all providers give the same answers for the zone.");
    auto delegation = gauge_family("nswatch_delegation_consistent",
                                   "1 if the parent's and the zone's NS sets agree (0 when the "
                                   "parent has no delegation for the zone).");
    auto missing = gauge_family(
        "nswatch_delegation_missing",
        "1 (with label reason) if the zone's delegation is missing: the parent answers NXDOMAIN "
        "or NODATA, no NS name has an address, or every server is lame; 0 otherwise.");
    auto newest = gauge_family("nswatch_zone_newest_serial",
                               "Newest SOA serial (RFC 1982) seen for the zone.");
    auto keyset_mismatch = gauge_family(
        "nswatch_keyset_mismatch",
        "1 if the provider lacks a key (DNSKEY, CDS or CDNSKEY, label rrtype) another provider "
        "of the zone serves; only with probe.dnssec_ok.");
    auto keys = gauge_family("nswatch_dnssec_keys",
                             "Keys in the provider's DNSKEY, CDS or CDNSKEY set (label rrtype), "
                             "over its addresses; only with probe.dnssec_ok.");
    auto validation_failures = gauge_family(
        "nswatch_dnssec_validation_failures",
        "RRsets (address x RRset) of the provider's last answer round that do not validate with "
        "its own DNSKEY set, by reason (missing_rrsig, unknown_key, bogus, expired).");
    auto valid_until = gauge_family(
        "nswatch_dnssec_signatures_valid_until_timestamp_seconds",
        "When the first of the provider's validating RRsets stops validating (Unix time): the "
        "latest expiration among an RRset's verifying RRSIGs, earliest over its RRsets.");
    auto taken = gauge_family("nswatch_snapshot_timestamp_seconds",
                              "When the state served here was computed (Unix time); a stale "
                              "value means the probe loop is stuck.");

    add(taken, {}, seconds_since_epoch(s.taken));
    for (const ZoneState& z : s.zones) {
        const Labels zone{{"zone", z.zone}};
        add(consistent, zone, z.answers_consistent ? 1 : 0);
        add(delegation, zone, z.delegation.consistent ? 1 : 0);
        if (const DelegationMissing m = delegation_missing(z); m.missing()) {
            add(missing, {{"zone", z.zone}, {"reason", std::string(to_string(m.reason))}}, 1);
        } else {
            add(missing, zone, 0);
        }
        if (z.newest_serial) add(newest, zone, *z.newest_serial);
        for (const TargetState& t : z.targets) {
            Labels labels = target_labels(t.target.full());
            add(success, labels, t.last.outcome == Outcome::ok ? 1 : 0);
            if (t.serial) add(serial, labels, *t.serial);
            add(behind, labels, t.behind_by);
            add(lag, labels, t.lag_seconds);
            if (t.last.outcome == Outcome::ok) {
                if (const auto exp = earliest_rrsig_expiration(t.last.answer())) {
                    add(rrsig_expiry, labels, seconds_since_epoch(*exp));
                }
            }
            if (z.has_primary) {
                add(ahead, labels, t.serial_state == SerialState::ahead_of_primary ? 1 : 0);
            }
            add(ns_up, labels, t.up ? 1 : 0);
            labels.emplace("nsid", t.last.nsid());
            add(ns_info, labels, 1);
        }
        for (const ProviderKeyset& k : z.keysets) {
            const Labels labels{
                {"zone", z.zone}, {"provider", k.provider}, {"rrtype", rr_type_name(k.type)}};
            add(keyset_mismatch, labels, k.missing.empty() ? 0 : 1);
            add(keys, labels, static_cast<double>(k.keys.size()));
        }
        for (const ProviderSignatures& p : z.signatures) {
            for (auto f : {SignatureFault::missing_rrsig, SignatureFault::unknown_key,
                           SignatureFault::bogus, SignatureFault::expired}) {
                const auto n =
                    std::count_if(p.problems.begin(), p.problems.end(),
                                  [f](const SignatureProblem& x) { return x.fault == f; });
                add(validation_failures,
                    {{"zone", z.zone},
                     {"provider", p.provider},
                     {"vantage", p.vantage},
                     {"reason", std::string(to_string(f))}},
                    static_cast<double>(n));
            }
            if (p.expires) {
                add(valid_until,
                    {{"zone", z.zone}, {"provider", p.provider}, {"vantage", p.vantage}},
                    seconds_since_epoch(*p.expires));
            }
        }
        // ProviderState has no vantage of its own: it is this instance's view, so its vantage.
        for (const ProviderState& p : z.providers) {
            const Labels labels{{"zone", z.zone}, {"provider", p.provider}, {"vantage", s.vantage}};
            add(provider_up, labels, p.up ? 1 : 0);
            add(provider_lagging, labels, p.lagging ? 1 : 0);
        }
    }

    std::vector<MetricFamily> out;
    for (auto* f : {&success, &serial, &behind, &lag, &ahead, &rrsig_expiry, &ns_up, &ns_info,
                    &provider_up, &provider_lagging, &consistent, &delegation, &missing, &newest,
                    &keyset_mismatch, &keys, &validation_failures, &valid_until, &taken}) {
        out.push_back(std::move(*f));
    }
    return out;
}

SnapshotCollector::SnapshotCollector(std::function<SnapshotPtr()> snapshot)
    : snapshot_(std::move(snapshot)) {}

std::vector<MetricFamily> SnapshotCollector::Collect() const {
    const SnapshotPtr s = snapshot_();
    if (!s) return {};
    return snapshot_families(*s);
}

}  // namespace nswatch
