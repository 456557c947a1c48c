#!/usr/bin/env python3
"""Regenerates testdata/: a few small captures with known truth, and
testdata/README.md describing them (including the expected tcpflow output).

Deterministic: the same bytes on every run. Usage:
    python3 tests/gen/make_testdata.py [--check] [OUTDIR]
OUTDIR defaults to testdata/ beside tests/. --check compares instead of
writing and exits 1 if anything differs.
"""

import hashlib
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import conversation as cv  # noqa: E402
import pcapgen as pg       # noqa: E402

START = cv.DEFAULT_START_NS


def _rand(n, seed):
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(n))


def _http():
    req = (b"GET /hello.txt HTTP/1.1\r\nHost: demo.example\r\nUser-Agent: pcapgen/1.0\r\n"
           b"Accept: */*\r\n\r\n")
    body = b"".join(b"Hello from the tcpflow demo capture, line %02d.\r\n" % i
                    for i in range(40))
    resp = (b"HTTP/1.1 200 OK\r\nServer: pcapgen\r\nContent-Type: text/plain\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)) + body
    return req, resp


def http_demo():
    req, resp = _http()
    c = cv.Conversation(client=("192.168.0.10", 51000), server=("192.168.0.80", 80),
                        client_data=req, server_data=resp, mss=1448, isn=(3_000_000, 9_000_000),
                        tcp_timestamps=True)
    packets = cv.merge([c.finalize(START)])
    data = pg.pcap_bytes(cv.records(packets))
    return data, packets, ("A short HTTP/1.1 GET and its 200 response over Ethernet "
                           "(classic pcap, microseconds): handshake, request, 2-segment "
                           "response, FIN/ACK close.")


def reassembly():
    c = cv.Conversation(client=("10.0.0.1", 40000), server=("10.0.0.2", 5000),
                        client_data=_rand(6000, 1), server_data=_rand(9000, 2), mss=700,
                        isn=(0xFFFFFFFF - 2500, 0xFFFFF000))
    c.reorder(0, window=4, seed=3)
    c.duplicate(1, 2)
    c.recut(1, 4)
    c.conflict(0, 3000, 200)
    c.bad_then_good(1, 6)
    c.keepalive(0, byte=b"\x00" if c.data[0][-1] else b"\x01")
    c.drop(1, 9)
    packets = cv.merge([c.finalize(START)])
    data = pg.pcap_bytes(cv.records(packets))
    return data, packets, (
        "One connection whose sequence numbers wrap past 2^32 in both directions. Client: "
        "segments reordered in windows of 4, a later conflicting copy of bytes 3000-3199 "
        "(the first copy is the truth), a 1-byte keepalive. Server: a duplicate, an "
        "overlapping re-cut retransmission, a corrupted copy with a bad TCP checksum "
        "followed by a good one, and one lost segment (bytes 6300-6999 are zeros).")


def ipv6_frag():
    hbh = pg.ext_hopopts(bytes([5, 2, 0, 0]))
    c = cv.Conversation(client=("2001:db8::a", 41000), server=("2001:db8::b", 443),
                        client_data=_rand(2000, 4), server_data=_rand(3000, 5), mss=600,
                        vlan_tags=[pg.vlan_tag(200, pcp=6)],
                        ipv6_ext=[hbh, pg.ext_routing(), pg.ext_dstopts()])
    c.fragment(0, 1, size=200, order="reverse")
    c.fragment(1, 2, size=160, order="shuffle", dup=(0,), overlap=16)
    packets = cv.merge([c.finalize(START + 123_456_789, 1_000_003)])
    data = pg.pcapng_bytes(cv.records(packets), [pg.Interface(pg.LINKTYPE_ETHERNET, 9)])
    return data, packets, (
        "IPv6 over 802.1Q (VLAN 200, priority 6) with hop-by-hop, routing and destination "
        "options headers; one client segment in reversed fragments, one server segment in "
        "shuffled, overlapping fragments with a duplicate. pcapng, nanosecond timestamps.")


def mixed_linktypes():
    a = cv.Conversation(client=("10.1.0.1", 1111), server=("10.1.0.2", 80),
                        client_data=_rand(800, 6), server_data=_rand(1200, 7), mss=500)
    b = cv.Conversation(client=("10.2.0.1", 2222), server=("10.2.0.2", 25),
                        client_data=_rand(900, 8), server_data=_rand(400, 9), mss=500)
    c = cv.Conversation(client=("fd00::1", 3333), server=("fd00::2", 22),
                        client_data=_rand(300, 10), server_data=_rand(700, 11), mss=500)
    a.finalize(START)
    b.finalize(START + 250_000)
    c.finalize(START + 500_000)
    recs = (cv.records(a.pkts, pg.LINKTYPE_ETHERNET, iface=0)
            + cv.records(b.pkts, pg.LINKTYPE_LINUX_SLL2, iface=1)
            + cv.records(c.pkts, pg.LINKTYPE_NULL, iface=2, null_family=pg.AF_INET6_DARWIN))
    recs.sort(key=lambda r: r.ts_ns)
    itfs = [pg.Interface(pg.LINKTYPE_ETHERNET, 6, "eth0"),
            pg.Interface(pg.LINKTYPE_LINUX_SLL2, 9, "any"),
            pg.Interface(pg.LINKTYPE_NULL, 6, "lo0")]
    data = pg.pcapng_bytes(recs, itfs)
    return data, cv.merge([a, b, c]), (
        "pcapng with three interfaces of different link types: Ethernet (IPv4), Linux "
        "SLL2 (IPv4, nanosecond if_tsresol) and BSD loopback DLT_NULL with AF_INET6 = 30 "
        "(IPv6), one connection on each, interleaved in time.")


def port_reuse():
    ends = dict(client=("172.16.0.5", 60000), server=("172.16.0.9", 8080))
    a = cv.Conversation(client_data=b"first connection\n", server_data=b"", isn=(100, 200),
                        **ends)
    b = cv.Conversation(client_data=b"second connection\n", server_data=b"reply two\n",
                        isn=(70000, 80000), **ends)
    c = cv.Conversation(client_data=b"third connection\n", server_data=b"reply three\n",
                        isn=(5_000_000, 6_000_000), close="rst", **ends)
    packets = cv.merge([a.finalize(START), b.finalize(START + 100_000_000),
                        c.finalize(START + 200_000_000)])
    data = pg.pcap_bytes(cv.records(packets))
    return data, packets, (
        "Three connections on the same 4-tuple (FIN, FIN, RST). The server sends nothing "
        "in the first one, so its first file comes from the second connection "
        "and the c-counter is per file name.")


CAPTURES = [
    ("http-demo.pcap", http_demo),
    ("reassembly.pcap", reassembly),
    ("ipv6-vlan-frag.pcapng", ipv6_frag),
    ("mixed-linktypes.pcapng", mixed_linktypes),
    ("port-reuse.pcap", port_reuse),
]


def build_all():
    """[(file name, capture bytes, expected files, expected mtimes, description)]"""
    out = []
    for name, fn in CAPTURES:
        data, packets, text = fn()
        files, mtimes = cv.expected_output(packets)
        out.append((name, data, files, mtimes, text))
    return out


README_HEAD = """\
# testdata

Small captures for the README demo and for the end-to-end tests. **Every file
here is generated** by `tests/gen/make_testdata.py` (standard-library Python,
using `tests/gen/pcapgen.py` and `tests/gen/conversation.py`); none was
recorded on a network or copied from another project. The generator knows
what each connection carried, so the expected tcpflow output below is exact
by construction. Regenerate (bit-for-bit identical) with

    python3 tests/gen/make_testdata.py          # writes testdata/
    python3 tests/gen/make_testdata.py --check  # verifies, exit 1 if stale

The e2e suite (`tests/e2e/run_e2e.py -k testdata`) checks both that these
files are up to date and that `tcpflow -r FILE -o OUT` produces exactly the
files listed (plus `report.xml`), with each file's mtime equal to the time of
the last packet of its direction.

Demo:

    ./tcpflow -r testdata/http-demo.pcap -o demo-output

Addresses are from documentation/private ranges; payloads are text or
seeded pseudo-random bytes.
"""


def readme(built):
    lines = [README_HEAD]
    for name, data, files, mtimes, text in built:
        lines.append("## %s\n" % name)
        lines.append("%d bytes, sha256 `%s`.\n" % (len(data), hashlib.sha256(data).hexdigest()))
        lines.append(text + "\n")
        lines.append("| expected file | bytes | sha256 (first 16 hex) | mtime (UTC ns) |")
        lines.append("|---|---|---|---|")
        for f in sorted(files):
            lines.append("| `%s` | %d | `%s` | %d.%09d |" % (
                f, len(files[f]), hashlib.sha256(files[f]).hexdigest()[:16],
                mtimes[f] // 10**9, mtimes[f] % 10**9))
        lines.append("")
    return "\n".join(lines)


def main(argv):
    check = "--check" in argv
    rest = [a for a in argv if a != "--check"]
    outdir = rest[0] if rest else os.path.join(HERE, "..", "..", "testdata")
    built = build_all()
    wanted = {name: data for name, data, *_ in built}
    wanted["README.md"] = readme(built).encode()
    stale = []
    for name, data in wanted.items():
        path = os.path.join(outdir, name)
        if check:
            try:
                with open(path, "rb") as f:
                    if f.read() != data:
                        stale.append(name)
            except OSError:
                stale.append(name)
        else:
            os.makedirs(outdir, exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
    if check:
        for name in stale:
            print("stale: %s" % name)
        return 1 if stale else 0
    print("wrote %d files to %s (%d bytes)" % (len(wanted), os.path.normpath(outdir),
                                              sum(len(d) for d in wanted.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
