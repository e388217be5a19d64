#pragma once
// DCMTK 3.6.7 binds its listening socket to every interface (INADDR_ANY) and has no option to choose one.
// The receiver must listen on 127.0.0.1 unless told otherwise, so this process's bind() is interposed:
// while a listen address is set, a bind of an IPv4 INADDR_ANY address to that port binds the chosen
// address instead. Every other bind is passed through unchanged.
#include <cstdint>
#include <string>

#include "sbrtkit/expected.h"

namespace sbrtkit::receiver {
/// Sets the address the next DCMTK listener on `port` binds to. Errors: not an IPv4 dotted address.
Status set_listen_address(const std::string& ipv4, std::uint16_t port);
}  // namespace sbrtkit::receiver
