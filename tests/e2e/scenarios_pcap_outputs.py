"""Options that write captures end to end: -K (one pcap per connection) and
-w (the packets no flow used). Records are compared as (timestamp in us,
bytes); -K names a connection's pcap FLOWNAME.pcap after the direction of
its first packet."""

import os
import struct

from e2e_lib import Case, Run, conv, cv, finalize_all, pg, scenario, truth
from options_lib import A, B, C, D, exact_set, file_tree, read_file


# -- -K ------------------------------------------------------------------------------
def read_pcap(data):
    """(linktype, [(ts_us, bytes)]) of a classic pcap (stdlib reader)."""
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise ValueError("not a pcap file (magic %s)" % magic.hex())
    nsec = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    recs, pos = [], 24
    while pos < len(data):
        if pos + 16 > len(data):
            raise ValueError("truncated record header at %d" % pos)
        sec, frac, incl, _orig = struct.unpack(e + "IIII", data[pos:pos + 16])
        body = data[pos + 16:pos + 16 + incl]
        if len(body) != incl:
            raise ValueError("truncated record at %d" % pos)
        recs.append((sec * 10**6 + (frac // 1000 if nsec else frac), body))
        pos += 16 + incl
    return linktype, recs


def _K_case(ctx, linktype, fmt="pcap", reuse=False):
    if reuse:      # three connections on one 4-tuple: FLOWNAME, ...c1, ...c2
        convs = [conv(600 + 100 * i, 400, seed=i + 1, client=A, server=B,
                      isn=(1000 + 100000 * i, 5000 + 100000 * i)) for i in range(3)]
        firsts = [(c, 0, "c%d" % i if i else "") for i, c in enumerate(convs)]
    else:
        a = conv(1200, 800, seed=1, client=A, server=B)
        b = conv(700, 900, seed=2, client=C, server=D)
        b.pkts.pop(0)            # b's first captured packet is the server's SYN-ACK
        convs = [a, b]
        firsts = [(a, 0, ""), (b, 1, "")]
    packets = finalize_all(convs)
    recs = cv.records(packets, linktype)
    if fmt == "pcap":
        path = ctx.write("cap.pcap", pg.pcap_bytes(recs, linktype))
    else:
        path = ctx.write("cap.pcapng", pg.pcapng_bytes(recs, [pg.Interface(linktype)]))
    files, mtimes = truth(packets)
    want = {}
    for c, d, count in firsts:
        want[c.name(d) + count + ".pcap"] = [
            (r.ts_ns // 1000, r.data) for r in cv.records(cv.merge([c]), linktype)]

    def check(outdir):
        tree = file_tree(outdir)
        probs = []
        names = set(files) | set(want)
        if set(tree) - {"report.xml"} != names:
            probs.append("-K: files %s, expected %s" % (sorted(set(tree) - {"report.xml"}),
                                                       sorted(names)))
        for name, recs_want in want.items():
            if name not in tree:
                continue
            try:
                lt, got = read_pcap(read_file(tree[name]))
            except ValueError as e:
                probs.append("%s: %s" % (name, e))
                continue
            if lt != linktype:
                probs.append("%s: link type %d, expected %d" % (name, lt, linktype))
            if got != recs_want:
                i = next((i for i, (g, w) in enumerate(zip(got, recs_want)) if g != w),
                         min(len(got), len(recs_want)))
                probs.append("%s: %d records, expected %d; first difference at record %d" % (
                    name, len(got), len(recs_want), i))
        return probs
    case = Case([Run(["-r", path, "-o", "out", "-K"])], None, mtimes, some_files=files)
    case.check = check
    return case


@scenario("opt-K-ethernet")
def _(ctx):
    return _K_case(ctx, pg.LINKTYPE_ETHERNET)


@scenario("opt-K-linux-sll")
def _(ctx):
    return _K_case(ctx, pg.LINKTYPE_LINUX_SLL)


@scenario("opt-K-raw")
def _(ctx):
    return _K_case(ctx, pg.LINKTYPE_RAW)


@scenario("opt-K-reused-4tuple")
def _(ctx):
    return _K_case(ctx, pg.LINKTYPE_ETHERNET, reuse=True)


@scenario("opt-K-pcapng-input")
def _(ctx):
    return _K_case(ctx, pg.LINKTYPE_ETHERNET, fmt="pcapng")


# -- -w ------------------------------------------------------------------------------
def _udp(src, dst, sport, dport, payload):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return pg.ipv4(src, dst, seg, proto=17)


def _other_frames(base_ns):
    """Frames tcpflow does not use: UDP, ICMP, ARP, a cut IPv4 header."""
    eth = pg.ethernet
    udp = eth(_udp("10.0.0.9", "10.0.0.10", 5353, 53, b"query"), pg.ETH_IPV4)
    icmp_body = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + b"ping"
    icmp_body = icmp_body[:2] + struct.pack("!H", pg.inet_checksum(icmp_body)) + icmp_body[4:]
    icmp = eth(pg.ipv4("10.0.0.9", "10.0.0.10", icmp_body, proto=1), pg.ETH_IPV4)
    arp = eth(struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, pg.mac_bytes("02:00:00:00:00:09"),
                          bytes([10, 0, 0, 9]), b"\0" * 6, bytes([10, 0, 0, 10])), 0x0806)
    cut = eth(b"\x45\x00\x00", pg.ETH_IPV4, pad=False)     # 3 bytes of an IPv4 header
    return [pg.Record(base_ns + i * 500_000, pg.LINKTYPE_ETHERNET, f)
            for i, f in enumerate((udp, icmp, arp, cut))]


def _w_case(ctx, fmt):
    a = conv(1200, 800, seed=1, client=A, server=B)
    packets = finalize_all([a])
    tcp_recs = cv.records(packets)
    others = _other_frames(cv.DEFAULT_START_NS + 2_500_000)
    recs = sorted(tcp_recs + others, key=lambda r: r.ts_ns)
    if fmt == "pcap":
        path = ctx.write("mixed.pcap", pg.pcap_bytes(recs))
    else:
        path = ctx.write("mixed.pcapng", pg.pcapng_bytes(recs, [pg.Interface(pg.LINKTYPE_ETHERNET)]))
    os.makedirs(os.path.join(ctx.rundir, "out"))
    files, mtimes = truth(packets)
    want = [(r.ts_ns // 1000, r.data) for r in others]

    def check(outdir):
        tree = file_tree(outdir)
        if "unused.pcap" not in tree:
            return ["-w: out/unused.pcap missing"]
        try:
            lt, got = read_pcap(read_file(tree["unused.pcap"]))
        except ValueError as e:
            return ["-w: unused.pcap: %s" % e]
        probs = []
        if lt != pg.LINKTYPE_ETHERNET:
            probs.append("-w: link type %d, expected 1" % lt)
        if got != want:
            probs.append("-w: %d records %s, expected the %d non-TCP ones (udp icmp arp cut)" % (
                len(got), [len(r[1]) for r in got], len(want)))
        return probs
    case = Case([Run(["-r", path, "-o", "out", "-w", "out/unused.pcap"])], None, mtimes,
                some_files=files)
    case.check = lambda outdir: check(outdir) + exact_set(outdir, set(files) | {"unused.pcap"})
    return case


@scenario("opt-w-pcap")
def _(ctx):
    return _w_case(ctx, "pcap")


@scenario("opt-w-pcapng")
def _(ctx):
    return _w_case(ctx, "pcapng")
