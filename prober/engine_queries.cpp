#include "prober/engine_queries.hpp"

#include <ldns/ldns.h>

#include <memory>
#include <stdexcept>

#include "prober/query.hpp"

namespace nswatch {

namespace {

struct RdfFree {
    void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};

}  // namespace

std::span<const uint8_t> QueryBuilder::name_wire(const std::string& name) {
    NameSlot& slot = names_[std::hash<std::string>()(name) % kNameSlots];
    if (slot.text != name) {
        std::unique_ptr<ldns_rdf, RdfFree> rdf(ldns_dname_new_frm_str(name.c_str()));
        if (!rdf) throw std::invalid_argument("not a valid domain name: '" + name + "'");
        const uint8_t* data = ldns_rdf_data(rdf.get());
        slot.wire.assign(data, data + ldns_rdf_size(rdf.get()));
        slot.text = name;
    }
    return slot.wire;
}

const std::vector<uint8_t>& QueryBuilder::bytes(const Query& q, uint16_t id) {
    key_.clear();
    key_.push_back(static_cast<char>(q.type >> 8));
    key_.push_back(static_cast<char>(q.type & 0xff));
    key_.push_back(static_cast<char>(q.edns_buffer_size >> 8));
    key_.push_back(static_cast<char>(q.edns_buffer_size & 0xff));
    key_.push_back(static_cast<char>((q.recursion_desired ? 1 : 0) | (q.edns ? 2 : 0) |
                                     (q.nsid ? 4 : 0) | (q.dnssec_ok ? 8 : 0)));
    // Every field build_query reads except the name is in the key: the EDNS probes differ from the
    // plain SOA query only in these.
    key_.push_back(static_cast<char>(q.edns_version));
    for (const auto& o : q.edns_options) {
        key_.push_back(static_cast<char>(o.code >> 8));
        key_.push_back(static_cast<char>(o.code & 0xff));
        key_.push_back(static_cast<char>(o.data.size() >> 8));
        key_.push_back(static_cast<char>(o.data.size() & 0xff));
        key_.append(o.data.begin(), o.data.end());
    }
    auto it = templates_.find(key_);
    if (it == templates_.end()) {
        Query root = q;
        root.name = ".";
        std::vector<uint8_t> wire = build_query(root, 0);
        if (wire.size() <= kHeaderSize || wire[kHeaderSize] != 0)
            throw std::runtime_error("ldns built a query template without the root question");
        if (templates_.size() >= kTemplatesMax) templates_.clear();
        it = templates_.emplace(key_, std::move(wire)).first;
    }
    const std::vector<uint8_t>& tpl = it->second;

    // A reference to the name asked, not a copy (a copy allocates for names over 15 octets).
    static const std::string root = ".";
    const std::span<const uint8_t> name = name_wire(q.name.empty() ? root : q.name);
    const size_t name_size = name.size();

    wire_.clear();
    wire_.reserve(tpl.size() - 1 + name_size);
    wire_.insert(wire_.end(), tpl.begin(), tpl.begin() + kHeaderSize);
    wire_.insert(wire_.end(), name.begin(), name.end());
    wire_.insert(wire_.end(), tpl.begin() + kHeaderSize + 1, tpl.end());
    wire_[0] = static_cast<uint8_t>(id >> 8);
    wire_[1] = static_cast<uint8_t>(id & 0xff);
    last_name_size_ = name_size;
    return wire_;
}

}  // namespace nswatch
