#include "prober/axfr.hpp"

#include <ldns/ldns.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "dns/rr_types.hpp"
#include "dns/transfer_record.hpp"

namespace nswatch {

namespace {

struct ResolverFree {
    void operator()(ldns_resolver* r) const { ldns_resolver_deep_free(r); }
};
struct RdfFree {
    void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
struct RrFree {
    void operator()(ldns_rr* r) const { ldns_rr_free(r); }
};

// An A or AAAA rdf from an address literal, nullptr when it is neither.
ldns_rdf* address_rdf(const std::string& text) {
    ldns_rdf* r = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, text.c_str());
    return r != nullptr ? r : ldns_rdf_new_frm_str(LDNS_RDF_TYPE_AAAA, text.c_str());
}

std::string where(const TransferSource& s) {
    return s.server + " port " + std::to_string(s.port);
}

// Why a server refused a transfer we signed or should have signed, from the TSIG record of its
// reply (RFC 8945 §5.3: the error field; BIND puts BADSIG/BADKEY/BADTIME there with NOTAUTH).
std::string tsig_error_text(const ldns_pkt* reply, bool signed_request) {
    const ldns_rr* tsig = ldns_pkt_tsig(reply);
    if (tsig != nullptr && ldns_rr_rd_count(tsig) > 5 && ldns_rr_rdf(tsig, 5) != nullptr &&
        ldns_rdf_size(ldns_rr_rdf(tsig, 5)) == 2) {
        switch (ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5))) {
            case 16:
                return " (TSIG BADSIG: the server's secret or algorithm for the key differs)";
            case 17:
                return " (TSIG BADKEY: the server does not know the key name)";
            case 18:
                return " (TSIG BADTIME: the clocks differ by more than the fudge)";
            default:
                break;
        }
    }
    if (ldns_pkt_get_rcode(reply) == LDNS_RCODE_REFUSED && !signed_request) {
        return " (not allowed from this address; the server may want a TSIG key)";
    }
    return "";
}

}  // namespace

size_t transfer_zone(const std::string& zone, const TransferSource& source,
                     const std::function<void(Record&&)>& on_record) {
    // ldns_resolver_deep_free does not free the source address: it must outlive the resolver.
    std::unique_ptr<ldns_rdf, RdfFree> local;
    if (!source.source.empty()) {
        local.reset(address_rdf(source.source.c_str()));
        if (!local) throw std::runtime_error("'" + source.source + "' is not an IP address");
    }
    std::unique_ptr<ldns_resolver, ResolverFree> res(ldns_resolver_new());
    if (!res) throw std::runtime_error("out of memory");
    std::unique_ptr<ldns_rdf, RdfFree> server(address_rdf(source.server.c_str()));
    if (!server) throw std::runtime_error("'" + source.server + "' is not an IP address");
    if (ldns_resolver_push_nameserver(res.get(), server.get()) != LDNS_STATUS_OK) {
        throw std::runtime_error("cannot use server " + source.server);
    }
    ldns_resolver_set_port(res.get(), source.port);
    if (local) ldns_resolver_set_source(res.get(), local.get());
    const auto ms = source.timeout.count();
    ldns_resolver_set_timeout(res.get(), timeval{static_cast<time_t>(ms / 1000),
                                                 static_cast<suseconds_t>((ms % 1000) * 1000)});
    ldns_resolver_set_retry(res.get(), 1);
    if (source.key) {
        ldns_resolver_set_tsig_keyname(res.get(), (source.key->name + ".").c_str());
        ldns_resolver_set_tsig_keydata(res.get(), source.key->secret.c_str());
        ldns_resolver_set_tsig_algorithm(res.get(), (source.key->algorithm + ".").c_str());
    }
    std::unique_ptr<ldns_rdf, RdfFree> name(ldns_dname_new_frm_str(zone.c_str()));
    if (!name) throw std::runtime_error("'" + zone + "' is not a domain name");
    const ldns_status st = ldns_axfr_start(res.get(), name.get(), LDNS_RR_CLASS_IN);
    if (st != LDNS_STATUS_OK) {
        throw TransferError(
            "AXFR of " + zone + " from " + where(source) + ": " + ldns_get_errorstr_by_id(st),
            TransferError::Stage::start, std::nullopt, 0);
    }
    size_t count = 0;
    bool soa_seen = false;
    while (std::unique_ptr<ldns_rr, RrFree> rr{ldns_axfr_next(res.get())}) {
        if (ldns_rr_get_type(rr.get()) == LDNS_RR_TYPE_SOA) {
            if (soa_seen) continue;  // the closing SOA repeats the opening one
            soa_seen = true;
        }
        try {
            on_record(transfer_record(rr.get()));
        } catch (...) {
            ldns_axfr_abort(res.get());  // closes the connection
            throw;
        }
        ++count;
    }
    if (!ldns_axfr_complete(res.get())) {
        std::string why = "the transfer ended early (timed out, refused, or connection closed)";
        std::optional<int> rcode;
        if (const ldns_pkt* last = ldns_axfr_last_pkt(res.get())) {
            if (ldns_pkt_get_rcode(last) != LDNS_RCODE_NOERROR) {
                rcode = static_cast<int>(ldns_pkt_get_rcode(last));
                why = "the server answered " + rcode_name(*rcode) +
                      tsig_error_text(last, source.key.has_value());
            }
        }
        ldns_axfr_abort(res.get());
        throw TransferError("AXFR of " + zone + " from " + where(source) + ": " + why + " after " +
                                std::to_string(count) + " records",
                            TransferError::Stage::transfer, rcode, count);
    }
    return count;
}

}  // namespace nswatch
