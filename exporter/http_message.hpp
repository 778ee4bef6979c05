// HTTP/1.x messages as the server's event loop sees them: the head of a request parsed from the
// bytes received so far, and the head of a response. Pure: no sockets, no clock.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nswatch {

struct ServerRequest {
    std::string method;      ///< as sent, e.g. "GET"
    std::string target;      ///< request-target as sent, e.g. "/metrics?x=1"
    std::string path;        ///< target without the query, percent-decoded
    int minor_version = 1;   ///< HTTP/1.<minor>
    bool keep_alive = true;  ///< the client lets the connection be reused after the response
    bool has_body = false;   ///< Content-Length > 0 or a Transfer-Encoding: the body is not read
    /// Header fields in order, names lower-cased (Authorization for basic auth, ...).
    std::vector<std::pair<std::string, std::string>> headers;

    /// The first field called `lower_name`, or "" when absent.
    std::string header(std::string_view lower_name) const;
};

struct HttpParse {
    enum class Status { incomplete, complete, error };
    Status status = Status::incomplete;
    size_t consumed = 0;     ///< complete: bytes of the head (a pipelined request may follow)
    ServerRequest request;   ///< complete: the request
    int error_status = 0;    ///< error: the status to answer before closing (400, 414, 431, 505)
    std::string error_text;  ///< error: why, for the response body
};

/// Parses the request head at the start of `received`. A head longer than `max_head_bytes` is an
/// error (414 if even the request line is longer, else 431) without waiting for the rest: the
/// buffer a client can make the server keep is bounded.
HttpParse parse_request_head(std::string_view received, size_t max_head_bytes);

struct HttpResponseHead {
    int status = 200;
    std::string content_type;
    size_t content_length = 0;
    bool keep_alive = true;        ///< false: "Connection: close", the server closes after the body
    std::string allow;             ///< the Allow field of a 405, else empty
    std::string www_authenticate;  ///< the WWW-Authenticate field of a 401, else empty
};

/// The status line and header fields, ending with the empty line.
std::string format_response_head(const HttpResponseHead& head);

/// "OK", "Not Found", ... for the statuses this server sends.
std::string_view reason_phrase(int status);

}  // namespace nswatch
