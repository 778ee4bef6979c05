#include "daemon/preflight.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "exporter/listen_address.hpp"

namespace nswatch {

namespace {

/// Bind a socket of `type` to host:port; 0 or the errno.
int try_bind(const std::string& host, bool ipv6, uint16_t port, int type) {
    const int fd = ::socket(ipv6 ? AF_INET6 : AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as the server will
    int rc = -1;
    if (ipv6) {
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons(port);
        if (inet_pton(AF_INET6, host.c_str(), &sa.sin6_addr) == 1) {
            rc = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        } else {
            errno = EINVAL;
        }
    } else {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        if (inet_pton(AF_INET, host.c_str(), &sa.sin_addr) == 1) {
            rc = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        } else {
            errno = EINVAL;
        }
    }
    const int err = rc == 0 ? 0 : errno;
    ::close(fd);
    return err;
}

std::string bind_problem(int err) {
    switch (err) {
        case EADDRNOTAVAIL:
            return "is not an address of this machine";
        case EADDRINUSE:
            return "is in use by another process";
        case EACCES:
            return "needs root or CAP_NET_BIND_SERVICE (a port below 1024)";
        case EINVAL:
            return "is not an IP address";
        default:
            return std::string("cannot be used: ") + std::strerror(err);
    }
}

void check_vantages(const Config& c, std::vector<std::string>& out) {
    for (const Vantage& v : c.vantages) {
        const std::string who = "vantage '" + v.name + "': ";
        if (!v.source_ipv4.empty()) {
            if (const int e = try_bind(v.source_ipv4, false, 0, SOCK_DGRAM)) {
                out.push_back(who + "source_ipv4 " + v.source_ipv4 + " " + bind_problem(e));
            }
        }
        if (!v.source_ipv6.empty()) {
            if (const int e = try_bind(v.source_ipv6, true, 0, SOCK_DGRAM)) {
                out.push_back(who + "source_ipv6 " + v.source_ipv6 + " " + bind_problem(e));
            }
        }
        if (!v.interface.empty() && if_nametoindex(v.interface.c_str()) == 0) {
            out.push_back(who + "interface " + v.interface + " does not exist on this machine");
        }
    }
}

void check_http(const Config& c, std::vector<std::string>& out) {
    if (!c.http.enabled) return;
    for (const std::string& text : c.http.listen) {
        const auto a = parse_listen_address(text);
        if (!a) continue;  // the loader already rejects it with its line
        if (a->port == 0) continue;
        if (const int e = try_bind(a->host, a->ipv6, a->port, SOCK_STREAM)) {
            std::string p = "http.listen " + text + ": ";
            if (e == EADDRINUSE) {
                p += "port " + std::to_string(a->port) +
                     " is in use by another process (stop it or choose another http.listen)";
            } else {
                p += "the address " + bind_problem(e);
            }
            out.push_back(p);
        }
    }
}

void check_storage(const Config& c, std::vector<std::string>& out) {
    if (c.storage.path.empty()) return;
    namespace fs = std::filesystem;
    const fs::path file(c.storage.path);
    fs::path dir = file.parent_path();
    if (dir.empty()) dir = ".";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        out.push_back("storage.path " + c.storage.path + ": the directory " + dir.string() +
                      " does not exist");
    } else if (fs::exists(file, ec) ? ::access(file.c_str(), R_OK | W_OK) != 0
                                    : ::access(dir.c_str(), W_OK | X_OK) != 0) {
        out.push_back("storage.path " + c.storage.path + ": not writable by this user (" +
                      std::strerror(errno) + ")");
    }
}

}  // namespace

std::vector<std::string> preflight(const Config& c, bool for_daemon) {
    std::vector<std::string> out;
    check_vantages(c, out);
    if (for_daemon) {
        check_http(c, out);
        check_storage(c, out);
    }
    return out;
}

}  // namespace nswatch
