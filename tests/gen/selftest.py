#!/usr/bin/env python3
"""Self-test of the generator: writes captures, parses them back with an
independent minimal parser, and checks

* every IPv4 header checksum, every TCP checksum (bad exactly where the
  generator was asked for a bad one), after IPv4/IPv6 fragment reassembly;
* the link layers and file formats decode to the same TCP segments;
* for damage-free-in-content cases, the streams rebuilt from the parsed
  packets (ISN from the SYN, first copy wins, good beats bad) equal
  conversation.expected_output().

Standard library only. Exit 0 when all is well. Also run by the e2e suite
as scenario gen-selftest.
"""

import gzip
import ipaddress
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import conversation as cv  # noqa: E402
import pcapgen as pg       # noqa: E402


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = 0
    for i in range(0, len(data), 2):
        s += (data[i] << 8) | data[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def read_pcap(blob):
    if blob[:2] == b"\x1f\x8b":
        blob = gzip.decompress(blob)
    magic = blob[:4]
    e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nsec = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    link = struct.unpack(e + "I", blob[20:24])[0]
    off, out = 24, []
    while off < len(blob):
        sec, frac, incl, _ = struct.unpack(e + "IIII", blob[off:off + 16])
        ts = sec * 10**9 + frac * (1 if nsec else 1000)
        out.append((ts, link, blob[off + 16:off + 16 + incl]))
        off += 16 + incl
    return out


def read_pcapng(blob):
    e = "<" if blob[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    off, itfs, out = 0, [], []
    while off < len(blob):
        btype, blen = struct.unpack(e + "II", blob[off:off + 8])
        body = blob[off + 8:off + blen - 4]
        if btype == 1:
            link = struct.unpack(e + "H", body[:2])[0]
            res, o = 6, 8
            while o + 4 <= len(body):
                code, ln = struct.unpack(e + "HH", body[o:o + 4])
                if code == 0:
                    break
                if code == 9:
                    res = body[o + 4]
                o += 4 + ln + (-ln) % 4
            itfs.append((link, res))
        elif btype == 6:
            iface, hi, lo, cap, _ = struct.unpack(e + "IIIII", body[:20])
            link, res = itfs[iface]
            ticks = (hi << 32) | lo
            out.append((ticks * 10**9 // 10**res, link, body[20:20 + cap]))
        off += blen
    return out


def strip_link(link, f):
    """Returns the IP datagram (up to its own length) from a frame."""
    if link == pg.LINKTYPE_ETHERNET:
        o = 12
        while struct.unpack("!H", f[o:o + 2])[0] in (0x8100, 0x88A8, 0x9100):
            o += 4
        l3 = f[o + 2:]
    elif link == pg.LINKTYPE_LINUX_SLL:
        l3 = f[16:]
    elif link == pg.LINKTYPE_LINUX_SLL2:
        l3 = f[20:]
    elif link in (pg.LINKTYPE_NULL, pg.LINKTYPE_LOOP):
        l3 = f[4:]
    elif link == pg.LINKTYPE_PPP:
        l3 = f[4:] if f[:2] == b"\xff\x03" else f[2:]
    else:
        l3 = f
    if l3[0] >> 4 == 4:
        tl = struct.unpack("!H", l3[2:4])[0]
        return l3[:tl] if tl else l3
    return l3[:40 + struct.unpack("!H", l3[4:6])[0]]


class Defrag:
    def __init__(self):
        self.parts = {}

    def add(self, key, off, data, more, head):
        entry = self.parts.setdefault(key, {"chunks": {}, "end": None, "head": None})
        entry["chunks"].setdefault(off, data)
        if off == 0:
            entry["head"] = head
        if not more:
            entry["end"] = off + len(data)
        if entry["end"] is None or entry["head"] is None:
            return None
        buf = bytearray(entry["end"])
        have = bytearray(entry["end"])
        for o, d in entry["chunks"].items():
            buf[o:o + len(d)] = d
            have[o:o + len(d)] = b"\1" * len(d)
        if all(have):
            del self.parts[key]
            return entry["head"], bytes(buf)
        return None


def tcp_segments(frames):
    """[(ts, src, dst, tcp bytes, checksum ok)] after defragmentation."""
    out, dfr = [], Defrag()
    for ts, link, f in frames:
        ip = strip_link(link, f)
        if ip[0] >> 4 == 4:
            ihl = (ip[0] & 15) * 4
            assert csum(ip[:ihl]) == 0xFFFF, "bad IPv4 header checksum"
            src, dst = ip[12:16], ip[16:20]
            fl = struct.unpack("!H", ip[6:8])[0]
            payload, more, off = ip[ihl:], bool(fl & 0x2000), (fl & 0x1FFF) * 8
            if more or off:
                r = dfr.add((src, dst, ip[4:6]), off, payload, more, None if off else b"")
                if r is None:
                    continue
                payload = r[1]
            pseudo = src + dst + struct.pack("!BBH", 0, 6, len(payload))
        else:
            src, dst = ip[8:24], ip[24:40]
            nh, o, frag = ip[6], 40, None
            while nh in (0, 43, 60, 44):
                if nh == 44:
                    fo = struct.unpack("!H", ip[o + 2:o + 4])[0]
                    frag = (ip[o], fo & ~7, fo & 1, ip[o + 4:o + 8])
                    nh, o = ip[o], o + 8
                    break
                nh, o = ip[o], o + 8 * (ip[o + 1] + 1)
            payload = ip[o:]
            if frag:
                r = dfr.add((src, dst, frag[3]), frag[1], payload, frag[2], frag[0])
                if r is None:
                    continue
                body = r[1]
                nh, o = r[0], 0
                while nh in (60,):
                    nh, o = body[o], o + 8 * (body[o + 1] + 1)
                payload = body[o:]
            assert nh == 6
            pseudo = src + dst + struct.pack("!IxxxB", len(payload), 6)
        ok = csum(pseudo + payload) == 0xFFFF
        out.append((ts, ipaddress.ip_address(src), ipaddress.ip_address(dst), payload, ok))
    return out


def rebuild(segs):
    """Independent stream rebuild: per direction, ISN from SYN (else lowest
    seq), first good copy wins, holes zero. Returns {(src,sp,dst,dp): bytes}."""
    flows = {}
    for _, src, dst, t, ok in segs:
        sp, dp, seq = struct.unpack("!HHI", t[:8])
        flags = t[13]
        data = t[(t[12] >> 4) * 4:]
        fl = flows.setdefault((str(src), sp, str(dst), dp), {"isn": None, "segs": []})
        if flags & 2:
            fl["isn"] = seq
        if data:
            fl["segs"].append((seq + (1 if flags & 2 else 0), data, ok))
    out = {}
    for key, fl in flows.items():
        if not fl["segs"]:
            continue
        base = (fl["isn"] + 1) if fl["isn"] is not None else fl["segs"][0][0]
        rel = [(((s - base + (1 << 31)) & 0xFFFFFFFF) - (1 << 31), d, ok)
               for s, d, ok in fl["segs"]]
        if fl["isn"] is None:
            low = min(r for r, _, _ in rel)
            rel = [(r - low, d, ok) for r, d, ok in rel]
        end = max(r + len(d) for r, d, _ in rel)
        buf, rank = bytearray(end), [0] * end
        for r, d, ok in rel:
            top = max(x + len(y) for x, y, _ in rel if len(y) > 1)
            if len(d) == 1 and rank[r] and r + 1 == top:
                continue   # keepalive
            g = 2 if ok else 1
            for i, b in enumerate(d):
                if rank[r + i] < g:
                    buf[r + i], rank[r + i] = b, g
        out[key] = bytes(buf)
    return out


def check(name, convs, linktype=pg.LINKTYPE_ETHERNET, fmt="pcap", frame_kw=None, **wkw):
    packets = cv.merge([c.finalize(cv.DEFAULT_START_NS + 7 * i) for i, c in enumerate(convs)])
    recs = cv.records(packets, linktype, **(frame_kw or {}))
    if fmt == "pcap":
        frames = read_pcap(pg.pcap_bytes(recs, linktype, **wkw))
    else:
        frames = read_pcapng(pg.pcapng_bytes(recs, [pg.Interface(linktype, 9)], **wkw))
    assert [f[0] for f in frames] == [r.ts_ns for r in recs], name + ": timestamps"
    segs = tcp_segments(frames)
    want_bad = sum(1 for p in packets if not p.good)
    got_bad = sum(1 for s in segs if not s[4])
    assert got_bad == want_bad, "%s: %d bad checksums, expected %d" % (name, got_bad, want_bad)
    assert len(segs) == len(packets), "%s: %d segments parsed, %d made" % (
        name, len(segs), len(packets))
    files, _ = cv.expected_output(packets)
    rebuilt = rebuild(segs)
    by_base = {}
    for c in convs:
        for d in (0, 1):
            src, dst = c.ends[d], c.ends[1 - d]
            by_base[(str(ipaddress.ip_address(src[0])), src[1],
                     str(ipaddress.ip_address(dst[0])), dst[1])] = c.name(d)
    for key, data in rebuilt.items():
        fname = by_base[key]
        assert files.get(fname) == data, "%s: %s differs from the truth" % (name, fname)
    assert len(rebuilt) == len(files), "%s: %d streams rebuilt, %d expected" % (
        name, len(rebuilt), len(files))


def rand(n, seed):
    import random
    r = random.Random(seed)
    return bytes(r.randrange(256) for _ in range(n))


def main(quiet=False):
    V6 = dict(client=("2001:db8::1", 1000), server=("2001:db8::2", 80))

    def c(n1=3000, n2=4000, seed=1, **kw):
        kw.setdefault("mss", 500)
        return cv.Conversation(client_data=rand(n1, seed), server_data=rand(n2, seed + 1), **kw)

    x = c(isn=(0xFFFFFFFF - 1000, 0xFFFFFF00))
    x.reorder(0, 3)
    x.duplicate(1, 2)
    x.recut(1, 3)
    x.bad_then_good(0, 2)
    x.bad_checksum(1, 5)
    x.drop(1, 6)
    x.keepalive(0, byte=b"\x00" if x.data[0][-1] else b"\x01")
    check("wrap+damage", [x])
    y = c(vlan_tags=[pg.vlan_tag(3, tpid=pg.TPID_8021AD), pg.vlan_tag(4)], ipv4_options=b"\x01" * 4)
    for i in (0, 2, 4):
        y.fragment(0, i, size=64, order="shuffle", dup=(1,), overlap=16)
    check("ipv4-frag+qinq", [y], frame_kw=dict(fcs=True))
    z = c(ipv6_ext=[pg.ext_hopopts(b"\x05\x02\x00\x00"), pg.ext_routing(), pg.ext_dstopts()], **V6)
    z.fragment(0, 1, size=128, order="reverse", overlap=8)
    z.fragment(1, 3, size=64, order="shuffle", dup=(0, 2))
    check("ipv6-ext-frag", [z], fmt="pcapng", big_endian=True)
    check("sll2", [c(seed=5), c(seed=7, **V6)], linktype=pg.LINKTYPE_LINUX_SLL2, nsec=True)
    check("null-be", [c(seed=9, **V6)], linktype=pg.LINKTYPE_NULL,
          frame_kw=dict(null_family=pg.AF_INET6_DARWIN, null_big_endian=True), big_endian=True)
    check("ppp", [c(seed=11)], linktype=pg.LINKTYPE_PPP, frame_kw=dict(ppp_addr_ctrl=False))
    m = c(seed=13, handshake=False, skip=(1000, 500), syn_data=0)
    m.reverse(0)
    check("midstream", [m], linktype=pg.LINKTYPE_RAW)
    t = c(seed=15, syn_data=200, mss=1448)
    t.tso()
    check("syn-data+tso", [t])
    if not quiet:
        print("pcapgen selftest: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
