#include "capture/link_type.h"

#include <pcap/pcap.h>

namespace tcpflow::capture {
namespace {

// LINKTYPE values whose DLT differs between platforms (see pcap-linktype(7)).
constexpr int kLinkTypeAtmRfc1483 = 100;
constexpr int kLinkTypeRaw = 101;
constexpr int kLinkTypeAtmClip = 106;
// Old files written on BSD carry the BSD DLT for raw IP instead of 101.
constexpr int kBsdDltRaw12 = 12;
constexpr int kBsdDltRaw14 = 14;

}  // namespace

int dlt_to_linktype(int dlt) {
  switch (dlt) {
    case DLT_RAW: return kLinkTypeRaw;
    case DLT_ATM_RFC1483: return kLinkTypeAtmRfc1483;
#ifdef DLT_ATM_CLIP
    case DLT_ATM_CLIP: return kLinkTypeAtmClip;
#endif
    default: return dlt;
  }
}

int linktype_to_dlt(int linktype) {
  switch (linktype) {
    case kLinkTypeRaw:
    case kBsdDltRaw12:
    case kBsdDltRaw14: return DLT_RAW;
    case kLinkTypeAtmRfc1483: return DLT_ATM_RFC1483;
#ifdef DLT_ATM_CLIP
    case kLinkTypeAtmClip: return DLT_ATM_CLIP;
#endif
    default: return linktype;
  }
}

}  // namespace tcpflow::capture
