"""Capture generators for the resource-limit tests (standard library only).

Packets are Ethernet + IPv4 + TCP with correct checksums, written with struct
directly so a million-flow capture takes seconds. Timestamps are microseconds.
"""
import array
import struct
import sys

ETH = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)


def _sum16(data):
    if len(data) % 2:
        data += b"\0"
    a = array.array("H", data)
    if sys.byteorder == "little":
        a.byteswap()
    return sum(a)


def checksum(data, initial=0):
    total = initial + _sum16(data)
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split(".")) if isinstance(a, str) else struct.pack("!I", a)


def ipv4_packet(src, dst, proto_payload, ident=1, frag_off=0, more=False, proto=6,
                total_len=None):
    """IPv4 header (no options) + payload; frag_off in 8-byte units."""
    flags = (0x2000 if more else 0) | (frag_off & 0x1FFF)
    if frag_off == 0 and not more:
        flags |= 0x4000  # DF for unfragmented packets
    length = total_len if total_len is not None else 20 + len(proto_payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, length, ident & 0xFFFF, flags, 64, proto, 0,
                      src, dst)
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + proto_payload


def tcp_segment(src, dst, sport, dport, seq, ack, flags, payload=b""):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4,
                      flags, 65535, 0, 0)
    seg = hdr + payload
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(seg))
    c = checksum(pseudo + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def record(ts_us, frame):
    return struct.pack("<IIII", ts_us // 1000000, ts_us % 1000000, len(frame), len(frame)) + frame


def tcp_frame(src, dst, sport, dport, seq, ack, flags, payload=b"", ident=1):
    return ETH + ipv4_packet(src, dst, tcp_segment(src, dst, sport, dport, seq, ack, flags,
                                                   payload), ident=ident)


class Writer:
    """Streams a classic pcap to a file."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(PCAP_HEADER)
        self.ts = 1_700_000_000_000_000
        self.count = 0

    def add(self, frame, dt_us=10):
        self.ts += dt_us
        self.f.write(record(self.ts, frame))
        self.count += 1

    def close(self):
        self.f.close()


def _fold(x):
    while x >> 16:
        x = (x & 0xFFFF) + (x >> 16)
    return x


def syn_flood(path, n):
    """n one-packet flows: a SYN from a distinct (address, port) each time.
    One template packet; only source address, port and sequence number change,
    and both checksums are patched arithmetically (one's complement sums)."""
    dst = ip4("10.255.0.1")
    # Template with zero source address, port and sequence number, zero checksums.
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0x4000, 64, 6, 0, b"\0" * 4, dst)
    tcph = struct.pack("!HHIIBBHHH", 0, 80, 0, 0, 5 << 4, SYN, 65535, 0, 0)
    ip_base = _sum16(iph)
    tcp_base = _sum16(dst + struct.pack("!BBH", 0, 6, 20) + tcph)
    pack_rec = struct.Struct("<IIII").pack
    pack_ip = struct.Struct("!BBHHHBBH4s4s").pack
    pack_tcp = struct.Struct("!HHIIBBHHH").pack
    sec0 = 1_700_000_000
    with open(path, "wb") as f:
        f.write(PCAP_HEADER)
        chunk = []
        for i in range(n):
            src_int = 0x0A000001 + (i >> 14)
            sport = 1024 + (i & 0x3FFF)
            seq = 1000 + i
            sw = (src_int >> 16) + (src_int & 0xFFFF)
            ipc = (~_fold(ip_base + sw)) & 0xFFFF
            tc = (~_fold(tcp_base + sw + sport + (seq >> 16) + (seq & 0xFFFF))) & 0xFFFF
            src = src_int.to_bytes(4, "big")
            chunk.append(pack_rec(sec0 + i // 1000000, i % 1000000, 54, 54) + ETH +
                         pack_ip(0x45, 0, 40, 1, 0x4000, 64, 6, ipc, src, dst) +
                         pack_tcp(sport, 80, seq, 0, 5 << 4, SYN, 65535, tc, 0))
            if len(chunk) >= 65536:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))


def conversation(w, client, server, cport, sport, cdata, sdata=b"", mss=1400, isn=(1000, 5000),
                 order=None, close=True):
    """Appends one TCP connection to Writer w. order: list of client segment
    indexes in sending order (default: in order)."""
    c, s = ip4(client), ip4(server)
    cseq, sseq = isn[0], isn[1]
    w.add(tcp_frame(c, s, cport, sport, cseq, 0, SYN))
    w.add(tcp_frame(s, c, sport, cport, sseq, cseq + 1, SYN | ACK))
    w.add(tcp_frame(c, s, cport, sport, cseq + 1, sseq + 1, ACK))
    segs = [(o, cdata[o:o + mss]) for o in range(0, len(cdata), mss)]
    for i in (order if order is not None else range(len(segs))):
        o, chunk = segs[i]
        w.add(tcp_frame(c, s, cport, sport, cseq + 1 + o, sseq + 1, ACK | PSH, chunk))
    for o in range(0, len(sdata), mss):
        w.add(tcp_frame(s, c, sport, cport, sseq + 1 + o, cseq + 1 + len(cdata), ACK | PSH,
                        sdata[o:o + mss]))
    if close:
        cend, send = cseq + 1 + len(cdata), sseq + 1 + len(sdata)
        w.add(tcp_frame(c, s, cport, sport, cend, send, FIN | ACK))
        w.add(tcp_frame(s, c, sport, cport, send, cend + 1, FIN | ACK))
        w.add(tcp_frame(c, s, cport, sport, cend + 1, send + 1, ACK))


def pattern(n, seed):
    """n deterministic, position-dependent bytes (so misplaced data shows)."""
    block = bytes((seed * 131 + i * 7 + (i >> 8)) & 0xFF for i in range(65536))
    reps = n // len(block) + 1
    out = bytearray(block * reps)[:n]
    # Stamp the offset every 4 KiB so a shifted copy never matches.
    for off in range(0, n - 16, 4096):
        out[off:off + 16] = b"%08x@%07x" % (seed & 0xFFFFFFFF, off & 0xFFFFFFF)
    return bytes(out)
