// What changed in the watched answers between two rounds, per provider: "a change of any answer
// is recorded" (history) and logged. Pure: two comparisons (monitor/answers.hpp) in, changes out.
// A provider missing from either round (timeouts, not asked) is not a change: only answers
// actually given in both rounds are compared.
#pragma once

#include <string>
#include <vector>

#include "monitor/answers.hpp"

namespace nswatch {

/// One provider's answer to one question, before and after.
struct AnswerChange {
    std::string name;                 ///< owner asked, trailing dot
    uint16_t type = 0;                ///< RR type asked
    std::string provider;             ///< whose answer changed
    std::vector<std::string> before;  ///< records in the earlier round (sorted; TTL left out)
    std::vector<std::string> after;   ///< records in the later round
    int rcode_before = 0;             ///< rcode in the earlier round
    int rcode_after = 0;              ///< rcode in the later round

    bool operator==(const AnswerChange&) const = default;
};

/// Changes from `before` to `after`, sorted by name, type, provider. When a provider's servers
/// disagree among themselves, all their distinct answers are compared as one set.
std::vector<AnswerChange> answer_changes(const std::vector<AnswerComparison>& before,
                                         const std::vector<AnswerComparison>& after);

/// "www.shop.test. A at beta: 192.0.2.1 -> 192.0.2.2" (records joined with ", ", NXDOMAIN and
/// empty answers spelled out).
std::string describe(const AnswerChange& c);

}  // namespace nswatch
