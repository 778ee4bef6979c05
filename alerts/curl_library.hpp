// libcurl, opened the first time the process sends or fetches over HTTP (an alert channel's
// delivery, `status --from URL`) rather than linked. A linked libcurl is loaded at every start of
// every command, with the 26 libraries it pulls in (GnuTLS, Kerberos, LDAP, SSH, RTMP, ...): about
// 13 ms of CPU per start on a 2-core VM, which `check`, `config check` or `audit`, run by a
// monitoring system once a minute, would pay without sending a byte over HTTP.
#pragma once

#include <curl/curl.h>

#include <stdexcept>

namespace nswatch {

/// The libcurl entry points nswatch uses.
struct CurlLibrary {
    decltype(&::curl_easy_init) easy_init = nullptr;
    decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
    decltype(&::curl_easy_setopt) easy_setopt = nullptr;
    decltype(&::curl_easy_perform) easy_perform = nullptr;
    decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
    decltype(&::curl_easy_strerror) easy_strerror = nullptr;
    decltype(&::curl_slist_append) slist_append = nullptr;
    decltype(&::curl_slist_free_all) slist_free_all = nullptr;
};

/// libcurl could not be opened or initialised; what() names the library and the loader's reason.
struct CurlUnavailable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// libcurl (libcurl.so.4), opened and globally initialised once per process: the first call does
/// it, including when threads race to it (a function-local static), so curl_global_init never
/// runs beside a transfer. Throws CurlUnavailable; a later call tries again.
const CurlLibrary& curl_library();

}  // namespace nswatch
