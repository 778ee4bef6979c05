// A small iterative resolver: from the root hints down the referral chain, RD=0, no system
// resolver (during an attack the monitor must not depend on what is under attack).
//
// IMPLEMENTATION NOTES
// - Each step asks one server of the current zone cut and moves on to the next on a timeout or an
//   unusable reply; IPv4 addresses are tried before IPv6 ones.
// - Zone cuts learned from referrals are cached for the resolver's lifetime (one discovery run), so
//   resolving six NS names under one TLD walks the root once.
// - An address that timed out is not asked again by the same resolver: a dead provider costs one
//   timeout per address, not one per question.
// - Depth (CNAME chains and NS names without glue) and the total number of queries are bounded so
//   that a loop in someone's delegation ends with an error instead of a hang.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "delegation/root_hints.hpp"
#include "prober/engine.hpp"

namespace nswatch {

struct ResolverOptions {
    std::chrono::milliseconds timeout{1500};  ///< per query
    std::string vantage;                      ///< vantage the queries leave from ("" = default)
    bool ipv6 = true;                         ///< also query IPv6 server addresses
    int max_depth = 8;                        ///< nested resolutions (NS names, CNAMEs)
    int max_queries = 300;                    ///< per resolver lifetime, to bound the damage
    uint16_t port = 53;  ///< destination port of every query (a test server on loopback)
};

/// A referral as a parent zone's server gave it.
struct Referral {
    std::string cut;                                       ///< the delegated zone
    std::string parent;                                    ///< the zone of the server that referred
    std::string server;                                    ///< address that gave the referral
    std::vector<std::string> ns_names;                     ///< sorted, canonical
    uint32_t ns_ttl = 0;                                   ///< TTL of the NS RRset
    std::map<std::string, std::vector<std::string>> glue;  ///< NS name -> addresses (additional)
    bool authoritative_answer =
        false;  ///< the parent's server also serves the child (AA NS answer)
};

struct Resolution {
    int rcode = -1;              ///< final rcode, -1 when no server answered
    std::vector<Record> answer;  ///< records of the asked name/type (after following CNAMEs)
    bool via_cname = false;      ///< the name is an alias
    bool nodata = false;         ///< an authoritative NOERROR without the asked type
    std::string server;          ///< address that gave the final answer (NXDOMAIN, NODATA, data)
    std::string zone;            ///< the zone cut that server was asked as
    std::string error;           ///< why resolution failed, empty on success
    bool ok() const { return error.empty() && rcode == 0; }
};

/// Why parent_referral found no referral: the parent said so (NXDOMAIN, NODATA) or nobody could
/// be asked (timeouts, network errors, SERVFAIL, lame parents, loops).
struct NoReferral {
    enum class Kind { unreachable, nxdomain, nodata };
    Kind kind = Kind::unreachable;
    std::string server;  ///< address of the parent's server that said so (nxdomain, nodata)
    std::string zone;    ///< the zone it was asked as ("test")
    std::string error;   ///< one sentence
    bool parent_said_so() const { return kind != Kind::unreachable; }
};

class IterativeResolver {
  public:
    IterativeResolver(ProbeEngine& engine, std::vector<RootServer> hints, ResolverOptions options);

    /// Resolve `name`/`type` iteratively.
    Resolution resolve(const std::string& name, uint16_t type);

    /// Walk toward `zone` and return its parent's referral (parent-side NS set and glue), or
    /// nullopt with `why` set.
    std::optional<Referral> parent_referral(const std::string& zone, NoReferral& why);

    /// IPv4 then IPv6 addresses of a host name, resolved iteratively; `error` explains an empty
    /// result, `cname` says the name is an alias (not allowed for NS names, RFC 2181 §10.3).
    std::vector<std::string> addresses_of(const std::string& host, std::string& error, bool& cname);

    int queries_sent() const { return queries_; }

  private:
    ProbeResult ask(const std::vector<std::string>& servers, const std::string& name,
                    uint16_t type);
    std::vector<std::string> servers_for(const Referral& r, int depth);
    std::string closest_cut(const std::string& name) const;
    Resolution walk(const std::string& name, uint16_t type, int depth,
                    std::optional<Referral>* parent_of, const std::string& stop_at);

    ProbeEngine& engine_;
    ResolverOptions options_;
    std::map<std::string, std::vector<std::string>> cuts_;  ///< zone cut -> server addresses
    std::set<std::string> silent_;  ///< addresses that timed out once: not asked again
    int queries_ = 0;
};

}  // namespace nswatch
