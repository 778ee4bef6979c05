#include "alerts/zone_diff_rule.hpp"

#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

constexpr std::string_view kRule = "zone_diff_mismatch";

std::string serial_text(const std::optional<uint32_t>& s) {
    return s ? std::to_string(*s) : "?";
}

std::string record_text(const Record& r, const std::string& where) {
    return r.owner + " " + std::to_string(r.ttl) + " " + rr_type_name(r.type) + " " + r.rdata +
           " only at " + where;
}

std::string summary(const std::string& zone, const ZoneDiffPair& p) {
    std::string s = p.provider_b + "'s copy of " + zone + " differs from " + p.provider_a +
                    "'s in " + std::to_string(p.rrsets) + (p.rrsets == 1 ? " RRset" : " RRsets") +
                    " (serial " + serial_text(p.serial_a) + " at " + p.provider_a + ", " +
                    serial_text(p.serial_b) + " at " + p.provider_b + "): ";
    size_t named = 0;
    for (const auto& d : p.differences) {
        for (const auto* side : {&d.only_reference, &d.only_other}) {
            const std::string& where = side == &d.only_reference ? p.provider_a : p.provider_b;
            for (const auto& r : *side) {
                if (named == kZoneDiffRecordsNamed) break;
                s += (named++ == 0 ? "" : "; ") + record_text(r, where);
            }
        }
    }
    if (p.records > named) {
        const size_t more = p.records - named;
        s += "; and " + std::to_string(more) + (more == 1 ? " more record" : " more records");
    }
    return s;
}

}  // namespace

std::vector<Condition> zone_diff_conditions(const std::vector<ZoneDiffResult>& results,
                                            const AlertSettings& settings) {
    std::vector<Condition> out;
    for (const auto& result : results) {
        const RuleSettings rs = settings.rule_for(std::string(kRule), result.zone);
        if (!rs.enabled) continue;
        for (const auto& p : result.pairs) {
            if (!p.compared || p.rrsets == 0) continue;
            Condition c;
            c.rule = std::string(kRule);
            c.severity = rs.severity;
            c.labels = {
                {"zone", result.zone}, {"provider_a", p.provider_a}, {"provider_b", p.provider_b}};
            c.summary = summary(result.zone, p);
            c.for_ = rs.for_;
            out.push_back(std::move(c));
        }
    }
    return out;
}

}  // namespace nswatch
