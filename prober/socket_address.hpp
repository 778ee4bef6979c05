// An address literal and port as a sockaddr, for the sockets nswatch opens itself (the NOTIFY
// listener, IXFR requests).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace nswatch {

/// Fills `ss` for `address` (IPv4 or IPv6 literal) and `port`; returns its length. Throws
/// std::runtime_error when `address` is not an IP address.
socklen_t make_sockaddr(const std::string& address, uint16_t port, sockaddr_storage& ss);

/// The address of `ss` as text ("" for a family other than IPv4/IPv6).
std::string address_text(const sockaddr_storage& ss);

}  // namespace nswatch
