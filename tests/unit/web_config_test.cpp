// exporter/web_config: the exporter-toolkit web config file (TLS, basic auth) and the web port
// serving HTTPS with basic auth, checked with the curl command-line client.
#include "exporter/web_config.hpp"

#include <crypt.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "exporter_test_support.hpp"
#include "temp_dir.hpp"

using namespace nswatch;
using Catch::Matchers::Contains;

namespace {

/// A real bcrypt hash of `password` (cost 4: quick for a test).
std::string bcrypt(const std::string& password) {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    REQUIRE(crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt) != nullptr);
    crypt_data data{};
    const char* h = crypt_r(password.c_str(), salt, &data);
    REQUIRE(h != nullptr);
    return h;
}

std::string write(const test::TempDir& dir, const char* name, const std::string& text) {
    std::ofstream(dir.file(name)) << text;
    return dir.file(name);
}

}  // namespace

TEST_CASE("web config: mistakes are named", "[exporter][web]") {
    test::TempDir dir;
    CHECK_THROWS_WITH(load_web_config(dir.file("missing.yml")),
                      Contains("cannot read the web config file"));
    CHECK_THROWS_WITH(load_web_config(write(dir, "a.yml", "tls_server_config:\n  cert: x\n")),
                      Contains("a.yml:2: unknown key 'cert' in tls_server_config"));
    CHECK_THROWS_WITH(load_web_config(write(dir, "b.yml", "tls_server_config:\n  cert_file: x\n")),
                      Contains("needs both cert_file and key_file"));
    CHECK_THROWS_WITH(load_web_config(write(dir, "c.yml", "basic_auth_users:\n  alice: secret\n")),
                      Contains("basic_auth_users.alice: not a bcrypt hash"));
    CHECK_THROWS_WITH(load_web_config(write(dir, "d.yml",
                                            "tls_server_config:\n  cert_file: c\n"
                                            "  key_file: k\n  min_version: TLS10\n")),
                      Contains("use TLS12 or TLS13"));
    const WebConfig rel = load_web_config(
        write(dir, "e.yml", "tls_server_config: {cert_file: tls.crt, key_file: /k/tls.key}\n"));
    CHECK(rel.cert_file == dir.file("tls.crt"));  // relative to the web config's directory
    CHECK(rel.key_file == "/k/tls.key");
    CHECK_THROWS_WITH(make_tls_context(rel), Contains("cannot use the certificate"));
}

TEST_CASE("basic auth: bcrypt hashes, right and wrong passwords, malformed headers",
          "[exporter][web]") {
    BasicAuth auth({{"prometheus", bcrypt("s3cret:with colon")}});
    CHECK(auth.enabled());
    // "prometheus:s3cret:with colon" (the password may hold a colon; the user may not)
    const std::string good = "Basic cHJvbWV0aGV1czpzM2NyZXQ6d2l0aCBjb2xvbg==";
    CHECK(auth.allows(good));
    CHECK(auth.allows(good));                                              // the remembered digest
    CHECK(auth.allows("basic cHJvbWV0aGV1czpzM2NyZXQ6d2l0aCBjb2xvbg=="));  // scheme in any case
    CHECK_FALSE(auth.allows("Basic cHJvbWV0aGV1czp3cm9uZw=="));            // prometheus:wrong
    CHECK_FALSE(auth.allows("Basic YWxpY2U6czNjcmV0OndpdGggY29sb24="));  // alice:s3cret:with colon
    CHECK_FALSE(auth.allows(""));
    CHECK_FALSE(auth.allows("Bearer abc"));
    CHECK_FALSE(auth.allows("Basic !!!not base64!!!"));
    CHECK_FALSE(auth.allows("Basic " + std::string(10000, 'A')));
    CHECK_FALSE(BasicAuth({}).enabled());
}

TEST_CASE("web port over HTTPS with basic auth, as curl sees it", "[exporter][web][http]") {
    REQUIRE(std::system("command -v curl >/dev/null && command -v openssl >/dev/null") == 0);
    test::TempDir dir;
    const std::string cert = dir.file("tls.crt"), key = dir.file("tls.key");
    REQUIRE(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                         "-addext subjectAltName=IP:127.0.0.1 -keyout " +
                         key + " -out " + cert + " 2>/dev/null")
                            .c_str()) == 0);
    const std::string web = write(dir, "web.yml",
                                  "tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n"
                                  "basic_auth_users:\n  prometheus: '" +
                                      bcrypt("pw") + "'\n");
    HttpServerOptions o = test::http_options({"127.0.0.1:0"});
    o.web = std::make_shared<const WebConfig>(load_web_config(web));
    const SnapshotPtr snapshot = test::sample_snapshot_ptr();
    HttpServer server{o, [&] { return snapshot; }, {}};
    const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
    const std::string curl = "curl -sS --max-time 5 --cacert " + cert + " ";

    auto [rc, out] = test::run_shell(curl + "-u prometheus:pw " + url + "/metrics");
    CHECK(rc == 0);
    CHECK_THAT(out, Contains("process_cpu_seconds_total"));
    std::tie(rc, out) =
        test::run_shell(curl + "-o /dev/null -w '%{http_code}' " + url + "/metrics");
    CHECK(out == "401");
    std::tie(rc, out) = test::run_shell(curl + "-D - -o /dev/null " + url + "/");
    CHECK_THAT(out, Contains("WWW-Authenticate: Basic realm=\"nswatch\""));
    std::tie(rc, out) =
        test::run_shell(curl + "-u prometheus:wrong -o /dev/null -w '%{http_code}' " + url + "/");
    CHECK(out == "401");
    // Plain HTTP to the TLS port gets no answer, and the server keeps serving.
    std::tie(rc, out) =
        test::run_shell("curl -sS --max-time 3 http://127.0.0.1:" + std::to_string(server.port()) +
                        "/metrics 2>&1");
    CHECK(rc != 0);
    std::tie(rc, out) = test::run_shell(curl + "-u prometheus:pw " + url + "/-/healthy");
    CHECK(rc == 0);
    CHECK(out == "nswatch is healthy\n");
    // TLS 1.2 refused when the config asks for 1.3 at least is OpenSSL's job; a client that does
    // not trust the certificate fails its handshake and the server keeps serving too.
    std::tie(rc, out) = test::run_shell("curl -sS --max-time 3 " + url + "/metrics 2>&1");
    CHECK(rc != 0);
    std::tie(rc, out) =
        test::run_shell(curl + "-u prometheus:pw -o /dev/null -w '%{http_code}' " + url + "/");
    CHECK(out == "200");
}
