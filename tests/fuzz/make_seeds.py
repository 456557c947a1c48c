#!/usr/bin/env python3
"""Writes seed corpora for the libFuzzer targets (nothing here is committed).

Usage: make_seeds.py OUTDIR [--corpus ../shared/corpus] [--sample 60]

OUTDIR/fuzz_decode/: every capture of testdata/ and a deterministic sample of
the shared corpus (small files), each as 0xFF + file bytes (the whole-file
mode), plus their first records in the per-record format
[link type index][len lo][len hi][frame].
OUTDIR/fuzz_reassembler/: segment sequences (in-order, reversed, overlapping,
with bad checksums) in the target's input format.
OUTDIR/fuzz_filename/: FlowInfo headers with the documented templates and
hostile names (../, /abs, control characters, long components).
OUTDIR/fuzz_http/: HTTP request and response streams (chunked, gzip, deflate,
HEAD/304/1xx, upgrade, malformed heads) under several option bytes.
Also copies tests/fuzz/regressions/<target>/* so known crashers stay seeds.
"""
import argparse
import hashlib
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))


def put(d, data):
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def pcap_records(data, limit=8):
    """(linktype, frame) pairs of a classic little/big-endian pcap, else []."""
    if len(data) < 24:
        return []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return []
    link = struct.unpack(e + "I", data[20:24])[0] & 0xFFFF
    out, pos = [], 24
    while pos + 16 <= len(data) and len(out) < limit:
        caplen = struct.unpack(e + "I", data[pos + 8:pos + 12])[0]
        frame = data[pos + 16:pos + 16 + caplen]
        if len(frame) < caplen:
            break
        out.append((link, frame[:65535]))
        pos += 16 + caplen
    return out


LINKS = [0, 1, 9, 12, 14, 101, 104, 108, 113, 228, 229, 276]  # hint only: the target maps by index


def decode_seeds(out, corpus, sample):
    files = []
    td = os.path.join(REPO, "testdata")
    for n in sorted(os.listdir(td)):
        if n.endswith((".pcap", ".pcapng", ".cap")):
            files.append(os.path.join(td, n))
    manifest = os.path.join(corpus, "MANIFEST.tsv")
    if os.path.isfile(manifest):
        rows = []
        with open(manifest, encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split("\t")
            for line in f:
                r = dict(zip(header, line.rstrip("\n").split("\t")))
                try:
                    if int(r.get("bytes", "0")) <= 64 * 1024:
                        rows.append(r["path"])
                except ValueError:
                    pass
        rng = random.Random(1)
        for p in sorted(rng.sample(rows, min(sample, len(rows)))):
            files.append(os.path.join(corpus, p))
    d = os.path.join(out, "fuzz_decode")
    for path in files:
        with open(path, "rb") as f:
            data = f.read(256 * 1024)
        put(d, b"\xff" + data)
        recs = pcap_records(data)
        if recs:
            blob = b""
            for link, frame in recs:
                blob += bytes([LINKS.index(link) if link in LINKS else link & 0xFF])
                blob += struct.pack("<H", len(frame)) + frame
            put(d, blob)
    return len(files)


def tunnel_seeds(out):
    """Tunnelled frames (every encapsulation, nested ones) in the record format,
    and bare encapsulation headers for the direct mode (0xFE)."""
    sys.path.insert(0, os.path.join(REPO, "tests", "gen"))
    import pcapgen as pg
    d = os.path.join(out, "fuzz_decode")
    inner4 = pg.ipv4("10.0.0.1", "10.0.0.2", pg.tcp("10.0.0.1", "10.0.0.2", 1000, 80, 1, 0,
                                                    pg.ACK, b"payload"))
    inner6 = pg.ipv6("2001:db8::1", "2001:db8::2", pg.tcp("2001:db8::1", "2001:db8::2", 1000, 80,
                                                          1, 0, pg.ACK, b"payload"))
    stacks = [[pg.Encap(k, tid=7)] for k in ("ipip", "gre", "gre-eth", "erspan1", "erspan2",
                                              "erspan3", "vxlan", "geneve", "gtpu")]
    stacks += [[pg.Encap("teredo")], [pg.Encap("gre", tid=1), pg.Encap("vxlan", tid=2)],
               [pg.Encap("gtpu", tid=3, gtpu_ext=[(0x85, b"\x01")]), pg.Encap("ipip")],
               [pg.Encap("vxlan", tid=4, frag=64)]]
    eth = LINKS.index(1)
    for stack in stacks:
        inner = inner6 if stack[-1].kind == "teredo" else inner4
        frames = [inner]
        for layer in reversed(stack):
            frames = [o for f in frames for o in layer.wrap(f, 0)]
        blob = b""
        for l3 in frames:
            frame = pg.ethernet(l3, pg.ETH_IPV4 if l3[0] >> 4 == 4 else pg.ETH_IPV6)
            blob += bytes([eth]) + struct.pack("<H", len(frame)) + frame
        put(d, blob)
    frame = pg.ethernet(inner4, pg.ETH_IPV4)
    headers = [(0, inner4), (1, inner6), (2, pg.gre(inner4, 0x800, key=5, seq=6, checksum=True)),
               (3, pg.vxlan(frame, 100)), (4, pg.geneve(inner4, 9, 0x800, b"\0" * 8)),
               (5, pg.gtpu(inner4, 1, seq=2, ext=[(0x85, b"\x01\x02")])), (6, inner6)]
    for index, header in headers:
        put(d, b"\xfe" + bytes([index]) + header)


def reasm_seeds(out):
    d = os.path.join(out, "fuzz_reassembler")
    rng = random.Random(2)
    text = b"The quick brown fox jumps over the lazy dog. " * 8
    for isn in (0, 1000, 0xFFFFFFF0, 0x7FFFFFFF):
        # In-order mode (opt bit 0), chunks of various sizes.
        for opt in (0x01, 0x03, 0x31, 0x41):
            blob = bytes([opt]) + struct.pack(">I", isn)
            pos = 0
            while pos < len(text):
                n = rng.randint(0, 90)
                blob += bytes([n]) + text[pos:pos + n]
                pos += n
            put(d, blob)
        # Free mode: SYN, then segments in order, reversed, shuffled, overlapping.
        segs = []
        pos = 0
        while pos < len(text):
            n = rng.randint(1, 60)
            segs.append((pos, text[pos:pos + n]))
            pos += n
        syn = struct.pack(">IBB", isn, 0x02, 0)
        fin = struct.pack(">IBB", (isn + 1 + len(text)) & 0xFFFFFFFF, 0x11, 0)
        orders = [segs, segs[::-1], rng.sample(segs, len(segs))]
        for opt, order in zip((0x00, 0x04, 0x12), orders):
            blob = bytes([opt]) + syn
            for off, chunk in order:
                flags = 0x18 | (0x80 if rng.random() < 0.1 else 0)
                blob += struct.pack(">IBB", (isn + 1 + off) & 0xFFFFFFFF, flags, len(chunk)) + chunk
                if rng.random() < 0.2:  # an overlapping retransmission with other bytes
                    o2 = max(0, off - 5)
                    c2 = bytes(rng.randrange(256) for _ in range(min(30, len(text) - o2)))
                    blob += struct.pack(">IBB", (isn + 1 + o2) & 0xFFFFFFFF, 0x10, len(c2)) + c2
            put(d, blob + fin)
        # No SYN, a lower sequence number later (shift), and a far jump.
        blob = bytes([0x00])
        blob += struct.pack(">IBB", (isn + 100) & 0xFFFFFFFF, 0x18, 10) + text[:10]
        blob += struct.pack(">IBB", isn, 0x18, 10) + text[10:20]
        blob += struct.pack(">IBB", (isn + 200000) & 0xFFFFFFFF, 0x18, 10) + text[20:30]
        put(d, blob)


TEMPLATES = [
    "%A.%a-%B.%b", "%A.%a-%B.%b%V%v%C%c", "%T_%A.%a-%B.%b", "%N/%K/%M/%G/%A", "%#-%S-%t",
    "%E-%e/%A", "../%A", "/etc/%A", "a/./b/../c", "%%%A", "//%A//%B//", "x" * 300 + "/%A",
    ".", "..", "", "%C%c", "%", "%Z",
]
NAMES = [b"../../etc/passwd", b"/abs/path", b"a/\x01b/\x7f", b"./././", b"//", b"", b"..",
         b"x" * 600, b"a/" + b"y" * 300 + b"/z", b"\xc3\xa9" * 200]


def filename_seeds(out):
    d = os.path.join(out, "fuzz_filename")
    rng = random.Random(3)
    for i, t in enumerate(TEMPLATES):
        flags = i & 0x7F
        header = bytes([flags]) + bytes(rng.randrange(256) for _ in range(64))
        put(d, header + t.encode())
        put(d, header + t.encode() + b"\x00" + NAMES[i % len(NAMES)])


def http_seeds(out):
    """Request and response streams (keep-alive, chunked with trailers, gzip,
    raw and zlib deflate, HEAD/304/1xx, upgrade) under several option bytes
    (see fuzz_http.cpp: role, cap, forced coding, small limits)."""
    import gzip
    import zlib
    d = os.path.join(out, "fuzz_http")
    text = b"The quick brown fox jumps over the lazy dog. " * 40
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw_deflate = raw.compress(text) + raw.flush()
    gz = gzip.compress(text, mtime=0)
    bomb = gzip.compress(bytes(2 << 20), mtime=0)
    chunked = b"".join(b"%x\r\n" % len(text[i:i + 97]) + text[i:i + 97] + b"\r\n"
                       for i in range(0, len(text), 97)) + b"0\r\nX-T: 1\r\n\r\n"
    requests = (b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
                b"POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
                b"PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked +
                b"HEAD /h HTTP/1.0\r\n\r\nCONNECT x:443 HTTP/1.1\r\n\r\n\x16\x03\x01")
    responses = (b"HTTP/1.1 100 Continue\r\n\r\n"
                 b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
                 % len(gz) + gz +
                 b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nTransfer-Encoding: chunked"
                 b"\r\n\r\n" + b"%x\r\n" % len(raw_deflate) + raw_deflate + b"\r\n0\r\n\r\n"
                 b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"
                 b"HTTP/1.1 304 Not Modified\r\n\r\n"
                 b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: %d\r\n\r\n"
                 % len(zlib.compress(text)) + zlib.compress(text) +
                 b"HTTP/1.0 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + bomb[:4000])
    upgrade = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello"
    malformed = b"GET / HTTP/1.1\r\nX: " + b"a" * 100 + b"\r\nBad Field\r\n\r\n"
    for opt in (0x00, 0x01, 0x02, 0x0c, 0x08, 0x04, 0x1c, 0x3c, 0x40, 0x4e):
        for i, body in enumerate((requests, responses, upgrade, malformed)):
            put(d, bytes([opt, 17 + i]) + body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--corpus", default=os.environ.get(
        "TCPFLOW_CORPUS", os.path.normpath(os.path.join(REPO, "..", "shared", "corpus"))))
    ap.add_argument("--sample", type=int, default=60)
    args = ap.parse_args()
    n = decode_seeds(args.outdir, args.corpus, args.sample)
    tunnel_seeds(args.outdir)
    reasm_seeds(args.outdir)
    filename_seeds(args.outdir)
    http_seeds(args.outdir)
    reg = os.path.join(HERE, "regressions")
    for target in os.listdir(reg) if os.path.isdir(reg) else []:
        src = os.path.join(reg, target)
        if os.path.isdir(src):
            for n2 in os.listdir(src):
                with open(os.path.join(src, n2), "rb") as f:
                    put(os.path.join(args.outdir, target), f.read())
    for t in sorted(os.listdir(args.outdir)):
        print("seeds %s: %d inputs" % (t, len(os.listdir(os.path.join(args.outdir, t)))))
    print("(decode seeds from %d capture files)" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
