// Listening sockets for the HTTP server.
#pragma once

#include <cstdint>

#include "exporter/listen_address.hpp"

namespace nswatch {

/// A non-blocking listening TCP socket bound to `address` (IPv6 sockets are IPv6-only, so that
/// "[::]:10053" and "0.0.0.0:10053" can both be listed). Throws std::runtime_error naming the
/// address and the reason.
int open_listen_socket(const ListenAddress& address);

/// The local port of a bound socket.
uint16_t bound_port(int fd);

}  // namespace nswatch
