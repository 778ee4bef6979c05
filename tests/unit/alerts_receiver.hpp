// A local HTTP receiver for alert delivery tests: a real civetweb server on 127.0.0.1 (an
// ephemeral port) that records every POST and answers with a status the test sets, so "the
// receiver is down" and "it came back" are real HTTP, not mocks.
#pragma once

#include <CivetServer.h>
#include <strings.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace nswatch::test {

struct ReceivedRequest {
    std::string path;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    std::string header(const std::string& name) const {
        for (const auto& [k, v] : headers) {
            if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
        }
        return "";
    }
};

class Receiver {
  public:
    /// Listen on `port` (0 = any free one) of 127.0.0.1.
    explicit Receiver(int port = 0) { start(port); }

    void start(int port) {
        server_ = std::make_unique<CivetServer>(std::vector<std::string>{
            "listening_ports", "127.0.0.1:" + std::to_string(port), "num_threads", "2"});
        mg_set_request_handler(const_cast<mg_context*>(server_->getContext()), "/", &handle, this);
        port_ = server_->getListeningPorts().front();
    }
    /// Stop listening: connections are refused until start(port()) again.
    void stop() { server_.reset(); }

    int port() const { return port_; }
    std::string url(const std::string& path = "/hook") const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }
    /// The status every request gets from now on.
    void answer(int status) { status_ = status; }

    std::vector<ReceivedRequest> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }
    /// Requests answered with a non-2xx status.
    int failures() const {
        std::lock_guard lock(mutex_);
        return refused_;
    }
    /// Poll (real time, bounded) until `n` requests arrived; returns whether they did.
    bool wait_for(size_t n, std::chrono::milliseconds limit = std::chrono::seconds(10)) const {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < end) {
            if (requests().size() >= n) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return requests().size() >= n;
    }

  private:
    static int handle(mg_connection* conn, void* self_ptr) {
        auto* self = static_cast<Receiver*>(self_ptr);
        const mg_request_info* info = mg_get_request_info(conn);
        ReceivedRequest r;
        r.path = info->local_uri ? info->local_uri : "";
        for (int i = 0; i < info->num_headers; ++i) {
            r.headers.emplace_back(info->http_headers[i].name, info->http_headers[i].value);
        }
        char buf[4096];
        int n;
        while ((n = mg_read(conn, buf, sizeof buf)) > 0) r.body.append(buf, static_cast<size_t>(n));
        const int status = self->status_;
        if (status >= 200 && status < 300) {
            std::lock_guard lock(self->mutex_);
            self->requests_.push_back(std::move(r));
        } else {
            std::lock_guard lock(self->mutex_);
            self->refused_++;
        }
        mg_printf(conn,
                  "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                  "Connection: close\r\n\r\n{}",
                  status);
        return status;
    }

    std::unique_ptr<CivetServer> server_;
    int port_ = 0;
    std::atomic<int> status_{200};
    mutable std::mutex mutex_;
    std::vector<ReceivedRequest> requests_;  ///< accepted (2xx) requests only
    int refused_ = 0;                        ///< requests answered with a failure status
};

}  // namespace nswatch::test
