// The socket side of the HTTP server: one thread with epoll accepts, reads request heads and writes
// responses for every connection; a few worker threads only build responses from complete
// requests. A client that connects and sends nothing, or drips its headers, costs a descriptor and
// a table entry until its deadline, never a worker: the caps and deadlines are
// http_connection_table.hpp's.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "exporter/http_connection_table.hpp"
#include "exporter/http_message.hpp"
#include "exporter/http_workers.hpp"
#include "exporter/listen_address.hpp"

struct ssl_ctx_st;

namespace nswatch {

class HttpServerMetrics;

class HttpEventLoop {
  public:
    struct Options {
        std::vector<ListenAddress> listen;  ///< at least one
        HttpLimits limits;
        int workers = 4;  ///< threads running the handler (building /metrics takes CPU)
        size_t max_head_bytes = 16 * 1024;  ///< request line and header fields together
        /// Serve HTTPS with this context (exporter/web_config.hpp); null: plain HTTP. The TLS
        /// handshake counts against the header deadline, so a stalled one is closed like a
        /// slow request head.
        std::shared_ptr<ssl_ctx_st> tls;
    };
    using Handler = HttpWorkers::Handler;

    /// Binds every address and starts the threads; throws std::runtime_error naming the address
    /// that cannot be bound.
    HttpEventLoop(Options options, Handler handler, HttpServerMetrics& metrics);
    ~HttpEventLoop();  ///< closes every connection and waits for the threads
    HttpEventLoop(const HttpEventLoop&) = delete;
    HttpEventLoop& operator=(const HttpEventLoop&) = delete;

    /// The ports bound, in the order of Options::listen (the chosen ones for port 0).
    std::vector<uint16_t> ports() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace nswatch
