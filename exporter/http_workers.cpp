#include "exporter/http_workers.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "exporter/http_server_metrics.hpp"

namespace nswatch {

HttpWorkers::HttpWorkers(int threads, Handler handler, HttpServerMetrics& metrics,
                         std::function<void()> wake)
    : handler_(std::move(handler)), metrics_(metrics), wake_(std::move(wake)) {
    for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { work(); });
}

HttpWorkers::~HttpWorkers() {
    {
        std::lock_guard lock(jobs_mutex_);
        stop_ = true;
    }
    jobs_ready_.notify_all();
    for (auto& t : threads_) t.join();
}

void HttpWorkers::submit(uint64_t connection, ServerRequest request, bool close_after) {
    {
        std::lock_guard lock(jobs_mutex_);
        jobs_.push_back(Job{connection, std::move(request), close_after});
    }
    jobs_ready_.notify_one();
}

std::vector<HttpWorkers::Finished> HttpWorkers::take_finished() {
    std::vector<Finished> out;
    std::lock_guard lock(finished_mutex_);
    out.swap(finished_);
    return out;
}

void HttpWorkers::work() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(jobs_mutex_);
            jobs_ready_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
            if (stop_) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        HttpReply r;
        try {
            r = handler_(job.request);
        } catch (const std::exception& e) {
            // A bad snapshot must cost one response, not the worker.
            spdlog::error("HTTP {}: {}", job.request.path, e.what());
            r = {500, "text/plain; charset=utf-8", "internal error\n", "", ""};
        }
        metrics_.responded(r.status);
        Finished f{job.connection,
                   format_response_head({r.status, r.content_type, r.body.size(), !job.close_after,
                                         r.allow, r.www_authenticate}),
                   {},
                   job.close_after};
        if (job.request.method != "HEAD") f.body = std::move(r.body);
        {
            std::lock_guard lock(finished_mutex_);
            finished_.push_back(std::move(f));
        }
        wake_();
    }
}

}  // namespace nswatch
