// Names of well-known TCP server ports, from a small built-in table rather
// than /etc/services, so the same capture draws the same page on any host.
#pragma once
#include <cstdint>
#include <string_view>

namespace tcpflow::netviz {

// The service usually found on TCP `port` ("http" for 80), or "" if none.
std::string_view service_name(uint16_t port);

// Which port of a TCP packet is probably the server's when the handshake
// was not seen: a port with a known service, else the lower one.
uint16_t likely_server_port(uint16_t a, uint16_t b);

}  // namespace tcpflow::netviz
