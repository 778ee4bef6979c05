// The zone's key sets (DNSKEY, CDS, CDNSKEY) compared across providers, told per provider and key
// (RFC 8901 §4): a multi-signer provider that dropped the other signer's ZSK breaks validation
// for every resolver that caches its DNSKEY set with the other provider's signatures, and a CDS
// set that differs sends the parent's key roll astray. Read from the answer comparisons (pure).
// Such a difference is the keyset_mismatch condition, not answer_mismatch: a key set that can be
// told by key is taken out of the answer differences (keyset_free_comparisons).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "monitor/answers.hpp"

namespace nswatch {

/// A key another provider serves that this one does not.
struct MissingKey {
    std::string key;                     ///< "60485/13": key tag / algorithm
    std::vector<std::string> served_by;  ///< the providers that serve it, sorted

    bool operator==(const MissingKey&) const = default;
};

/// One provider's key set of one type, as its addresses serve it.
struct ProviderKeyset {
    std::string provider;
    std::string name;                 ///< owner, canonical ("shop.test.")
    uint16_t type = 0;                ///< DNSKEY, CDS, CDNSKEY (or DS when watched)
    std::vector<std::string> keys;    ///< "tag/alg" it serves, sorted (all its addresses)
    std::vector<MissingKey> missing;  ///< keys served elsewhere that some address of it lacks

    bool operator==(const ProviderKeyset&) const = default;
};

/// Every provider's key set for each key-type comparison whose records all name a key, in
/// comparison order then by provider. A comparison with a record that does not parse as a key is
/// left to answer_mismatch (shown record by record).
std::vector<ProviderKeyset> provider_keysets(const std::vector<AnswerComparison>& comparisons);

/// The comparisons without the key sets that provider_keysets tells by key: what answer_mismatch
/// judges.
std::vector<AnswerComparison> keyset_free_comparisons(
    const std::vector<AnswerComparison>& comparisons);

/// "[beta] DNSKEY lacks 60485/13 (served by alpha, gamma)"; empty when nothing is missing.
std::string describe(const ProviderKeyset& k);

}  // namespace nswatch
