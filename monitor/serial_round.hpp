// One round of SOA probes judged with RFC 1982 serial arithmetic: which address is current,
// which is behind (and by how much), which secondary is ahead of the primary, which did not answer.
// Pure: takes ProbeResult values, returns values. No I/O, no clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

/// Where one probed address stands against the round's reference serial.
enum class SerialState : uint8_t {
    current,           ///< answered the reference serial
    behind,            ///< answered an older serial (RFC 1982): lag
    ahead_of_primary,  ///< answered a newer serial than the named primary (CONS-SERIAL: ERROR)
    undefined,         ///< answered, but its serial cannot be ordered against the reference
    no_answer,         ///< no SOA came back (timeout, refused, servfail, ...): never counted as lag
};

std::string_view to_string(SerialState s);

/// Where an answered serial stands against the zone's reference: the primary's serial when the
/// zone has a named primary that answered (`primary_reference`), else the newest. One rule for the
/// daemon's zone state (and so /metrics, alerts, the status page) and `status --db`.
struct SerialVerdict {
    SerialState state = SerialState::undefined;
    uint32_t behind_by = 0;  ///< versions behind the reference (state behind)
};
SerialVerdict judge_serial(uint32_t serial, std::optional<uint32_t> reference,
                           bool primary_reference);

/// Which serial the states of a round were measured against.
enum class SerialReference {
    none,     ///< nothing to compare with: no answers, or answers without an RFC 1982 maximum
    newest,   ///< the newest serial among all answers
    primary,  ///< the serial of the named primary nameserver
};

std::string_view to_string(SerialReference r);

/// The verdict for one ProbeResult of the round.
struct AddressSerialState {
    Target target;                               ///< who was probed (copied from the result)
    SerialState state = SerialState::no_answer;  ///< where it stands against the reference
    std::optional<uint32_t> serial;              ///< the serial it answered, nullopt for no_answer
    uint32_t behind_by = 0;  ///< RFC 1982 distance to the reference when behind, else 0
};

/// Per-provider counts over the round. Counts are per result: an address probed over UDP and TCP
/// in the same round counts twice.
struct ProviderSerialSummary {
    std::string provider;                ///< Target::provider of the results counted here
    size_t results = 0;                  ///< results of this provider in the round
    size_t current = 0;                  ///< results in state current
    size_t behind = 0;                   ///< results in state behind
    size_t ahead_of_primary = 0;         ///< results in state ahead_of_primary
    size_t undefined = 0;                ///< results in state undefined
    size_t no_answer = 0;                ///< results in state no_answer
    std::optional<uint32_t> min_serial;  ///< oldest answered serial (RFC 1982), if ordered
    uint32_t max_behind_by = 0;          ///< largest behind_by among this provider's results
};

/// The judgement of one round of SOA probes.
struct SerialRound {
    std::optional<uint32_t> newest;  ///< newest answered serial; nullopt if none or no maximum
    std::optional<uint32_t> primary_serial;  ///< the named primary's newest answered serial, if any
    SerialReference reference_kind = SerialReference::none;  ///< what `reference` is
    std::optional<uint32_t> reference;             ///< the serial the states were measured against
    std::vector<AddressSerialState> addresses;     ///< one per input result, in input order
    std::vector<ProviderSerialSummary> providers;  ///< one per distinct provider, sorted by name
};

/// Judge one round. A result counts as answered when its outcome is ok and it carries an SOA.
/// When `primary_nameserver` is given (case and trailing dot ignored) and the primary answered, its
/// serial is the reference: older serials are behind, newer ones are ahead_of_primary. Otherwise
/// the newest answered serial is the reference and nothing can be ahead. When neither reference
/// exists (no answers, or answers with no RFC 1982 maximum), every answered result is undefined.
SerialRound evaluate_serial_round(
    const std::vector<ProbeResult>& results,
    std::optional<std::string_view> primary_nameserver = std::nullopt);

/// Providers with at least one result behind the reference, sorted by name. Providers that only
/// failed to answer are not lagging: a frozen or unreachable server is reported as no_answer.
std::vector<std::string> lagging_providers(const SerialRound& round);

}  // namespace nswatch
