// How probing runs: the probe and discovery sections, and the serial-lag and RTT thresholds
// (global, and the per-zone overrides checked against them).

#include "config/config.hpp"
#include "config/loader_detail.hpp"
#include "config/yaml_fields.hpp"

namespace nswatch::config_detail {

using namespace std::chrono_literals;

void Loader::read_probe(const Field& field, ProbeSettings& probe) const {
    MapFields m = in_.map(
        field, {"timeout", "interval", "jitter", "tcp_every", "answers_every", "edns",
                "edns_buffer_size", "nsid", "dnssec_ok", "ipv6", "max_in_flight", "rise", "fall"});
    if (const Field* f = m.get("timeout")) probe.timeout = in_.duration(*f, 1ms, kMaxProbeTimeout);
    if (const Field* f = m.get("interval")) probe.interval = in_.duration(*f, 1s, kMaxInterval);
    if (const Field* f = m.get("jitter")) probe.jitter = in_.fraction(*f);
    if (const Field* f = m.get("tcp_every")) {
        probe.tcp_every = static_cast<int>(in_.integer(*f, 0, 1'000'000));
    }
    if (const Field* f = m.get("answers_every")) {
        probe.answers_every = static_cast<int>(in_.integer(*f, 1, 1'000'000));
    }
    if (const Field* f = m.get("edns")) probe.edns = in_.boolean(*f);
    if (const Field* f = m.get("edns_buffer_size")) {
        // Below 512 an OPT record is treated as 512 (RFC 6891 §6.2.5); above is what fits a uint16.
        probe.edns_buffer_size = static_cast<uint16_t>(in_.integer(*f, 512, 65535));
    }
    const Field* nsid = m.get("nsid");
    const Field* dnssec_ok = m.get("dnssec_ok");
    if (nsid != nullptr) probe.nsid = in_.boolean(*nsid);
    if (dnssec_ok != nullptr) probe.dnssec_ok = in_.boolean(*dnssec_ok);
    if (const Field* f = m.get("ipv6")) probe.ipv6 = in_.boolean(*f);
    if (const Field* f = m.get("max_in_flight")) {
        probe.max_in_flight = static_cast<int>(in_.integer(*f, 1, 1'000'000));
    }
    if (const Field* f = m.get("rise")) probe.rise = static_cast<int>(in_.integer(*f, 1, 100));
    if (const Field* f = m.get("fall")) probe.fall = static_cast<int>(in_.integer(*f, 1, 100));

    if (probe.interval <= probe.timeout) {
        in_.fail(*(m.get("interval") != nullptr ? m.get("interval") : m.get("timeout")),
                 "the interval (" + format_duration(probe.interval) +
                     ") must be longer than the timeout (" + format_duration(probe.timeout) +
                     "): a round must be able to end before the next begins");
    }
    if (!probe.edns) {
        // NSID and DO travel in the OPT record: asked for without EDNS they cannot be sent.
        if (nsid != nullptr && probe.nsid) {
            in_.fail(*nsid, "nsid needs EDNS: set edns: true or nsid: false");
        }
        if (dnssec_ok != nullptr && probe.dnssec_ok) {
            in_.fail(*dnssec_ok, "dnssec_ok needs EDNS: set edns: true or dnssec_ok: false");
        }
        probe.nsid = false;
        probe.dnssec_ok = false;
    }
}

void Loader::read_discovery(const Field& field, DiscoverySettings& discovery) const {
    MapFields m = in_.map(field, {"interval", "timeout", "workers"});
    if (const Field* f = m.get("interval")) discovery.interval = in_.duration(*f, 1s, kMaxInterval);
    if (const Field* f = m.get("workers")) {
        discovery.workers = static_cast<int>(in_.integer(*f, 1, 256));
    }
    if (const Field* f = m.get("timeout")) {
        discovery.timeout = in_.duration(*f, 1ms, kMaxProbeTimeout);
    }
}

void Loader::check_lag_order(const Field& at, const Thresholds& t) const {
    if (t.serial_lag_warning > t.serial_lag_critical) {
        in_.fail(at, "serial_lag_warning (" + format_duration(t.serial_lag_warning) +
                         ") is longer than serial_lag_critical (" +
                         format_duration(t.serial_lag_critical) + "): the warning must come first");
    }
}

void Loader::read_thresholds(const Field& field, Thresholds& thresholds) const {
    MapFields m = in_.map(field, {"serial_lag_warning", "serial_lag_critical", "rtt_warning"});
    // A lag threshold of 0 is allowed: it means "any lag at all".
    if (const Field* f = m.get("serial_lag_warning")) {
        thresholds.serial_lag_warning = in_.duration(*f, 0ms, kMaxInterval);
    }
    if (const Field* f = m.get("serial_lag_critical")) {
        thresholds.serial_lag_critical = in_.duration(*f, 0ms, kMaxInterval);
    }
    if (const Field* f = m.get("rtt_warning")) {
        thresholds.rtt_warning = in_.duration(*f, 1ms, kMaxProbeTimeout);
    }
    const Field* at = m.get("serial_lag_warning");
    check_lag_order(at != nullptr ? *at : field, thresholds);
}

ThresholdOverrides Loader::read_overrides(const Field& field, const Thresholds& global) const {
    MapFields m = in_.map(field, {"serial_lag_warning", "serial_lag_critical", "rtt_warning"});
    ThresholdOverrides o;
    if (const Field* f = m.get("serial_lag_warning")) {
        o.serial_lag_warning = in_.duration(*f, 0ms, kMaxInterval);
    }
    if (const Field* f = m.get("serial_lag_critical")) {
        o.serial_lag_critical = in_.duration(*f, 0ms, kMaxInterval);
    }
    if (const Field* f = m.get("rtt_warning"))
        o.rtt_warning = in_.duration(*f, 1ms, kMaxProbeTimeout);
    // Checked on the combination: a zone raising only the warning above the global critical is
    // as wrong as a zone setting both backwards.
    const Field* at = m.get("serial_lag_warning");
    check_lag_order(at != nullptr ? *at : field, o.apply_to(global));
    return o;
}

}  // namespace nswatch::config_detail
