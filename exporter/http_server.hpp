// The HTTP side of nswatch: /metrics, /api/v1/status, /healthz and the status page at /.
// civetweb's CivetServer directly: prometheus-cpp's Exposer is built on it but serves only the
// metrics paths it registers, with no way to add our own handlers beside them.
#pragma once

#include <prometheus/collectable.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "checks/zone_state.hpp"

class CivetServer;
struct mg_connection;

namespace nswatch {

struct HttpServerOptions {
    std::string listen =
        "127.0.0.1:9153";  ///< civetweb syntax: "addr:port", "[::1]:port"; port 0 picks one
    int threads = 4;       ///< worker threads (Prometheus, a browser and curl at once)
    int request_timeout_ms = 10000;  ///< a slow client cannot hold a worker longer than this
    /// Extra top-level sections of /api/v1/status (and tables on the status page), e.g.
    /// "propagation": called on every request, from the server's threads (must be thread-safe).
    /// Each returns an array of flat objects.
    std::vector<std::pair<std::string, std::function<nlohmann::json()>>> status_sections;
};

class HttpServer {
  public:
    /// Starts listening at once; throws std::runtime_error if it cannot (address in use, ...).
    /// `snapshot` is called on every request (the server keeps nothing); `collectables` are
    /// serialised in order at /metrics (ProbeMetrics::registry(), a SnapshotCollector, ...).
    HttpServer(const HttpServerOptions& options, std::function<SnapshotPtr()> snapshot,
               std::vector<std::shared_ptr<prometheus::Collectable>> collectables);
    ~HttpServer();  ///< stops and waits for the workers
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// The port actually bound (the chosen one when asked for port 0).
    uint16_t port() const { return port_; }

  private:
    struct Response;
    static int handle(mg_connection* conn, void* self);
    Response route(const std::string& path) const;

    std::function<SnapshotPtr()> snapshot_;
    std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
    std::vector<std::pair<std::string, std::function<nlohmann::json()>>> sections_;
    std::unique_ptr<CivetServer> server_;
    uint16_t port_ = 0;
};

}  // namespace nswatch
