#include "exporter/http_message.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace nswatch {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_token(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 ||
               std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) !=
                   std::string_view::npos;
    });
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// The path part of an origin-form target, percent-decoded; false on a bad escape or a NUL.
bool decode_path(std::string_view target, std::string& path) {
    target = target.substr(0, target.find('?'));
    path.clear();
    for (size_t i = 0; i < target.size(); ++i) {
        char c = target[i];
        if (c == '%') {
            if (i + 2 >= target.size()) return false;
            const int hi = hex_digit(target[i + 1]), lo = hex_digit(target[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return false;
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
        }
        path.push_back(c);
    }
    return true;
}

HttpParse error(int status, std::string text) {
    HttpParse p;
    p.status = HttpParse::Status::error;
    p.error_status = status;
    p.error_text = std::move(text);
    return p;
}

/// The next line of `head` from `pos` (LF or CRLF ended; the head always ends in an empty line).
std::string_view next_line(std::string_view head, size_t& pos) {
    const size_t end = head.find('\n', pos);
    std::string_view line = head.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

}  // namespace

std::string ServerRequest::header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
        if (name == lower_name) return value;
    }
    return "";
}

HttpParse parse_request_head(std::string_view received, size_t max_head_bytes) {
    // Empty lines before a request line are ignored (RFC 9112 2.2): some clients send a CRLF
    // after a request body.
    size_t start = 0;
    while (start < received.size() && (received[start] == '\r' || received[start] == '\n')) {
        ++start;
    }
    const std::string_view rest = received.substr(start);
    size_t end = std::string_view::npos;
    for (size_t nl = rest.find('\n'); nl != std::string_view::npos; nl = rest.find('\n', nl + 1)) {
        if (nl + 1 < rest.size() && rest[nl + 1] == '\n') {
            end = nl + 2;
            break;
        }
        if (nl + 2 < rest.size() && rest[nl + 1] == '\r' && rest[nl + 2] == '\n') {
            end = nl + 3;
            break;
        }
    }
    if (end == std::string_view::npos) {
        // Counted with the leading empty lines: endless CRLFs are no cheaper to keep.
        if (received.size() <= max_head_bytes) return HttpParse{};
        return rest.size() > max_head_bytes && rest.find('\n') == std::string_view::npos
                   ? error(414, "request line too long")
                   : error(431, "request header fields too large");
    }
    if (end > max_head_bytes) {
        return rest.find('\n') >= max_head_bytes ? error(414, "request line too long")
                                                 : error(431, "request header fields too large");
    }
    const std::string_view head = rest.substr(0, end);

    HttpParse p;
    ServerRequest& r = p.request;
    size_t pos = 0;
    const std::string_view line = next_line(head, pos);
    const size_t sp1 = line.find(' ');
    const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
        return error(400, "malformed request line");
    }
    r.method = std::string(line.substr(0, sp1));
    r.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
    const std::string_view version = line.substr(sp2 + 1);
    if (!is_token(r.method) || r.target.empty()) return error(400, "malformed request line");
    if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." ||
        !std::isdigit(static_cast<unsigned char>(version[7]))) {
        if (version.substr(0, 5) == "HTTP/") return error(505, "only HTTP/1.x is served");
        return error(400, "malformed request line");
    }
    r.minor_version = version[7] - '0';
    if (r.target.front() != '/' && r.target != "*")
        return error(400, "request target is not a path");
    if (r.target != "*" && !decode_path(r.target, r.path))
        return error(400, "bad percent-escape in path");

    for (std::string_view field = next_line(head, pos); !field.empty();
         field = next_line(head, pos)) {
        const size_t colon = field.find(':');
        if (colon == std::string_view::npos || !is_token(field.substr(0, colon))) {
            return error(400, "malformed header field");
        }
        r.headers.emplace_back(lower(field.substr(0, colon)),
                               std::string(trim(field.substr(colon + 1))));
    }

    const std::string connection = lower(r.header("connection"));
    r.keep_alive = r.minor_version >= 1 ? connection.find("close") == std::string::npos
                                        : connection.find("keep-alive") != std::string::npos;
    const std::string length = r.header("content-length");
    if (!length.empty()) {
        unsigned long long n = 0;
        const auto [ptr, ec] = std::from_chars(length.data(), length.data() + length.size(), n);
        if (ec != std::errc() || ptr != length.data() + length.size()) {
            return error(400, "bad Content-Length");
        }
        r.has_body = n > 0;
    }
    if (!r.header("transfer-encoding").empty()) r.has_body = true;
    p.status = HttpParse::Status::complete;
    p.consumed = start + end;
    return p;
}

std::string_view reason_phrase(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 413:
            return "Content Too Large";
        case 414:
            return "URI Too Long";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        case 505:
            return "HTTP Version Not Supported";
        default:
            return "Unknown";
    }
}

std::string format_response_head(const HttpResponseHead& h) {
    std::string out = "HTTP/1.1 " + std::to_string(h.status) + " " +
                      std::string(reason_phrase(h.status)) + "\r\n";
    out += "Content-Type: " + h.content_type + "\r\n";
    out += "Content-Length: " + std::to_string(h.content_length) + "\r\n";
    out += "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";
    // The page has no script and loads nothing: a strict policy makes an escaping bug harmless.
    out += "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n";
    if (!h.allow.empty()) out += "Allow: " + h.allow + "\r\n";
    if (!h.www_authenticate.empty()) out += "WWW-Authenticate: " + h.www_authenticate + "\r\n";
    out += h.keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    out += "\r\n";
    return out;
}

}  // namespace nswatch
