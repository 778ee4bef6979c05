// The words for an address's state and the exit code of a zone, shared by every surface that
// shows them: `check`, `status --db`, `status --from`, /api/v1/status, the status page. The same
// state reads the same everywhere, and `status` exits as `check` would for it.
//
//   unknown             no evidence yet (the daemon just started, or nothing was probed)
//   down: timeout       not answering; the word after "down:" is the last outcome
//   last probe: refused answering (health up) but its newest probe failed
//   current             answers the zone's reference serial
//   behind 3            answers a serial 3 versions older (RFC 1982)
//   ahead of primary    answers a serial newer than the configured primary's
//   serial undefined    its serial cannot be ordered against the reference (RFC 1982)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dns/probe_result.hpp"
#include "monitor/check_verdict.hpp"
#include "monitor/serial_round.hpp"

namespace nswatch {

/// One address as a surface knows it.
struct AddressView {
    std::string provider;        ///< provider it belongs to
    bool known = true;           ///< false: no evidence yet
    bool answering = true;       ///< health up (live views) or last probe ok (history)
    Outcome last = Outcome::ok;  ///< newest probe's outcome
    SerialState serial = SerialState::no_answer;  ///< against the zone's reference serial
    uint32_t behind_by = 0;                       ///< versions behind (serial == behind)
};

/// The state words listed above.
std::string state_text(const AddressView& a);

/// True when the state is worth a look (anything but "current").
bool is_problem(const AddressView& a);

/// The zone's exit status by the rules of `nswatch check` (monitor/check_verdict.hpp): CRITICAL
/// when a whole provider is down, a server is ahead of the primary or a serial is undefined;
/// WARNING when an address is down or its last probe failed, or a serial is behind; else OK.
/// Addresses without evidence count for nothing.
PluginStatus zone_status(const std::vector<AddressView>& addresses);

}  // namespace nswatch
