// AXFR attempt from outside (SRV-OPEN-AXFR, CONS-ZONE): does the server hand the zone to anyone?
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "audit/evidence.hpp"

namespace nswatch {

/// Try AXFR of `zone` from address:port over TCP (ldns), give up after `timeout`. Blocking; never
/// throws for DNS trouble (failures land in AxfrEvidence::outcome/detail).
AxfrEvidence try_axfr(const std::string& zone, const std::string& address, uint16_t port,
                      std::chrono::milliseconds timeout);

}  // namespace nswatch
