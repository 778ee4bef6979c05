#include "exporter/http_server.hpp"

#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "exporter/http_event_loop.hpp"
#include "exporter/http_server_metrics.hpp"
#include "exporter/listen_address.hpp"
#include "exporter/process_collector.hpp"
#include "exporter/status_json.hpp"
#include "exporter/status_page.hpp"

namespace nswatch {

namespace {

constexpr const char* text_plain = "text/plain; charset=utf-8";

std::vector<ListenAddress> parse_all(const std::vector<std::string>& listen) {
    if (listen.empty()) throw std::runtime_error("no listen address");
    std::vector<ListenAddress> out;
    for (const auto& text : listen) {
        const auto a = parse_listen_address(text);
        if (!a) {
            throw std::runtime_error("listen address '" + text +
                                     "' is not one address:port with an IP address (e.g. "
                                     "127.0.0.1:10053, [::1]:10053)");
        }
        out.push_back(*a);
    }
    return out;
}

}  // namespace

HttpServer::HttpServer(const HttpServerOptions& options, std::function<SnapshotPtr()> snapshot,
                       std::vector<std::shared_ptr<prometheus::Collectable>> collectables)
    : snapshot_(std::move(snapshot)),
      collectables_(std::move(collectables)),
      sections_(options.status_sections),
      reload_(options.reload),
      metrics_(std::make_unique<HttpServerMetrics>()) {
    collectables_.push_back(metrics_->registry());
    collectables_.push_back(std::make_shared<ProcessCollector>());
    HttpEventLoop::Options lo;
    lo.listen = parse_all(options.listen);
    lo.limits = options.limits;
    lo.workers = options.threads;
    if (options.web) {
        if (options.web->tls()) lo.tls = make_tls_context(*options.web);  // throws, naming the file
        if (!options.web->basic_auth_users.empty()) {
            auth_ = std::make_unique<BasicAuth>(options.web->basic_auth_users);
        }
    }
    loop_ = std::make_unique<HttpEventLoop>(
        std::move(lo), [this](const ServerRequest& r) { return handle(r); }, *metrics_);
    ports_ = loop_->ports();
    const bool lo_tls = options.web && options.web->tls();
    for (size_t i = 0; i < options.listen.size(); ++i) {
        spdlog::info("HTTP server listening on {} (port {}){}{}", options.listen[i], ports_[i],
                     lo_tls ? ", TLS" : "", auth_ ? ", basic auth" : "");
    }
}

HttpServer::~HttpServer() = default;

HttpReply HttpServer::handle(const ServerRequest& request) const {
    // Every path, as exporters do: the status page and the API show as much as /metrics.
    if (auth_ && !auth_->allows(request.header("authorization"))) {
        return {401, text_plain, "authentication required\n", "", "Basic realm=\"nswatch\""};
    }
    if (request.path == "/-/reload") {
        if (!reload_) return {404, text_plain, "nothing to reload here\n", "", ""};
        // A state change: POST (or PUT) only, as Prometheus does, so a crawler's GET cannot.
        if (request.method != "POST" && request.method != "PUT") {
            return {405, text_plain, "use POST to reload the configuration\n", "POST, PUT", ""};
        }
        const std::string error = reload_();
        if (!error.empty()) return {500, text_plain, "reload failed: " + error + "\n", "", ""};
        return {200, text_plain, "configuration reloaded\n", "", ""};
    }
    if (request.method != "GET" && request.method != "HEAD") {
        return {405, text_plain, "method not allowed\n", "GET, HEAD", ""};
    }
    return route(request.path);
}

HttpReply HttpServer::route(const std::string& path) const {
    if (path == "/metrics") {
        std::vector<prometheus::MetricFamily> families;
        for (const auto& c : collectables_) {
            auto f = c->Collect();
            families.insert(families.end(), std::make_move_iterator(f.begin()),
                            std::make_move_iterator(f.end()));
        }
        return {200, "text/plain; version=0.0.4; charset=utf-8",
                prometheus::TextSerializer().Serialize(families), "", ""};
    }
    if (path == "/healthz") return {200, text_plain, "ok\n", "", ""};
    if (path == "/-/healthy") return {200, text_plain, "nswatch is healthy\n", "", ""};
    if (path == "/-/ready") {
        if (!snapshot_()) {
            return {503, text_plain, "nswatch is not ready: no probe round has finished yet\n", "",
                    ""};
        }
        return {200, text_plain, "nswatch is ready\n", "", ""};
    }
    if (path == "/api/v1/status") {
        const SnapshotPtr s = snapshot_();
        if (!s)
            return {503, "application/json", R"({"error":"no probe round finished yet"})", "", ""};
        nlohmann::json j = snapshot_to_json(*s);
        for (const auto& [key, section] : sections_) j[key] = section();
        return {200, "application/json",
                j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "", ""};
    }
    if (path == "/") {
        const SnapshotPtr s = snapshot_();
        std::string page = render_status_page(s.get());
        std::vector<std::pair<std::string, nlohmann::json>> top, extra;
        for (const auto& [key, section] : sections_) {
            (key == "alerts" ? top : extra).emplace_back(key, section());
        }
        const auto body_end = page.rfind("</body>");
        if (body_end != std::string::npos) page.insert(body_end, render_sections(extra));
        const auto marker = page.find(kTopSectionsMarker);
        if (marker != std::string::npos)
            page.replace(marker, kTopSectionsMarker.size(), render_sections(top));
        return {200, "text/html; charset=utf-8", page, "", ""};
    }
    return {404, text_plain, "not found\n", "", ""};
}

}  // namespace nswatch
