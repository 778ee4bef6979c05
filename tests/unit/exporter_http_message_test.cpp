// Tests for exporter/http_message: the request head parser and the response head.
#include <catch2/catch.hpp>
#include <string>

#include "exporter/http_message.hpp"

using namespace nswatch;
using Status = HttpParse::Status;

TEST_CASE("http parser: a complete GET with keep-alive and a pipelined rest", "[http][parser]") {
    const std::string wire =
        "GET /metrics?name[]=x HTTP/1.1\r\nHost: 127.0.0.1:10053\r\nUser-Agent: Prometheus/2.42\r\n"
        "Accept:  text/plain \r\n\r\nGET /healthz HTTP/1.1\r\n";
    const HttpParse p = parse_request_head(wire, 16384);
    REQUIRE(p.status == Status::complete);
    CHECK(p.request.method == "GET");
    CHECK(p.request.target == "/metrics?name[]=x");
    CHECK(p.request.path == "/metrics");
    CHECK(p.request.minor_version == 1);
    CHECK(p.request.keep_alive);
    CHECK_FALSE(p.request.has_body);
    CHECK(p.request.header("host") == "127.0.0.1:10053");
    CHECK(p.request.header("accept") == "text/plain");
    CHECK(p.request.header("authorization").empty());
    CHECK(wire.substr(p.consumed) == "GET /healthz HTTP/1.1\r\n");
}

TEST_CASE("http parser: waits for the end of the head, byte by byte", "[http][parser]") {
    const std::string wire = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    for (size_t n = 0; n < wire.size(); ++n) {
        INFO(n);
        CHECK(parse_request_head(wire.substr(0, n), 16384).status == Status::incomplete);
    }
    CHECK(parse_request_head(wire, 16384).status == Status::complete);
}

TEST_CASE("http parser: connection reuse by version and Connection field", "[http][parser]") {
    CHECK_FALSE(
        parse_request_head("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 4096).request.keep_alive);
    CHECK_FALSE(parse_request_head("GET / HTTP/1.0\r\n\r\n", 4096).request.keep_alive);
    CHECK(parse_request_head("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 4096)
              .request.keep_alive);
    // Bare LF line ends and a leading empty line are accepted.
    const HttpParse lf = parse_request_head("\r\nHEAD /healthz HTTP/1.1\nHost: x\n\n", 4096);
    REQUIRE(lf.status == Status::complete);
    CHECK(lf.request.method == "HEAD");
    CHECK(lf.request.path == "/healthz");
}

TEST_CASE("http parser: a body is noticed, never waited for", "[http][parser]") {
    const HttpParse post =
        parse_request_head("POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel", 4096);
    REQUIRE(post.status == Status::complete);
    CHECK(post.request.has_body);
    CHECK(parse_request_head("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 4096).status ==
          Status::complete);
    CHECK_FALSE(
        parse_request_head("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 4096).request.has_body);
    CHECK(parse_request_head("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 4096)
              .request.has_body);
    CHECK(parse_request_head("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 4096).error_status ==
          400);
}

TEST_CASE("http parser: percent-escapes in the path", "[http][parser]") {
    CHECK(parse_request_head("GET /%6detrics HTTP/1.1\r\n\r\n", 4096).request.path == "/metrics");
    CHECK(parse_request_head("GET /%zz HTTP/1.1\r\n\r\n", 4096).error_status == 400);
    CHECK(parse_request_head("GET /a%2 HTTP/1.1\r\n\r\n", 4096).error_status == 400);
    CHECK(parse_request_head("GET /%00 HTTP/1.1\r\n\r\n", 4096).error_status == 400);
}

TEST_CASE("http parser: malformed and oversized heads are errors with a status", "[http][parser]") {
    auto status = [](const std::string& wire, size_t max = 4096) {
        const HttpParse p = parse_request_head(wire, max);
        return p.status == Status::error ? p.error_status : 0;
    };
    CHECK(status("GET /\r\n\r\n") == 400);
    CHECK(status("GET  / HTTP/1.1\r\n\r\n") == 400);
    CHECK(status("GET / HTTP/1.1 x\r\n\r\n") == 400);
    CHECK(status("G(T / HTTP/1.1\r\n\r\n") == 400);
    CHECK(status("GET metrics HTTP/1.1\r\n\r\n") == 400);
    CHECK(status("GET / HTTP/2.0\r\n\r\n") == 505);
    CHECK(status("GET / FTP/1.1\r\n\r\n") == 400);
    CHECK(status("GET / HTTP/1.1\r\nno colon here\r\n\r\n") == 400);
    CHECK(status("GET / HTTP/1.1\r\nbad name: x\r\n\r\n") == 400);
    // Too long: decided as soon as the limit is passed, without waiting for the end.
    CHECK(status("GET /" + std::string(5000, 'a')) == 414);
    CHECK(status("GET / HTTP/1.1\r\nX: " + std::string(5000, 'a')) == 431);
    CHECK(status("GET / HTTP/1.1\r\nX: " + std::string(5000, 'a') + "\r\n\r\n") == 431);
    CHECK(status("GET / HTTP/1.1\r\nX: " + std::string(100, 'a') + "\r\n\r\n", 200) == 0);
    CHECK(status(std::string(5000, '\n')) == 431);
}

TEST_CASE("http response head: framing fields and reuse", "[http][parser]") {
    const std::string keep = format_response_head({200, "text/plain", 3, true, "", ""});
    CHECK(keep.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(keep.find("\r\nContent-Type: text/plain\r\n") != std::string::npos);
    CHECK(keep.find("\r\nContent-Length: 3\r\n") != std::string::npos);
    CHECK(keep.find("\r\nConnection: keep-alive\r\n") != std::string::npos);
    CHECK(keep.find("Allow:") == std::string::npos);
    CHECK(keep.size() >= 4);
    CHECK(keep.substr(keep.size() - 4) == "\r\n\r\n");
    const std::string refuse = format_response_head({405, "text/plain", 0, false, "GET, HEAD", ""});
    CHECK(refuse.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0) == 0);
    CHECK(refuse.find("\r\nAllow: GET, HEAD\r\n") != std::string::npos);
    CHECK(refuse.find("\r\nConnection: close\r\n") != std::string::npos);
    CHECK(reason_phrase(431) == "Request Header Fields Too Large");
}
