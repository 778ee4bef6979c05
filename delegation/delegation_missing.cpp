#include "delegation/delegation_missing.hpp"

namespace nswatch {

std::string_view to_string(MissingReason r) {
    switch (r) {
        case MissingReason::none:
            return "none";
        case MissingReason::parent_nxdomain:
            return "parent_nxdomain";
        case MissingReason::parent_nodata:
            return "parent_nodata";
        case MissingReason::ns_without_address:
            return "ns_without_address";
        case MissingReason::servers_lame:
            return "servers_lame";
    }
    return "none";
}

MissingReason missing_reason_from_string(std::string_view s) {
    for (auto r : {MissingReason::parent_nxdomain, MissingReason::parent_nodata,
                   MissingReason::ns_without_address, MissingReason::servers_lame}) {
        if (to_string(r) == s) return r;
    }
    return MissingReason::none;
}

}  // namespace nswatch
