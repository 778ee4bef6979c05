#include "alerts/http_client.hpp"

#include <memory>

#include "alerts/curl_library.hpp"

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
    HttpResult out;
    const CurlLibrary* lib = nullptr;
    try {
        lib = &curl_library();  // opened and initialised once, even when channels' threads race
    } catch (const CurlUnavailable& e) {
        out.transport_error = true;
        out.error = e.what();
        return out;
    }
    std::unique_ptr<CURL, decltype(lib->easy_cleanup)> curl(lib->easy_init(), lib->easy_cleanup);
    if (!curl) {
        out.transport_error = true;
        out.error = "curl_easy_init failed";
        return out;
    }
    curl_slist* headers = nullptr;
    for (const auto& h : request.headers) headers = lib->slist_append(headers, h.c_str());
    std::unique_ptr<curl_slist, decltype(lib->slist_free_all)> header_guard(headers,
                                                                            lib->slist_free_all);
    CURL* c = curl.get();
    lib->easy_setopt(c, CURLOPT_URL, request.url.c_str());
    lib->easy_setopt(c, CURLOPT_POST, 1L);
    lib->easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    lib->easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
    lib->easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    lib->easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    lib->easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min<int64_t>(timeout.count(), 5000)));
    lib->easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    lib->easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    lib->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // a delivery thread must not get SIGALRM
    lib->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    lib->easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    const CURLcode rc = lib->easy_perform(c);
    if (rc != CURLE_OK) {
        out.transport_error = true;
        out.error = lib->easy_strerror(rc);  // a fixed phrase: never the URL
        return out;
    }
    lib->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
    return out;
}

}  // namespace nswatch
