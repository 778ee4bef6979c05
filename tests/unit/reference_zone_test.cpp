// ReferenceZone: a master file read with ldns and canonicalised (names lower case, TXT strings
// joined), the RRsets checked (no signatures, nothing below a cut), and the answer a correct
// server gives to any question (RRset, CNAME, wildcard expansion, NODATA, NXDOMAIN).
#include "zonediff/reference_zone.hpp"

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include "dns/rr_types.hpp"

using namespace nswatch;

namespace {

struct TempFile {
    std::string path;
    explicit TempFile(const std::string& text) {
        char name[] = "/tmp/nswatch-reference-XXXXXX";
        const int fd = mkstemp(name);
        close(fd);
        path = name;
        std::ofstream(path) << text;
    }
    ~TempFile() { unlink(path.c_str()); }
};

const char* kZone = R"($TTL 300
@        IN SOA ns1.shop.test. hostmaster.shop.test. 2026120601 7200 3600 1209600 300
@        IN NS  ns1.shop.test.
ns1      IN A   192.0.2.53
WWW      IN A   192.0.2.80
www      IN A   192.0.2.81
txt      IN TXT "v=spf1 " "-all"
alias    IN CNAME www
*.wild   IN A   192.0.2.99
a.b.deep IN A   192.0.2.7
sub      IN NS  ns.sub.shop.test.
sub      IN DS  12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ns.sub   IN A   192.0.2.9
)";

std::optional<ReferenceRrset> find(const ReferenceZone& z, const std::string& owner,
                                   uint16_t type) {
    for (size_t i = 0; i < z.rrset_count(); ++i) {
        if (z.rrset_owner(i) == owner && z.rrset_type(i) == type) return z.rrset(i);
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("reference file: RRsets canonical, cut data left out", "[reference]") {
    TempFile f(kZone);
    const ReferenceZone z = read_reference_file("shop.test", f.path);
    CHECK(z.serial() == 2026120601u);
    CHECK_FALSE(z.is_signed());
    const auto www = find(z, "www.shop.test.", kTypeA);
    REQUIRE(www);  // WWW and www are one RRset
    CHECK(www->rdata == std::vector<std::string>{"192.0.2.80", "192.0.2.81"});
    CHECK(www->ttl == 300);
    const auto txt = find(z, "txt.shop.test.", kTypeTxt);
    REQUIRE(txt);
    CHECK(txt->rdata == std::vector<std::string>{"\"v=spf1 -all\""});
    CHECK(find(z, "sub.shop.test.", kTypeDs));
    CHECK_FALSE(find(z, "sub.shop.test.", kTypeNs));
    CHECK_FALSE(find(z, "ns.sub.shop.test.", kTypeA));
    CHECK(find(z, "shop.test.", kTypeSoa));
    CHECK(z.rrset_count() == 9);  // SOA NS ns1 www txt alias *.wild a.b.deep DS
    // Empty non-terminals exist; names below the cut are not listed.
    std::vector<std::string_view> n;
    for (size_t i = 0; i < z.name_count(); ++i) n.push_back(z.name(i));
    CHECK(std::is_sorted(n.begin(), n.end()));
    CHECK(std::find(n.begin(), n.end(), "b.deep.shop.test.") != n.end());
    CHECK(std::find(n.begin(), n.end(), "deep.shop.test.") != n.end());
    CHECK(std::find(n.begin(), n.end(), "ns.sub.shop.test.") == n.end());
}

TEST_CASE("reference: what a correct server answers", "[reference]") {
    TempFile f(kZone);
    const ReferenceZone z = read_reference_file("shop.test", f.path);
    using K = Expectation::Kind;
    auto www = z.expect("WWW.Shop.Test", kTypeA);
    REQUIRE(www);
    CHECK(www->kind == K::answer);
    CHECK(www->rrset.rdata.size() == 2);
    CHECK(z.expect("www.shop.test.", kTypeAaaa)->kind == K::nodata);
    CHECK(z.expect("deep.shop.test.", kTypeA)->kind == K::nodata);  // empty non-terminal
    CHECK(z.expect("nope.shop.test.", kTypeA)->kind == K::nxdomain);
    auto alias = z.expect("alias.shop.test.", kTypeA);
    CHECK(alias->kind == K::answer);
    CHECK(alias->rrset.type == kTypeCname);
    auto wild = z.expect("x.y.wild.shop.test.", kTypeA);
    REQUIRE(wild);
    CHECK(wild->kind == K::answer);
    CHECK(wild->from_wildcard);
    CHECK(wild->rrset.owner == "x.y.wild.shop.test.");
    CHECK(wild->rrset.rdata == std::vector<std::string>{"192.0.2.99"});
    CHECK(z.expect("x.wild.shop.test.", kTypeMx)->kind == K::nodata);
    CHECK_FALSE(z.expect("www.other.test.", kTypeA));
    CHECK_FALSE(z.expect("ns.sub.shop.test.", kTypeA));  // below the cut: a referral
    CHECK(z.expect("sub.shop.test.", kTypeDs)->kind == K::answer);
}

TEST_CASE("reference file errors name the file and line", "[reference]") {
    TempFile bad("$TTL 300\n@ IN SOA ns1 host 1 2 3 4 5\nwww IN A 192.0.2.300\n");
    try {
        read_reference_file("shop.test", bad.path);
        FAIL("no error");
    } catch (const std::runtime_error& e) {
        CHECK_THAT(e.what(), Catch::StartsWith(bad.path + ":3: "));
    }
    TempFile no_soa("$TTL 300\nwww IN A 192.0.2.1\n");
    CHECK_THROWS_WITH(read_reference_file("shop.test", no_soa.path),
                      Catch::Contains("no SOA record"));
    TempFile outside("$TTL 300\n@ IN SOA ns1 host 1 2 3 4 5\nwww.other.test. IN A 192.0.2.1\n");
    CHECK_THROWS_WITH(read_reference_file("shop.test", outside.path),
                      Catch::Contains("www.other.test. A 192.0.2.1' is not in zone shop.test"));
    CHECK_THROWS_WITH(read_reference_file("shop.test", "/nonexistent/zone.db"),
                      Catch::Contains("/nonexistent/zone.db: cannot open"));
}

TEST_CASE("comparable_rdata joins TXT strings", "[reference]") {
    CHECK(comparable_rdata(kTypeTxt, "\"a\" \"b c\"") == "\"ab c\"");
    CHECK(comparable_rdata(kTypeTxt, "\"ab c\"") == "\"ab c\"");
    CHECK(comparable_rdata(kTypeTxt, "\"say \\\"hi\\\"\" \"!\"") == "\"say \\\"hi\\\"!\"");
    CHECK(comparable_rdata(kTypeA, "192.0.2.1") == "192.0.2.1");
}

TEST_CASE("reference tables: compact, sorted, and valid after a move", "[reference]") {
    // 1,000 A records under one zone built from records, as a transfer hands them over; the
    // RRset's TTL is its first record's, duplicates are one record.
    std::vector<Record> records = {
        {"big.test.", kTypeSoa, 300, "ns1.big.test. hostmaster.big.test. 7 3600 900 604800 300"},
        {"big.test.", kTypeNs, 300, "ns1.big.test."}};
    for (int i = 999; i >= 0; --i) {
        records.push_back({"h" + std::to_string(i) + ".big.test.", kTypeA, 60,
                           "192.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1)});
    }
    records.push_back({"h7.big.test.", kTypeA, 99, "192.0.9.9"});
    records.push_back({"h7.big.test.", kTypeA, 60, "192.0.9.9"});
    ReferenceZone built("big.test", records);
    const ReferenceZone z = std::move(built);  // the tables' buffers move with it
    REQUIRE(z.rrset_count() == 1002);
    CHECK(z.serial() == 7u);
    // Sorted by owner then type, as the planner's slices walk them.
    for (size_t i = 1; i < z.rrset_count(); ++i) {
        CHECK(std::pair{z.rrset_owner(i - 1), z.rrset_type(i - 1)} <
              std::pair{z.rrset_owner(i), z.rrset_type(i)});
    }
    CHECK(z.rrset(0).owner == "big.test.");
    CHECK(z.rrset(0).type == kTypeNs);
    const auto h7 = z.expect("H7.big.test", kTypeA);
    REQUIRE(h7);
    CHECK(h7->rrset.ttl == 60);
    CHECK(h7->rrset.rdata == std::vector<std::string>{"192.0.0.8", "192.0.9.9"});
    CHECK(z.types_at("h7.big.test.") == std::set<uint16_t>{kTypeA});
    CHECK(z.name_count() == 1001);
    CHECK(z.expect("h1000.big.test.", kTypeA)->kind == Expectation::Kind::nxdomain);
    // Names and rdata once in one buffer plus offsets: well under 100 bytes a record here (a
    // node and strings per RRset took ~500).
    CHECK(z.memory_bytes() < 100 * records.size());
    CHECK(z.memory_bytes() > 20 * records.size());
}

TEST_CASE("reference: an NSEC3 owner is not a name of the zone", "[reference]") {
    // As dnssec-signzone -3 writes it: the hashed owner carries only NSEC3 and its RRSIG.
    TempFile f(
        std::string(kZone) +
        "@ IN DNSKEY 257 3 13 "
        "kxS1Z2LsCrRlTvFXeY9I6ZMXWdYtb7MsVlUQ1J2M0ubD6wXnZ0JEWqX1B7NV7CPsSyqQnDwHNNBfEYnTbY3JQQ"
        "==\n"
        "su5rh8qfcdj8mu0dpc77702pvh9md992 IN NSEC3 1 0 0 - 0P9MHAVEQVM6T7VBL5LOP2U3T2RP3TOM A "
        "RRSIG\n");
    const ReferenceZone z = read_reference_file("shop.test", f.path);
    CHECK(z.is_signed());
    std::vector<std::string> n;
    for (size_t i = 0; i < z.name_count(); ++i) n.emplace_back(z.name(i));
    CHECK(std::find(n.begin(), n.end(), "su5rh8qfcdj8mu0dpc77702pvh9md992.shop.test.") == n.end());
    CHECK(std::find(n.begin(), n.end(), "www.shop.test.") != n.end());
    // A question at the hash is answered as a correct server's name tree has it: no such name.
    const auto e = z.expect("x.su5rh8qfcdj8mu0dpc77702pvh9md992.shop.test.", kTypeA);
    REQUIRE(e);
    CHECK(e->kind == Expectation::Kind::nxdomain);
}
