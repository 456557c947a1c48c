"""pcapgen: build packet captures whose content is known by construction.

Standard library only. Three layers:

* header builders: ``tcp()``, ``ipv4()``, ``ipv6()`` (+ extension headers),
  fragmenters ``ipv4_fragments()`` / ``ipv6_fragments()``;
* link-layer framing: ``frame(linktype, l3, ...)`` for Ethernet II (+802.1Q,
  QinQ 0x88a8/0x9100, padding, FCS), Linux SLL / SLL2, DLT_NULL (both byte
  orders), LOOP, RAW / IPV4 / IPV6 and PPP (with or without FF 03);
* writers: ``write_pcap()`` (usec/nsec, little/big endian), ``write_pcapng()``
  (several interfaces with their own link type and if_tsresol, optional
  big-endian section), ``gzip_bytes()``.

Timestamps are integers in nanoseconds everywhere. A writer refuses a
timestamp its resolution cannot represent, so truth computed from the
nanosecond values is exact.

The TCP conversation helper and the expected-output model live in
``conversation.py`` beside this file.
"""

import gzip
import ipaddress
import struct
import zlib

# ---------------------------------------------------------------------------
# Link types (LINKTYPE_* values as written in capture files)
LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_PPP = 9
LINKTYPE_RAW = 101
LINKTYPE_LOOP = 108
LINKTYPE_LINUX_SLL = 113
LINKTYPE_USER0 = 147          # used as an "unsupported" link type in tests
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
TPID_8021Q = 0x8100
TPID_8021AD = 0x88A8
TPID_9100 = 0x9100

PROTO_TCP = 6
IPV6_HOPOPTS = 0
IPV6_ROUTING = 43
IPV6_FRAGMENT = 44
IPV6_DSTOPTS = 60

# TCP flag bits
FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20


def ip_version(addr):
    return ipaddress.ip_address(addr).version


def _ip_bytes(addr):
    return ipaddress.ip_address(addr).packed


def mac_bytes(mac):
    if isinstance(mac, (bytes, bytearray)):
        assert len(mac) == 6
        return bytes(mac)
    return bytes(int(x, 16) for x in mac.split(":"))


def inet_checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


# ---------------------------------------------------------------------------
# TCP
def tcp_options(mss=None, wscale=None, sack_ok=False, timestamps=None, raw=b""):
    """Builds a TCP option block (padded with NOPs/EOL to 4 bytes)."""
    out = b""
    if mss is not None:
        out += struct.pack("!BBH", 2, 4, mss)
    if sack_ok:
        out += b"\x01\x01\x04\x02"
    if timestamps is not None:
        out += b"\x01\x01" + struct.pack("!BBII", 8, 10, timestamps[0], timestamps[1])
    if wscale is not None:
        out += b"\x01" + struct.pack("!BBB", 3, 3, wscale)
    out += raw
    while len(out) % 4:
        out += b"\0"
    assert len(out) <= 40
    return out


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", window=65535,
        options=b"", urgent=0, bad_checksum=False):
    """A TCP segment (header + payload) with a correct checksum over the
    IPv4/IPv6 pseudo-header of src/dst, or a deliberately wrong one."""
    if len(options) % 4:
        options = options + b"\0" * (4 - len(options) % 4)
    off = (20 + len(options)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      off << 4, flags, window, 0, urgent) + options
    seg = hdr + payload
    csum = inet_checksum(pseudo_header(src, dst, PROTO_TCP, len(seg)) + seg)
    if bad_checksum:
        csum ^= 0x5A5A
        if csum == 0:
            csum = 0x1234
    return seg[:16] + struct.pack("!H", csum) + seg[18:]


def pseudo_header(src, dst, proto, length):
    if ip_version(src) == 4:
        return _ip_bytes(src) + _ip_bytes(dst) + struct.pack("!BBH", 0, proto, length)
    return _ip_bytes(src) + _ip_bytes(dst) + struct.pack("!IxxxB", length, proto)


# ---------------------------------------------------------------------------
# IPv4
def ipv4_header(src, dst, proto, payload_len, ident=1, ttl=64, tos=0, df=True,
                mf=False, frag_offset=0, options=b"", total_length=None):
    """frag_offset is in bytes (a multiple of 8). total_length=0 imitates TSO."""
    while len(options) % 4:
        options += b"\0"
    ihl = 5 + len(options) // 4
    if total_length is None:
        total_length = ihl * 4 + payload_len
    assert frag_offset % 8 == 0
    flags = (0x4000 if df else 0) | (0x2000 if mf else 0) | (frag_offset // 8)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, total_length, ident, flags,
                      ttl, proto, 0, _ip_bytes(src), _ip_bytes(dst)) + options
    return hdr[:10] + struct.pack("!H", inet_checksum(hdr)) + hdr[12:]


def ipv4(src, dst, payload, proto=PROTO_TCP, **kw):
    return ipv4_header(src, dst, proto, len(payload), **kw) + payload


def corrupt_ipv4(packet):
    """A corrupted copy of an IPv4 packet or fragment: every payload byte
    flipped (0x20) and a wrong header checksum. A TCP checksum inside is not
    recomputed, so a whole segment's own TCP checksum no longer verifies
    unless the caller builds it over the flipped bytes."""
    ihl = (packet[0] & 0x0F) * 4
    csum = struct.unpack("!H", packet[10:12])[0] ^ 0x5A5A
    return (packet[:10] + struct.pack("!H", csum) + packet[12:ihl]
            + bytes(b ^ 0x20 for b in packet[ihl:]))


def bad_header_checksum(packet):
    """The same IPv4 packet with a wrong header checksum (bytes unchanged)."""
    csum = struct.unpack("!H", packet[10:12])[0] ^ 0x5A5A
    return packet[:10] + struct.pack("!H", csum) + packet[12:]


def ipv4_fragments(src, dst, payload, proto=PROTO_TCP, ident=0x4242, frag_size=24,
                   overlap=0, ttl=64, options=b""):
    """Splits one datagram's payload into fragments of frag_size bytes (a
    multiple of 8). With overlap=N (a multiple of 8) every fragment after the
    first starts N bytes before the previous one ended (same content).
    Returns the fragments in offset order; reorder/duplicate them freely."""
    assert frag_size % 8 == 0 and overlap % 8 == 0 and overlap < frag_size
    frags = []
    start = 0
    while True:
        end = min(start + frag_size, len(payload))
        last = end == len(payload)
        frags.append(ipv4_header(src, dst, proto, end - start, ident=ident, ttl=ttl,
                                 df=False, mf=not last, frag_offset=start,
                                 options=options) + payload[start:end])
        if last:
            return frags
        start = end - overlap


# ---------------------------------------------------------------------------
# IPv6
def _pad_options(body, header_fixed=2):
    """Pads an options area with Pad1/PadN so header length is a multiple of 8."""
    total = header_fixed + len(body)
    pad = (-total) % 8
    if pad == 1:
        body += b"\x00"
    elif pad > 1:
        body += bytes([1, pad - 2]) + b"\0" * (pad - 2)
    return body


def ext_hopopts(options=b""):
    """Hop-by-hop options header (next header filled in by ipv6())."""
    return (IPV6_HOPOPTS, _pad_options(options))


def ext_dstopts(options=b""):
    return (IPV6_DSTOPTS, _pad_options(options))


def ext_routing(addresses=None, rtype=0):
    """Routing header with segments left = 0, so the IPv6 destination is the
    final one. addresses=None lists just that final destination (filled in
    when the packet is built), which keeps every checksum convention happy."""
    return (IPV6_ROUTING, None if addresses is None else _routing_body(addresses, rtype))


def _routing_body(addresses, rtype=0):
    return struct.pack("!BB", rtype, 0) + b"\0" * 4 + b"".join(_ip_bytes(a) for a in addresses)


def _ext_bytes(nh_value, ext, dst=None):
    kind, body = ext
    if body is None:
        body = _routing_body([dst])
    length = 2 + len(body)
    assert length % 8 == 0
    return bytes([nh_value, length // 8 - 1]) + body


def ipv6(src, dst, payload, proto=PROTO_TCP, ext=(), hop_limit=64, flow_label=0,
         payload_length=None):
    """IPv6 packet; ext is a list of ext_* headers in wire order."""
    chain = b""
    kinds = [e[0] for e in ext] + [proto]
    for i, e in enumerate(ext):
        chain += _ext_bytes(kinds[i + 1], e, dst)
    body = chain + payload
    plen = len(body) if payload_length is None else payload_length
    hdr = struct.pack("!IHBB16s16s", (6 << 28) | flow_label, plen, kinds[0], hop_limit,
                      _ip_bytes(src), _ip_bytes(dst))
    return hdr + body


def ipv6_fragments(src, dst, payload, proto=PROTO_TCP, ident=0x12345678, frag_size=24,
                   overlap=0, unfrag_ext=(), frag_ext=(), hop_limit=64):
    """Fragments an IPv6 datagram. unfrag_ext headers (hop-by-hop, routing)
    precede the fragment header in every fragment; frag_ext headers
    (destination options) are part of the fragmentable payload."""
    assert frag_size % 8 == 0 and overlap % 8 == 0 and overlap < frag_size
    fkinds = [e[0] for e in frag_ext] + [proto]
    fragmentable = b"".join(_ext_bytes(fkinds[i + 1], e, dst)
                            for i, e in enumerate(frag_ext)) + payload
    first_frag_nh = fkinds[0]
    frags = []
    start = 0
    while True:
        end = min(start + frag_size, len(fragmentable))
        last = end == len(fragmentable)
        fh = struct.pack("!BBHI", first_frag_nh, 0, (start // 8) << 3 | (0 if last else 1), ident)
        ukinds = [e[0] for e in unfrag_ext] + [IPV6_FRAGMENT]
        chain = b"".join(_ext_bytes(ukinds[i + 1], e, dst) for i, e in enumerate(unfrag_ext))
        body = chain + fh + fragmentable[start:end]
        hdr = struct.pack("!IHBB16s16s", 6 << 28, len(body), ukinds[0], hop_limit,
                          _ip_bytes(src), _ip_bytes(dst))
        frags.append(hdr + body)
        if last:
            return frags
        start = end - overlap


# ---------------------------------------------------------------------------
# Link layers
def vlan_tag(vid, pcp=0, dei=0, tpid=TPID_8021Q):
    """One tag as (tpid, tci)."""
    return (tpid, (pcp << 13) | (dei << 12) | (vid & 0xFFF))


def ethernet(l3, ethertype, src_mac="02:00:00:00:00:01", dst_mac="02:00:00:00:00:02",
             tags=(), pad=True, fcs=False):
    """Ethernet II frame. tags: list of (tpid, tci), outermost first.
    pad: pad to the 60-byte minimum; fcs: append a correct 4-byte FCS."""
    f = mac_bytes(dst_mac) + mac_bytes(src_mac)
    for tpid, tci in tags:
        f += struct.pack("!HH", tpid, tci)
    f += struct.pack("!H", ethertype) + l3
    if pad and len(f) < 60:
        f += b"\0" * (60 - len(f))
    if fcs:
        f += struct.pack("<I", zlib.crc32(f) & 0xFFFFFFFF)
    return f


def sll(l3, ethertype, pkttype=0, src_mac="02:00:00:00:00:01"):
    """Linux cooked capture v1 (16-byte header)."""
    return struct.pack("!HHH8sH", pkttype, 1, 6, mac_bytes(src_mac) + b"\0\0", ethertype) + l3


def sll2(l3, ethertype, pkttype=0, ifindex=2, src_mac="02:00:00:00:00:01"):
    """Linux cooked capture v2 (20-byte header)."""
    return struct.pack("!HHIHBB8s", ethertype, 0, ifindex, 1, pkttype, 6,
                       mac_bytes(src_mac) + b"\0\0") + l3


# DLT_NULL address family values: AF_INET everywhere; AF_INET6 differs.
AF_INET = 2
AF_INET6_LINUX = 10
AF_INET6_NETBSD = 24       # also OpenBSD
AF_INET6_FREEBSD = 28
AF_INET6_DARWIN = 30


def null_hdr(l3, family, big_endian=False):
    return struct.pack(">I" if big_endian else "<I", family) + l3


def loop_hdr(l3, family):
    return struct.pack(">I", family) + l3


def ppp(l3, version, addr_ctrl=True):
    proto = 0x0021 if version == 4 else 0x0057
    return (b"\xff\x03" if addr_ctrl else b"") + struct.pack("!H", proto) + l3


def frame(linktype, l3, vlan_tags=(), pad=True, fcs=False, null_family=None,
          null_big_endian=False, ppp_addr_ctrl=True, sll_pkttype=0,
          src_mac="02:00:00:00:00:01", dst_mac="02:00:00:00:00:02"):
    """Wraps an IP datagram in the given link layer."""
    version = l3[0] >> 4
    ethertype = ETH_IPV4 if version == 4 else ETH_IPV6
    if linktype == LINKTYPE_ETHERNET:
        return ethernet(l3, ethertype, src_mac, dst_mac, vlan_tags, pad, fcs)
    assert not vlan_tags, "VLAN tags need Ethernet"
    if linktype == LINKTYPE_LINUX_SLL:
        return sll(l3, ethertype, sll_pkttype, src_mac)
    if linktype == LINKTYPE_LINUX_SLL2:
        return sll2(l3, ethertype, sll_pkttype, src_mac=src_mac)
    if linktype in (LINKTYPE_NULL, LINKTYPE_LOOP):
        fam = null_family
        if fam is None:
            fam = AF_INET if version == 4 else AF_INET6_LINUX
        if linktype == LINKTYPE_LOOP:
            return loop_hdr(l3, fam)
        return null_hdr(l3, fam, null_big_endian)
    if linktype in (LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6):
        return l3
    if linktype == LINKTYPE_PPP:
        return ppp(l3, version, ppp_addr_ctrl)
    if linktype == LINKTYPE_USER0:
        return b"\xde\xad\xbe\xef" + l3
    raise ValueError("no framer for link type %d" % linktype)


# ---------------------------------------------------------------------------
# Tunnels: encapsulation headers, and Encap layers a Conversation wraps its
# datagrams in (Conversation(encap=[outermost, ..., innermost])).
PROTO_IPIP = 4
PROTO_IPV6_IN_IP = 41
PROTO_GRE = 47
PROTO_UDP = 17
ETH_TEB = 0x6558          # transparent Ethernet bridging
ETH_ERSPAN2 = 0x88BE      # ERSPAN type I (no sequence) and II
ETH_ERSPAN3 = 0x22EB
PORT_VXLAN, PORT_VXLAN_LINUX, PORT_GENEVE, PORT_GTPU, PORT_TEREDO = 4789, 8472, 6081, 2152, 3544


def udp(src, dst, sport, dport, payload, checksum=True):
    """A UDP datagram with a correct checksum over src/dst (or 0 = none, IPv4 only)."""
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    if not checksum:
        return hdr + payload
    csum = inet_checksum(pseudo_header(src, dst, PROTO_UDP, 8 + len(payload)) + hdr + payload)
    return hdr[:6] + struct.pack("!H", csum or 0xFFFF) + payload


def gre(payload, proto, key=None, seq=None, checksum=False):
    """GRE version 0 with the optional checksum, key and sequence fields."""
    flags = (0x8000 if checksum else 0) | (0x2000 if key is not None else 0) | \
        (0x1000 if seq is not None else 0)
    hdr = struct.pack("!HH", flags, proto)
    opt = b""
    if checksum:
        opt += b"\0\0\0\0"
    if key is not None:
        opt += struct.pack("!I", key)
    if seq is not None:
        opt += struct.pack("!I", seq)
    if checksum:
        csum = inet_checksum(hdr + opt + payload)
        opt = struct.pack("!H", csum) + opt[2:]
    return hdr + opt + payload


def erspan2(frame, session, vlan=0, index=0):
    return struct.pack("!II", (1 << 28) | (vlan << 16) | session, index) + frame


def erspan3(frame, session, timestamp=0x01020304, subheader=None):
    """subheader: 8 platform-specific bytes (sets the O flag) or None."""
    word3 = 1 if subheader is not None else 0
    return struct.pack("!III", (2 << 28) | session, timestamp, word3) + (subheader or b"") + frame


def vxlan(frame, vni):
    return struct.pack("!BxxxI", 0x08, vni << 8) + frame


def geneve(payload, vni, proto=ETH_TEB, options=b""):
    assert len(options) % 4 == 0
    return struct.pack("!BBHI", len(options) // 4, 0, proto, vni << 8) + options + payload


def gtpu(payload, teid, msg_type=0xFF, seq=None, ext=()):
    """GTPv1-U. ext: [(type, content)] extension headers; content is padded
    so each header is a multiple of 4 bytes (length + content + next type)."""
    opt = b""
    if seq is not None or ext:
        exts = b""
        types = [t for t, _ in ext] + [0]
        for i, (_t, content) in enumerate(ext):
            body = content + b"\0" * ((-(len(content) + 2)) % 4)
            exts += bytes([(len(body) + 2) // 4]) + body + bytes([types[i + 1]])
        opt = struct.pack("!HBB", seq or 0, 0, types[0]) + exts
    flags = 0x30 | (0x04 if ext else 0) | (0x02 if seq is not None else 0)
    return struct.pack("!BBHI", flags, msg_type, len(opt) + len(payload), teid) + opt + payload


def teredo(ipv6_packet, origin=None):
    """origin: (port, ipv4 text) for an origin indication, or None."""
    if origin is None:
        return ipv6_packet
    port, addr = origin
    obf = bytes(b ^ 0xFF for b in _ip_bytes(addr))
    return struct.pack("!HH", 0, port ^ 0xFFFF) + obf + ipv6_packet


def outer_ip(src, dst, payload, proto, ident=1, frag_size=None, order="in"):
    """The delivering IP datagram (IPv4 or IPv6 by address), optionally cut into
    fragments of frag_size bytes sent in `order` ("in" or "reverse")."""
    if frag_size is None:
        return [ipv4(src, dst, payload, proto=proto, ident=ident, df=False)
                if ip_version(src) == 4 else ipv6(src, dst, payload, proto=proto)]
    if ip_version(src) == 4:
        frags = ipv4_fragments(src, dst, payload, proto=proto, ident=ident, frag_size=frag_size)
    else:
        frags = ipv6_fragments(src, dst, payload, proto=proto, ident=ident, frag_size=frag_size)
    return frags[::-1] if order == "reverse" else frags


class Encap:
    """One encapsulation around a conversation's datagrams.

    kind: "ipip" (protocol 4 or 41 by the inner version), "gre", "gre-eth",
    "erspan1", "erspan2", "erspan3", "vxlan", "geneve", "gtpu", "teredo".
    outer: (client-side endpoint, server-side endpoint) addresses; the
    server-to-client direction swaps them. tid: VNI / GRE key / TEID / ERSPAN
    session, or a (client->server, server->client) pair (GTP-U TEIDs differ
    per direction). port: UDP destination port. frag: cut the delivering
    datagram into fragments of this many bytes (order frag_order)."""

    def __init__(self, kind, outer=("192.0.2.1", "192.0.2.2"), tid=None, port=None,
                 frag=None, frag_order="in", gre_seq=False, gre_checksum=False,
                 geneve_options=b"", gtpu_ext=(), inner_macs=("02:aa:00:00:00:01",
                                                             "02:aa:00:00:00:02")):
        self.kind = kind
        self.outer = outer
        self.tid = tid
        self.port = port
        self.frag = frag
        self.frag_order = frag_order
        self.gre_seq = gre_seq
        self.gre_checksum = gre_checksum
        self.geneve_options = geneve_options
        self.gtpu_ext = gtpu_ext
        self.inner_macs = inner_macs
        self._ident = 0x3000
        self._seq = 0

    def id_for(self, d):
        return self.tid[d] if isinstance(self.tid, tuple) else self.tid

    def _eth(self, l3, d):
        a, b = self.inner_macs
        src, dst = (a, b) if d == 0 else (b, a)
        return ethernet(l3, ETH_IPV4 if l3[0] >> 4 == 4 else ETH_IPV6, src, dst, pad=False)

    def header(self, l3, d):
        """(IP protocol, encapsulated bytes) for one inner datagram of direction d."""
        k, tid = self.kind, self.id_for(d)
        src, dst = (self.outer if d == 0 else self.outer[::-1])
        inner_proto = ETH_IPV4 if l3[0] >> 4 == 4 else ETH_IPV6
        self._seq += 1
        seq = self._seq if self.gre_seq else None
        if k == "ipip":
            return (PROTO_IPIP if l3[0] >> 4 == 4 else PROTO_IPV6_IN_IP), l3
        if k == "gre":
            return PROTO_GRE, gre(l3, inner_proto, tid, seq, self.gre_checksum)
        if k == "gre-eth":
            return PROTO_GRE, gre(self._eth(l3, d), ETH_TEB, tid, seq, self.gre_checksum)
        if k == "erspan1":
            return PROTO_GRE, gre(self._eth(l3, d), ETH_ERSPAN2)
        if k == "erspan2":
            return PROTO_GRE, gre(erspan2(self._eth(l3, d), tid), ETH_ERSPAN2, seq=self._seq)
        if k == "erspan3":
            return PROTO_GRE, gre(erspan3(self._eth(l3, d), tid, subheader=b"\x11" * 8),
                                  ETH_ERSPAN3, seq=self._seq)
        if k in ("vxlan", "geneve", "gtpu", "teredo"):
            if k == "vxlan":
                body, port = vxlan(self._eth(l3, d), tid), PORT_VXLAN
            elif k == "geneve":
                body, port = geneve(l3, tid, inner_proto, self.geneve_options), PORT_GENEVE
            elif k == "gtpu":
                body, port = gtpu(l3, tid, seq=self._seq, ext=self.gtpu_ext), PORT_GTPU
            else:
                body, port = teredo(l3, origin=(40000, "198.51.100.7") if d else None), PORT_TEREDO
            port = self.port or port
            sport = 50000 + d if k in ("vxlan", "geneve") else port
            sp, dp = (sport, port) if k != "teredo" or d == 0 else (port, 40000)
            return PROTO_UDP, udp(src, dst, sp, dp, body)
        raise ValueError("unknown encapsulation %r" % k)

    def wrap(self, l3, d):
        """The delivering datagram(s) for one inner datagram of direction d."""
        proto, body = self.header(l3, d)
        src, dst = (self.outer if d == 0 else self.outer[::-1])
        self._ident += 1
        return outer_ip(src, dst, body, proto, ident=self._ident, frag_size=self.frag,
                        order=self.frag_order)


# ---------------------------------------------------------------------------
# Records and writers
class Record:
    """One captured frame: ts in ns, link type, bytes, original length, interface."""

    __slots__ = ("ts_ns", "linktype", "data", "orig_len", "iface")

    def __init__(self, ts_ns, linktype, data, orig_len=None, iface=0):
        self.ts_ns = ts_ns
        self.linktype = linktype
        self.data = data
        self.orig_len = len(data) if orig_len is None else orig_len
        self.iface = iface


def _split_ts(ts_ns, units_per_sec):
    unit = 1_000_000_000 // units_per_sec
    if ts_ns % unit:
        raise ValueError("timestamp %d ns not representable at 1/%d s" % (ts_ns, units_per_sec))
    return ts_ns // 1_000_000_000, (ts_ns % 1_000_000_000) // unit


def pcap_bytes(records, linktype=None, nsec=False, big_endian=False, snaplen=262144):
    """Classic libpcap file. All records must share one link type."""
    e = ">" if big_endian else "<"
    if linktype is None:
        linktype = records[0].linktype if records else LINKTYPE_ETHERNET
    magic = 0xA1B23C4D if nsec else 0xA1B2C3D4
    out = [struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)]
    for r in records:
        assert r.linktype == linktype, "classic pcap holds one link type"
        sec, frac = _split_ts(r.ts_ns, 1_000_000_000 if nsec else 1_000_000)
        data = r.data[:snaplen]
        out.append(struct.pack(e + "IIII", sec, frac, len(data), r.orig_len) + data)
    return b"".join(out)


def _pad4(b):
    return b + b"\0" * ((-len(b)) % 4)


def _pcapng_block(e, btype, body):
    body = _pad4(body)
    total = 12 + len(body)
    return struct.pack(e + "II", btype, total) + body + struct.pack(e + "I", total)


def _pcapng_opt(e, code, value):
    return struct.pack(e + "HH", code, len(value)) + _pad4(value)


class Interface:
    """A pcapng interface: link type and timestamp resolution as a power of
    ten (6 = microseconds, the default; 9 = nanoseconds; 3 = milliseconds)."""

    def __init__(self, linktype, tsresol=6, name=None, snaplen=262144):
        self.linktype = linktype
        self.tsresol = tsresol
        self.name = name
        self.snaplen = snaplen


def pcapng_bytes(records, interfaces, big_endian=False, shb_comment=None):
    """pcapng with one section. records[i].iface indexes interfaces."""
    e = ">" if big_endian else "<"
    shb_opts = b""
    if shb_comment:
        shb_opts += _pcapng_opt(e, 1, shb_comment.encode())
    if shb_opts:
        shb_opts += _pcapng_opt(e, 0, b"")
    out = [_pcapng_block(e, 0x0A0D0D0A,
                         struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1) + shb_opts)]
    for itf in interfaces:
        opts = b""
        if itf.name:
            opts += _pcapng_opt(e, 2, itf.name.encode())
        if itf.tsresol != 6:
            opts += _pcapng_opt(e, 9, bytes([itf.tsresol]))
        if opts:
            opts += _pcapng_opt(e, 0, b"")
        out.append(_pcapng_block(e, 1, struct.pack(e + "HHI", itf.linktype, 0, itf.snaplen) + opts))
    for r in records:
        itf = interfaces[r.iface]
        assert itf.linktype == r.linktype, "record link type differs from its interface"
        units = 10 ** itf.tsresol
        sec, frac = _split_ts(r.ts_ns, units)
        ticks = sec * units + frac
        data = r.data[:itf.snaplen]
        body = struct.pack(e + "IIIII", r.iface, ticks >> 32, ticks & 0xFFFFFFFF,
                           len(data), r.orig_len) + _pad4(data)
        out.append(_pcapng_block(e, 6, body))
    return b"".join(out)


def gzip_bytes(data):
    """Deterministic gzip (mtime 0)."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def __getattr__(name):
    """pcapgen.Conversation, pcapgen.expected_output, ... come from
    conversation.py (imported lazily: it builds on this module)."""
    if name in ("Conversation", "expected_output", "records", "merge", "base_name"):
        import conversation
        return getattr(conversation, name)
    raise AttributeError(name)
