// A record of a zone transfer (AXFR or IXFR) in the canonical form probe answers use: owner and
// the names in the rdata lower-cased (RFC 4034 §6.2), rdata as ldns prints it. Shared by
// prober/axfr.cpp and prober/ixfr.cpp; includes ldns, so only .cpp files include it.
#pragma once

#include "dns/probe_result.hpp"

// ldns/common.h #defines bool unless <stdbool.h> came first (see audit/axfr.cpp).
#include <stdbool.h>
// clang-format off
#include <ldns/ldns.h>
// clang-format on

namespace nswatch {

/// `rr` in canonical form (ldns_rr2canonical changes `rr` in place).
Record transfer_record(ldns_rr* rr);

}  // namespace nswatch
