// Files carry LINKTYPE_* values, libpcap handles speak DLT_* values. They are
// equal except for a few platform-dependent DLTs (DLT_RAW is 12 on Linux but
// LINKTYPE_RAW is 101), so every value crossing the boundary goes through here.
#pragma once

namespace tcpflow::capture {

constexpr int kLinkTypeEthernet = 1;

// LINKTYPE value for a DLT returned by pcap_datalink (live capture).
int dlt_to_linktype(int dlt);
// DLT value to give pcap_open_dead for a LINKTYPE read from a file.
int linktype_to_dlt(int linktype);

}  // namespace tcpflow::capture
