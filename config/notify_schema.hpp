// Configuration of the NOTIFY listener, propagation runs, TSIG keys and zone transfers
// (CONFIGURATION.md: keys, notify, propagation, providers[].transfer). Plain values with defaults.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "dns/notify_packet.hpp"

namespace nswatch {

/// The NOTIFY listener; off unless the `notify` section is present.
struct NotifySettings {
    /// Listen at all (true when the section is present).
    bool enabled = false;
    /// Address literal to listen on (UDP and TCP).
    std::string address = "127.0.0.1";
    /// Port; 53 needs privileges, so the default is an unprivileged one.
    uint16_t port = 5353;
    /// Senders allowed: address literals or CIDR prefixes; never empty when enabled.
    std::vector<std::string> allow;
    /// Names of keys (from `keys`) of which one must sign each NOTIFY; empty = unsigned is fine.
    std::vector<std::string> keys;

    bool operator==(const NotifySettings&) const = default;
};

/// Propagation runs after a NOTIFY or a newly seen serial.
struct PropagationConfig {
    /// Run them at all.
    bool enabled = true;
    /// Gap before an address's second probe (then growing 1.5x).
    std::chrono::milliseconds fast_interval{250};
    /// A run not complete after this is reported incomplete (the laggards named).
    std::chrono::milliseconds deadline{std::chrono::minutes(10)};

    bool operator==(const PropagationConfig&) const = default;
};

/// Where and how `nswatch diff` transfers a provider's copy of a zone.
struct TransferSettings {
    /// Address literal of the server to transfer from.
    std::string server;
    /// Its port.
    uint16_t port = 53;
    /// Name of a key (from `keys`) to sign the transfer with; empty = unsigned.
    std::string key;
    /// Local address to transfer from (the one the provider's ACL allows); empty = kernel's choice.
    std::string source;

    bool operator==(const TransferSettings&) const = default;
};

/// The daemon's scheduled zone diff (`diff`): every interval, each zone's copies are transferred
/// from the providers with `transfer` settings and compared record by record.
struct ZoneDiffSettings {
    /// Time between runs; 0 = off (the default).
    std::chrono::milliseconds interval{0};
    /// Per-read time-out of each transfer (as `nswatch diff`'s).
    std::chrono::milliseconds timeout{10000};
    /// Keep each provider's copy between runs and bring it up to date by IXFR (AXFR when the
    /// provider does not offer it). Costs the copies' memory; off = AXFR every run.
    bool ixfr = true;

    /// Runs at all.
    bool enabled() const { return interval.count() > 0; }
    bool operator==(const ZoneDiffSettings&) const = default;
};

/// A provider's transfer settings (providers[].transfer).
struct ProviderTransfer {
    /// Provider name (ProviderConfig::name).
    std::string provider;
    /// Where and how.
    TransferSettings transfer;

    bool operator==(const ProviderTransfer&) const = default;
};

}  // namespace nswatch
