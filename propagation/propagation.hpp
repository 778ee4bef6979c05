// A propagation run: after a NOTIFY (or the first sighting of a newer serial), every address of a
// zone is probed at a fast cadence until it serves the new serial or a deadline passes. This is
// the pure state machine: it says which addresses are due (given `now`), takes probe results, and
// reports per address and per provider how long the new serial took. No clock, no I/O.
//
// IMPLEMENTATION NOTES
// - Cadence: an address is probed `first_interval` after its previous probe was sent, the gap
//   growing by `backoff` each time up to `max_interval`: fast while a transfer is likely to land,
//   cheap when a provider is slow. Never two probes to one address in flight.
// - An address "serves the new serial" from the send time of the first probe whose answer carries
//   it (or a newer one, RFC 1982). The true moment lies between the previous probe's send time
//   and that one; both are kept, so the reported seconds have a known uncertainty.
// - Without a serial in the NOTIFY, the first serial newer than `baseline` seen from any address
//   becomes the target.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

using PropagationClock = std::chrono::system_clock;
using PropagationTime = PropagationClock::time_point;

struct PropagationSettings {
    /// Gap before the second probe of an address.
    std::chrono::milliseconds first_interval{250};
    /// The gap grows up to this (the daemon uses its normal probe interval).
    std::chrono::milliseconds max_interval{10000};
    /// Growth factor of the gap after each probe that still shows the old serial.
    double backoff = 1.5;
    /// A run not complete this long after its start is over, incomplete.
    std::chrono::milliseconds deadline{std::chrono::minutes(10)};
};

/// One address's progress in a run.
struct AddressPropagation {
    Target target;                            ///< the address probed (UDP, SOA)
    std::optional<PropagationTime> served;    ///< send time of the first probe with the new serial
    std::optional<PropagationTime> last_old;  ///< send time of the last probe without it
    std::optional<uint32_t> last_serial;      ///< the serial in the last answer
    int probes = 0;                           ///< probes sent in this run
    /// Seconds from the run's start to `served`, if served.
    std::optional<double> seconds(PropagationTime started) const;
};

/// A provider's addresses together: done when the last of them serves the new serial.
struct ProviderPropagation {
    std::string provider;           ///< provider name
    std::string vantage;            ///< vantage the probes left from
    size_t addresses = 0;           ///< addresses of this provider in the run
    size_t served = 0;              ///< of which serve the new serial
    std::optional<double> seconds;  ///< slowest address, once all are served
    std::string slowest_address;    ///< the address that took longest (or a laggard)
};

class PropagationRun {
  public:
    /// `serial`: the new serial if known (from the NOTIFY); else the first serial newer than
    /// `baseline` becomes it. `trigger` is "notify" or "poll", for reports.
    PropagationRun(std::string zone, std::optional<uint32_t> serial,
                   std::optional<uint32_t> baseline, PropagationTime started, std::string trigger,
                   std::vector<Target> targets, PropagationSettings settings);

    /// Addresses to probe now; each is marked in flight until its result is observed.
    std::vector<Target> due(PropagationTime now);
    /// Feed the result of a probe returned by due().
    void observe(const ProbeResult& result);
    /// When due() next has something (or the deadline, whichever is first).
    PropagationTime next_wakeup() const;
    /// Every address serves the new serial.
    bool complete() const;
    /// Complete, or past the deadline at `now`.
    bool finished(PropagationTime now) const;
    /// Providers that became complete since the last call (each reported once).
    std::vector<ProviderPropagation> take_completed_providers();
    /// Per provider (sorted by name).
    std::vector<ProviderPropagation> providers() const;

    const std::string& zone() const { return zone_; }
    std::optional<uint32_t> serial() const { return serial_; }
    PropagationTime started() const { return started_; }
    const std::string& trigger() const { return trigger_; }
    const std::vector<AddressPropagation>& addresses() const { return addresses_; }

  private:
    struct Schedule {
        PropagationTime next{};
        std::chrono::milliseconds gap{0};
        bool in_flight = false;
    };
    AddressPropagation* find(const Target& t);

    std::string zone_;
    std::optional<uint32_t> serial_;
    std::optional<uint32_t> baseline_;
    PropagationTime started_;
    std::string trigger_;
    PropagationSettings settings_;
    std::vector<AddressPropagation> addresses_;
    std::vector<Schedule> schedule_;
    std::vector<std::string> reported_providers_;
};

}  // namespace nswatch
