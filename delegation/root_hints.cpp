#include "delegation/root_hints.hpp"

#include <ldns/ldns.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace nswatch {

namespace {

std::string lower_no_dot(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s.size() > 1 && s.back() == '.') s.pop_back();
    return s;
}

std::string rdf_text(const ldns_rdf* rdf) {
    char* s = ldns_rdf2str(rdf);
    std::string out = s ? s : "";
    std::free(s);
    return out;
}

}  // namespace

std::vector<RootServer> builtin_root_hints() {
    // From IANA's named.root (last change of an address: b.root-servers.net, November 2023).
    return {
        {"a.root-servers.net", {"198.41.0.4", "2001:503:ba3e::2:30"}},
        {"b.root-servers.net", {"170.247.170.2", "2801:1b8:10::b"}},
        {"c.root-servers.net", {"192.33.4.12", "2001:500:2::c"}},
        {"d.root-servers.net", {"199.7.91.13", "2001:500:2d::d"}},
        {"e.root-servers.net", {"192.203.230.10", "2001:500:a8::e"}},
        {"f.root-servers.net", {"192.5.5.241", "2001:500:2f::f"}},
        {"g.root-servers.net", {"192.112.36.4", "2001:500:12::d0d"}},
        {"h.root-servers.net", {"198.97.190.53", "2001:500:1::53"}},
        {"i.root-servers.net", {"192.36.148.17", "2001:7fe::53"}},
        {"j.root-servers.net", {"192.58.128.30", "2001:503:c27::2:30"}},
        {"k.root-servers.net", {"193.0.14.129", "2001:7fd::1"}},
        {"l.root-servers.net", {"199.7.83.42", "2001:500:9f::42"}},
        {"m.root-servers.net", {"202.12.27.33", "2001:dc3::35"}},
    };
}

std::vector<RootServer> parse_root_hints(std::string_view text, std::string_view source) {
    std::vector<std::string> ns_names;
    std::map<std::string, std::vector<std::string>> addresses;
    std::istringstream in{std::string(text)};
    std::string line;
    int line_no = 0;
    auto fail = [&](const std::string& why) {
        return std::runtime_error(std::string(source) + ":" + std::to_string(line_no) + ": " + why);
    };
    while (std::getline(in, line)) {
        ++line_no;
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == ';' || line[first] == '#') continue;
        ldns_rr* rr = nullptr;
        const ldns_status st = ldns_rr_new_frm_str(&rr, line.c_str(), 3600000, nullptr, nullptr);
        if (st != LDNS_STATUS_OK || rr == nullptr) {
            throw fail(std::string("not a resource record (") + ldns_get_errorstr_by_id(st) + ")");
        }
        const std::string owner = lower_no_dot(rdf_text(ldns_rr_owner(rr)));
        const ldns_rr_type type = ldns_rr_get_type(rr);
        const std::string rdata = ldns_rr_rd_count(rr) ? rdf_text(ldns_rr_rdf(rr, 0)) : "";
        ldns_rr_free(rr);
        if (type == LDNS_RR_TYPE_NS) {
            if (owner != ".") throw fail("NS record for '" + owner + "', expected the root '.'");
            ns_names.push_back(lower_no_dot(rdata));
        } else if (type == LDNS_RR_TYPE_A || type == LDNS_RR_TYPE_AAAA) {
            addresses[owner].push_back(rdata);
        } else {
            throw fail("unexpected record type in root hints (only NS, A and AAAA belong here)");
        }
    }
    std::vector<RootServer> out;
    for (const auto& name : ns_names) {
        auto it = addresses.find(name);
        if (it != addresses.end()) out.push_back({name, it->second});
    }
    if (out.empty()) {
        throw std::runtime_error(std::string(source) +
                                 ": no root server with an address (expected '. NS name' and "
                                 "'name A address' records)");
    }
    return out;
}

std::vector<RootServer> load_root_hints_file(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw std::runtime_error(path + ": cannot read root hints file");
    std::stringstream buf;
    buf << f.rdbuf();
    return parse_root_hints(buf.str(), path);
}

}  // namespace nswatch
