#include "exporter/http_server.hpp"

#include <CivetServer.h>
#include <malloc.h>
#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include <stdexcept>
#include <string_view>

#include "exporter/status_json.hpp"
#include "exporter/status_page.hpp"

namespace nswatch {

struct HttpServer::Response {
    int status = 200;          ///< HTTP status code
    std::string content_type;  ///< Content-Type header value
    std::string body;          ///< the whole body (responses here are small and built at once)
};

namespace {

/// A response this large (/metrics at 1,000 zones is 34 MB, built from ~24,000 metric objects)
/// leaves freed memory that glibc keeps resident: three times the daemon's working set after a
/// scrape. It is handed back to the OS after such a response; small ones are not worth the walk.
constexpr size_t kTrimAfterBytes = size_t{1} << 20;

constexpr const char* text_plain = "text/plain; charset=utf-8";

/// Send a whole response; HEAD gets the headers of the GET response and no body.
void send(mg_connection* conn, int status, std::string_view content_type, const std::string& body,
          bool head, const char* allow = nullptr) {
    mg_response_header_start(conn, status);
    mg_response_header_add(conn, "Content-Type", content_type.data(),
                           static_cast<int>(content_type.size()));
    const std::string length = std::to_string(body.size());
    mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
    mg_response_header_add(conn, "Cache-Control", "no-store", -1);
    mg_response_header_add(conn, "X-Content-Type-Options", "nosniff", -1);
    // The page has no script and loads nothing: a strict policy makes an escaping bug harmless.
    mg_response_header_add(conn, "Content-Security-Policy",
                           "default-src 'none'; style-src 'unsafe-inline'", -1);
    if (allow != nullptr) mg_response_header_add(conn, "Allow", allow, -1);
    mg_response_header_send(conn);
    if (!head && !body.empty()) mg_write(conn, body.data(), body.size());
}

}  // namespace

HttpServer::HttpServer(const HttpServerOptions& options, std::function<SnapshotPtr()> snapshot,
                       std::vector<std::shared_ptr<prometheus::Collectable>> collectables)
    : snapshot_(std::move(snapshot)),
      collectables_(std::move(collectables)),
      sections_(options.status_sections) {
    const std::vector<std::string> civet_options{
        "listening_ports",    options.listen,
        "num_threads",        std::to_string(options.threads),
        "request_timeout_ms", std::to_string(options.request_timeout_ms),
        "enable_keep_alive",  "yes",
    };
    try {
        server_ = std::make_unique<CivetServer>(civet_options);
    } catch (const CivetException& e) {
        throw std::runtime_error("cannot serve HTTP on " + options.listen + ": " + e.what());
    }
    // One handler for every path: it answers 404 and 405 itself, the same way for every path.
    // getContext() is const only to keep callers from stopping it; adding a handler is intended.
    mg_set_request_handler(const_cast<mg_context*>(server_->getContext()), "/", &HttpServer::handle,
                           this);
    const std::vector<int> ports = server_->getListeningPorts();
    if (ports.empty())
        throw std::runtime_error("HTTP server on " + options.listen + " has no port");
    port_ = static_cast<uint16_t>(ports.front());
    spdlog::info("HTTP server listening on {} (port {})", options.listen, port_);
}

HttpServer::~HttpServer() = default;

int HttpServer::handle(mg_connection* conn, void* self) {
    const mg_request_info* info = mg_get_request_info(conn);
    const std::string_view method = info->request_method ? info->request_method : "";
    const bool head = method == "HEAD";
    if (method != "GET" && !head) {
        send(conn, 405, text_plain, "method not allowed\n", false, "GET, HEAD");
        return 405;
    }
    const std::string path = info->local_uri ? info->local_uri : "";
    Response r;
    try {
        r = static_cast<const HttpServer*>(self)->route(path);
    } catch (const std::exception& e) {
        // A bad snapshot must cost one response, not the worker thread (civetweb is C: no
        // unwinding).
        spdlog::error("HTTP {}: {}", path, e.what());
        r = {500, text_plain, "internal error\n"};
    }
    send(conn, r.status, r.content_type, r.body, head);
    const int status = r.status;
    const bool large = r.body.size() > kTrimAfterBytes;
    r = Response{};  // the body is freed before the memory is handed back
    if (large) malloc_trim(0);
    return status;
}

HttpServer::Response HttpServer::route(const std::string& path) const {
    if (path == "/metrics") {
        std::vector<prometheus::MetricFamily> families;
        for (const auto& c : collectables_) {
            auto f = c->Collect();
            families.insert(families.end(), std::make_move_iterator(f.begin()),
                            std::make_move_iterator(f.end()));
        }
        return {200, "text/plain; version=0.0.4; charset=utf-8",
                prometheus::TextSerializer().Serialize(families)};
    }
    if (path == "/healthz") return {200, text_plain, "ok\n"};
    if (path == "/api/v1/status") {
        const SnapshotPtr s = snapshot_();
        if (!s) return {503, "application/json", R"({"error":"no probe round finished yet"})"};
        nlohmann::json j = snapshot_to_json(*s);
        for (const auto& [key, section] : sections_) j[key] = section();
        return {200, "application/json",
                j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
    }
    if (path == "/") {
        const SnapshotPtr s = snapshot_();
        std::string page = render_status_page(s.get());
        std::vector<std::pair<std::string, nlohmann::json>> extra;
        for (const auto& [key, section] : sections_) extra.emplace_back(key, section());
        const auto body_end = page.rfind("</body>");
        if (body_end != std::string::npos) page.insert(body_end, render_sections(extra));
        return {200, "text/html; charset=utf-8", page};
    }
    return {404, text_plain, "not found\n"};
}

}  // namespace nswatch
