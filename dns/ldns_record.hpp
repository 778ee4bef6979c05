// A Record (owner, type, TTL, presentation RDATA, as ProbeResult keeps it) turned back into an
// ldns_rr, for the checks that ldns does on records (signatures, denial of existence), and
// owning pointers for ldns's records and lists.
#pragma once

#include <memory>

#include "dns/probe_result.hpp"

// After the standard headers: ldns's headers define `bool` and `false` for C.
#include <ldns/ldns.h>

namespace nswatch {

struct LdnsRrFree {
    void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
struct LdnsListDeepFree {  // frees the list and its records
    void operator()(ldns_rr_list* l) const { ldns_rr_list_deep_free(l); }
};
struct LdnsListFree {  // frees the list only: its records belong to another list
    void operator()(ldns_rr_list* l) const { ldns_rr_list_free(l); }
};
using LdnsRrPtr = std::unique_ptr<ldns_rr, LdnsRrFree>;
using LdnsOwnedList = std::unique_ptr<ldns_rr_list, LdnsListDeepFree>;
using LdnsBorrowedList = std::unique_ptr<ldns_rr_list, LdnsListFree>;

/// The record as ldns parses its presentation form; null when it does not parse (a record the
/// server sent that ldns printed but cannot read back is treated as absent).
LdnsRrPtr to_ldns(const Record& r);

}  // namespace nswatch
