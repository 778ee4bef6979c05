#include "alerts/curl_library.hpp"

#include <dlfcn.h>

#include <string>

namespace nswatch {

namespace {

constexpr const char* kSoname = "libcurl.so.4";

template <typename Function>
void resolve(void* handle, const char* symbol, Function& out) {
    void* address = dlsym(handle, symbol);
    if (address == nullptr) {
        throw CurlUnavailable(std::string(kSoname) + " has no " + symbol +
                              " (libcurl 7.55 or later is needed)");
    }
    out = reinterpret_cast<Function>(address);
}

CurlLibrary open_curl() {
    // Never closed: libcurl keeps global state (its TLS back end's) until the process exits.
    void* handle = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = dlerror();
        throw CurlUnavailable(
            std::string("cannot load ") + kSoname +
            " (package libcurl4), needed for HTTP: " + (why != nullptr ? why : "unknown reason"));
    }
    CurlLibrary lib;
    resolve(handle, "curl_easy_init", lib.easy_init);
    resolve(handle, "curl_easy_cleanup", lib.easy_cleanup);
    resolve(handle, "curl_easy_setopt", lib.easy_setopt);
    resolve(handle, "curl_easy_perform", lib.easy_perform);
    resolve(handle, "curl_easy_getinfo", lib.easy_getinfo);
    resolve(handle, "curl_easy_strerror", lib.easy_strerror);
    resolve(handle, "curl_slist_append", lib.slist_append);
    resolve(handle, "curl_slist_free_all", lib.slist_free_all);
    decltype(&::curl_global_init) global_init = nullptr;
    resolve(handle, "curl_global_init", global_init);
    if (const CURLcode rc = global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
        throw CurlUnavailable(std::string("curl_global_init failed: ") + lib.easy_strerror(rc));
    }
    return lib;
}

}  // namespace

const CurlLibrary& curl_library() {
    static const CurlLibrary lib = open_curl();
    return lib;
}

}  // namespace nswatch
