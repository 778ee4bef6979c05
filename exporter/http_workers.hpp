// The threads that build HTTP responses from complete requests. They never touch a socket: the
// event loop hands them a request and takes the finished bytes back, so a slow client can hold a
// connection but never a worker.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "exporter/http_message.hpp"

namespace nswatch {

class HttpServerMetrics;

/// What a handler answers; the workers add the framing (length, keep-alive) and drop the body of
/// a HEAD response.
struct HttpReply {
    int status = 200;
    std::string content_type;
    std::string body;
    std::string allow;             ///< the Allow field of a 405
    std::string www_authenticate;  ///< the WWW-Authenticate field of a 401
};

class HttpWorkers {
  public:
    /// Called on a worker thread for each request; must be thread-safe.
    using Handler = std::function<HttpReply(const ServerRequest&)>;

    struct Finished {
        uint64_t connection;
        std::string head, body;  ///< the bytes to send
        bool close_after;        ///< "Connection: close" was sent
    };

    /// `wake` is called (from a worker) after each finished response.
    HttpWorkers(int threads, Handler handler, HttpServerMetrics& metrics,
                std::function<void()> wake);
    ~HttpWorkers();  ///< waits for the responses being built; queued requests are dropped
    HttpWorkers(const HttpWorkers&) = delete;
    HttpWorkers& operator=(const HttpWorkers&) = delete;

    void submit(uint64_t connection, ServerRequest request, bool close_after);
    /// The responses finished since the last call.
    std::vector<Finished> take_finished();

  private:
    struct Job {
        uint64_t connection;
        ServerRequest request;
        bool close_after;
    };
    void work();

    Handler handler_;
    HttpServerMetrics& metrics_;
    std::function<void()> wake_;
    std::atomic<bool> stop_{false};
    std::mutex jobs_mutex_;
    std::condition_variable jobs_ready_;
    std::deque<Job> jobs_;
    std::mutex finished_mutex_;
    std::vector<Finished> finished_;
    std::vector<std::thread> threads_;
};

}  // namespace nswatch
