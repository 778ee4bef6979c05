#include "alerts/http_client.hpp"

#include <curl/curl.h>

#include <memory>

namespace nswatch {

std::string_view to_string(DeliveryVerdict v) {
    switch (v) {
        case DeliveryVerdict::delivered:
            return "delivered";
        case DeliveryVerdict::retry:
            return "retry";
        case DeliveryVerdict::give_up:
            return "give_up";
    }
    return "retry";
}

DeliveryVerdict classify(const HttpResult& r) {
    if (r.transport_error || r.status == 0) return DeliveryVerdict::retry;
    if (r.status >= 200 && r.status < 300) return DeliveryVerdict::delivered;
    if (r.status == 429 || r.status == 408 || r.status >= 500) return DeliveryVerdict::retry;
    return DeliveryVerdict::give_up;
}

namespace {
size_t discard(char*, size_t size, size_t n, void*) {
    return size * n;
}
}  // namespace

HttpResult http_post(const HttpRequest& request, std::chrono::milliseconds timeout) {
    // Each channel's worker posts from its own thread: the global init, which curl_easy_init
    // would otherwise run on first use from whichever threads come first, runs once here (a
    // function-local static is initialised exactly once, even when threads race).
    static const CURLcode global_init = curl_global_init(CURL_GLOBAL_DEFAULT);
    HttpResult out;
    if (global_init != CURLE_OK) {
        out.transport_error = true;
        out.error = std::string("curl_global_init failed: ") + curl_easy_strerror(global_init);
        return out;
    }
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) {
        out.transport_error = true;
        out.error = "curl_easy_init failed";
        return out;
    }
    curl_slist* headers = nullptr;
    for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers,
                                                                             curl_slist_free_all);
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min<int64_t>(timeout.count(), 5000)));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // a delivery thread must not get SIGALRM
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        out.transport_error = true;
        out.error = curl_easy_strerror(rc);  // a fixed phrase: never the URL
        return out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
    return out;
}

}  // namespace nswatch
