// -S decode_tunnels and -S vxlan_ports / geneve_ports / gtpu_ports: the user's
// words turned into the decoder's TunnelConfig.
#pragma once
#include <string>

#include "decode/tunnel.h"

namespace tcpflow::app {

// Adds the ports of a comma-separated list ("4790,10000") as `kind` tunnels.
// Throws UsageError naming `setting` for an empty item, a non-number, 0 or a
// port above 65535. An empty list adds nothing.
void add_tunnel_ports(decode::TunnelConfig& config, decode::TunnelKind kind,
                      const std::string& setting, const std::string& list);

}  // namespace tcpflow::app
