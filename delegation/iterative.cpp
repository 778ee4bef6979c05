#include "delegation/iterative.hpp"

#include <algorithm>
#include <set>

#include "dns/dns_name.hpp"
#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

bool is_v6(const std::string& a) {
    return a.find(':') != std::string::npos;
}

// The deepest NS owner in the authority section that is an ancestor of (or equal to) `name` and
// deeper than the zone we asked: a referral toward `name`.
std::optional<Referral> referral_in(const ProbeResult& r, const std::string& name,
                                    const std::string& current_cut) {
    std::string cut;
    for (const auto& rec : r.authority) {
        if (rec.type != kTypeNs) continue;
        const std::string owner = canonical_name(rec.owner);
        if (!in_bailiwick(name, owner) || !in_bailiwick(owner, current_cut) ||
            owner == current_cut) {
            continue;
        }
        if (cut.empty() || label_count(owner) > label_count(cut)) cut = owner;
    }
    if (cut.empty()) return std::nullopt;
    Referral ref;
    ref.cut = cut;
    ref.parent = current_cut;
    ref.server = r.target.address;
    for (const auto& rec : r.authority) {
        if (rec.type == kTypeNs && canonical_name(rec.owner) == cut) {
            ref.ns_names.push_back(canonical_name(rec.rdata));
            ref.ns_ttl = rec.ttl;
        }
    }
    std::sort(ref.ns_names.begin(), ref.ns_names.end());
    ref.ns_names.erase(std::unique(ref.ns_names.begin(), ref.ns_names.end()), ref.ns_names.end());
    for (const auto& rec : r.additional) {
        if (rec.type != kTypeA && rec.type != kTypeAaaa) continue;
        const std::string owner = canonical_name(rec.owner);
        if (std::find(ref.ns_names.begin(), ref.ns_names.end(), owner) != ref.ns_names.end()) {
            ref.glue[owner].push_back(rec.rdata);
        }
    }
    return ref;
}

}  // namespace

IterativeResolver::IterativeResolver(ProbeEngine& engine, std::vector<RootServer> hints,
                                     ResolverOptions options)
    : engine_(engine), options_(std::move(options)) {
    std::vector<std::string> roots;
    for (const auto& h : hints) {
        for (const auto& a : h.addresses) roots.push_back(a);
    }
    cuts_["."] = roots;
}

ProbeResult IterativeResolver::ask(const std::vector<std::string>& servers, const std::string& name,
                                   uint16_t type) {
    ProbeResult last;
    last.outcome = Outcome::network_error;
    last.detail = "no server address to ask";
    std::vector<std::string> ordered;
    for (const auto& s : servers) {
        if (!is_v6(s)) ordered.push_back(s);
    }
    if (options_.ipv6) {
        for (const auto& s : servers) {
            if (is_v6(s)) ordered.push_back(s);
        }
    }
    for (const auto& server : ordered) {
        if (silent_.count(server)) continue;
        if (queries_ >= options_.max_queries) {
            last.detail = "query budget exhausted (" + std::to_string(options_.max_queries) + ")";
            break;
        }
        ++queries_;
        ProbeRequest req;
        req.target.address = server;
        req.target.port = options_.port;
        req.target.family = is_v6(server) ? Family::ipv6 : Family::ipv4;
        req.target.vantage = options_.vantage;
        req.query.name = name;
        req.query.type = type;
        req.query.nsid = false;
        req.timeout = options_.timeout;
        ProbeResult got;
        // A truncated UDP reply is followed by its TCP retry: keep the last result.
        for (auto& r : engine_.run_batch({req})) got = std::move(r);
        if (got.answered() && got.outcome != Outcome::malformed &&
            got.outcome != Outcome::refused && got.outcome != Outcome::servfail &&
            got.outcome != Outcome::formerr && got.outcome != Outcome::truncated) {
            return got;
        }
        if (got.outcome == Outcome::timeout) silent_.insert(server);
        last = std::move(got);
    }
    return last;
}

std::string IterativeResolver::closest_cut(const std::string& name) const {
    std::string best = ".";
    for (const auto& [cut, servers] : cuts_) {
        if (!servers.empty() && in_bailiwick(name, cut) && label_count(cut) > label_count(best)) {
            best = cut;
        }
    }
    return best;
}

std::vector<std::string> IterativeResolver::servers_for(const Referral& r, int depth) {
    std::vector<std::string> out;
    for (const auto& ns : r.ns_names) {
        auto g = r.glue.find(ns);
        if (g != r.glue.end()) out.insert(out.end(), g->second.begin(), g->second.end());
    }
    if (!out.empty()) return out;
    // No glue (out-of-bailiwick NS names): resolve the names, stopping at the first that works.
    for (const auto& ns : r.ns_names) {
        if (in_bailiwick(ns, r.cut)) continue;  // would need the glue we do not have
        for (uint16_t type : {kTypeA, kTypeAaaa}) {
            if (type == kTypeAaaa && !options_.ipv6) continue;
            Resolution res = walk(ns, type, depth + 1, nullptr, "");
            for (const auto& rec : res.answer) {
                if (rec.type == type) out.push_back(rec.rdata);
            }
        }
        if (!out.empty()) break;
    }
    return out;
}

Resolution IterativeResolver::walk(const std::string& qname, uint16_t type, int depth,
                                   std::optional<Referral>* parent_of, const std::string& stop_at) {
    Resolution res;
    if (depth > options_.max_depth) {
        res.error = "resolution of " + qname + " nested too deep (max " +
                    std::to_string(options_.max_depth) + ")";
        return res;
    }
    std::string name = canonical_name(qname);
    std::string cut = closest_cut(name);
    // When looking for the parent of `stop_at`, the cut for stop_at itself may be cached: start
    // above it so that the parent's referral is seen again.
    if (!stop_at.empty() && cut == stop_at) {
        cut = ".";
        for (const auto& [c, servers] : cuts_) {
            if (c != stop_at && in_bailiwick(stop_at, c) && label_count(c) > label_count(cut)) {
                cut = c;
            }
        }
    }
    std::set<std::string> seen_cuts;
    for (int step = 0; step < 32; ++step) {
        if (!seen_cuts.insert(cut).second) {
            res.error = "referral loop at " + cut;
            return res;
        }
        ProbeResult r = ask(cuts_[cut], name, type);
        // ask() returns a refusal or SERVFAIL only when every server of the cut gave one: nobody
        // answered the question, which is not the parent saying anything about the name.
        if (!r.answered() || r.outcome == Outcome::malformed || r.outcome == Outcome::refused ||
            r.outcome == Outcome::servfail || r.outcome == Outcome::formerr ||
            r.outcome == Outcome::truncated) {
            res.error = "no server of zone '" + cut + "' answered for " + name +
                        " (last: " + std::string(to_string(r.outcome)) +
                        (r.detail.empty() ? "" : ", " + r.detail) + ")";
            return res;
        }
        res.rcode = r.rcode;
        res.server = r.target.address;
        res.zone = cut;
        if (r.rcode == 3) return res;  // NXDOMAIN: an answer, not an error
        bool found = false;
        std::string alias;
        for (const auto& rec : r.answer) {
            if (canonical_name(rec.owner) != name) continue;
            if (rec.type == type) {
                res.answer.push_back(rec);
                found = true;
            } else if (rec.type == kTypeCname) {
                alias = canonical_name(rec.rdata);
            }
        }
        if (found) {
            if (parent_of != nullptr && type == kTypeNs && name == stop_at && r.aa) {
                // The parent's server is authoritative for the child as well: its NS answer is all
                // the parent side we can see.
                Referral ref;
                ref.cut = name;
                ref.parent = cut;
                ref.server = r.target.address;
                ref.authoritative_answer = true;
                for (const auto& rec : res.answer)
                    ref.ns_names.push_back(canonical_name(rec.rdata));
                std::sort(ref.ns_names.begin(), ref.ns_names.end());
                *parent_of = ref;
            }
            return res;
        }
        if (!alias.empty()) {
            Resolution next = walk(alias, type, depth + 1, nullptr, "");
            next.via_cname = true;
            return next;
        }
        auto ref = referral_in(r, name, cut);
        if (ref) {
            if (parent_of != nullptr && ref->cut == stop_at) {
                *parent_of = *ref;
                return res;
            }
            std::vector<std::string> servers = servers_for(*ref, depth);
            if (servers.empty()) {
                res.error = "referral to '" + ref->cut + "' from " + r.target.address +
                            " has no usable nameserver address";
                return res;
            }
            cuts_[ref->cut] = servers;
            cut = ref->cut;
            continue;
        }
        if (r.aa) {
            res.nodata = r.rcode == 0;  // NOERROR, no data
            return res;
        }
        res.error = "lame or upward referral from " + r.target.address + " (zone '" + cut +
                    "') for " + name;
        return res;
    }
    res.error = "too many referrals for " + name;
    return res;
}

Resolution IterativeResolver::resolve(const std::string& name, uint16_t type) {
    return walk(name, type, 0, nullptr, "");
}

std::optional<Referral> IterativeResolver::parent_referral(const std::string& zone,
                                                           NoReferral& why) {
    std::optional<Referral> parent;
    const std::string z = canonical_name(zone);
    Resolution res = walk(z, kTypeNs, 0, &parent, z);
    if (parent) return parent;
    why = NoReferral{};
    const std::string who = "the parent's server " + res.server + " (zone '" + res.zone + "')";
    if (!res.error.empty()) {
        why.error = res.error;
    } else if (res.rcode == 3) {
        why.kind = NoReferral::Kind::nxdomain;
        why.error = who + " answers NXDOMAIN: " + z + " does not exist";
    } else if (res.nodata) {
        why.kind = NoReferral::Kind::nodata;
        why.error = who + " answers NODATA for " + z + " NS: there is no delegation";
    } else {
        why.error = "no delegation for " + z + " found: it is not a zone cut";
    }
    if (why.parent_said_so()) {
        why.server = res.server;
        why.zone = res.zone;
    }
    return std::nullopt;
}

std::vector<std::string> IterativeResolver::addresses_of(const std::string& host,
                                                         std::string& error, bool& cname) {
    std::vector<std::string> out;
    cname = false;
    std::string errors;
    for (uint16_t type : {kTypeA, kTypeAaaa}) {
        if (type == kTypeAaaa && !options_.ipv6) continue;
        Resolution res = resolve(host, type);
        cname = cname || res.via_cname;
        if (!res.error.empty()) errors += (errors.empty() ? "" : "; ") + res.error;
        if (res.rcode == 3) errors += (errors.empty() ? "" : "; ") + host + " does not exist";
        for (const auto& rec : res.answer) {
            if (rec.type == type) out.push_back(rec.rdata);
        }
    }
    if (out.empty()) error = errors.empty() ? host + " has no A or AAAA record" : errors;
    return out;
}

}  // namespace nswatch
