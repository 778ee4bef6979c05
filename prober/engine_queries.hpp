// The wire-format queries ProbeEngine sends, built without a whole ldns packet per probe.
//
// IMPLEMENTATION NOTES
// - ldns builds one template per question shape (type, RD, EDNS fields and options: everything but
//   the name) for the root name, and keeps it. A probe's query is that template with the root
//   name's single zero octet replaced by the name in wire format, which ldns also produces
//   (ldns_dname_new_frm_str); the ID is patched in. A query holds one name, uncompressed, and the
//   OPT record's owner is the root, so nothing in the template points into the question: the
//   splice gives the same octets as building the whole packet (tests/unit/engine_queries_test.cpp
//   compares them). A whole packet per probe cost more than a tenth of the sweep benchmark's CPU
//   when every probe asks another zone (a cache by name missed every time).
// - The name's wire form is kept in a small cache (kNameSlots entries, one per hash of the name,
//   the last name of that hash): a name is usually asked of several addresses one after the other
//   (a zone's SOA of each nameserver, a reference question of each provider), and ldns allocates
//   twice for each conversion. A miss costs a hash and a copy more than the conversion.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

class QueryBuilder {
  public:
    /// The query for `q` with ID `id`, valid until the next call. Throws std::invalid_argument for
    /// a name ldns cannot parse (as build_query does).
    const std::vector<uint8_t>& bytes(const Query& q, uint16_t id);
    /// The question's name in wire form within the query last built (after the 12-octet header).
    std::span<const uint8_t> last_name() const {
        return {wire_.data() + kHeaderSize, last_name_size_};
    }
    static constexpr size_t kHeaderSize = 12;

  private:
    /// Shapes seen; emptied when full (a daemon asks a handful of shapes).
    static constexpr size_t kTemplatesMax = 256;
    std::unordered_map<std::string, std::vector<uint8_t>> templates_;
    /// The wire form of a name, parsed by ldns.
    std::span<const uint8_t> name_wire(const std::string& name);
    struct NameSlot {
        std::string text;  ///< as asked (empty: never used; "" is asked as ".", never kept empty)
        std::vector<uint8_t> wire;
    };
    static constexpr size_t kNameSlots = 64;
    std::vector<NameSlot> names_ = std::vector<NameSlot>(kNameSlots);
    std::string key_;            ///< scratch key (capacity reused)
    std::vector<uint8_t> wire_;  ///< the query last built (capacity reused)
    size_t last_name_size_ = 0;
};

}  // namespace nswatch
