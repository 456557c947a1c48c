"""Tunnelled TCP: IP-in-IP, GRE (+ Ethernet, ERSPAN), VXLAN, Geneve, GTP-U,
Teredo, nested tunnels, fragments outside and inside, tenants that share an
inner 4-tuple, broken tunnel headers, and -S decode_tunnels / *_ports.

Every conversation is damaged (client data reordered, a server segment
retransmitted, another server segment lost: a gap), so the files test the
reassembly of what the tunnel carried, not just its decoding.
"""

import os
import xml.etree.ElementTree as ET

from e2e_lib import Case, Run, conv, cv, finalize_all, pg, scenario, truth

NS = "{http://tcpflow.org/dfxml/2}"
V6C, V6S = ("2001:db8::10", 50000), ("2001:db8::20", 80)
TUNNEL_COUNTERS = ("tunnel_ip4_in_ip", "tunnel_ip6_in_ip", "tunnel_gre", "tunnel_erspan",
                   "tunnel_vxlan", "tunnel_geneve", "tunnel_gtpu", "tunnel_teredo",
                   "tunnel_control", "tunnel_truncated", "tunnel_malformed",
                   "tunnel_unknown_next", "tunnel_too_deep")


def damaged(encap, seed=1, v6=False, **kw):
    """A conversation inside `encap`, reordered, with a retransmission and a gap."""
    if v6:
        kw.update(client=V6C, server=V6S)
    c = conv(3000, 5000, seed=seed, encap=encap, **kw)
    c.reorder(0, window=3, seed=seed)
    c.duplicate(1, 2)
    c.drop(1, 5)
    return c


def report_counters(outdir):
    path = os.path.join(outdir, "report.xml")
    if not os.path.exists(path):
        return None
    return {c.get("name"): int(c.get("value"))
            for c in ET.parse(path).getroot().iter(NS + "counter")}


def with_counters(case, want):
    """Checks summary counters: every tunnel counter not named must be 0."""
    want = dict({name: 0 for name in TUNNEL_COUNTERS}, **want)

    def check(outdir):
        got = report_counters(outdir)
        if got is None:
            return ["report.xml missing"]
        return ["counter %s=%s, expected %s" % (k, got.get(k), v)
                for k, v in sorted(want.items()) if got.get(k) != v]
    case.check = check
    return case


def tunnel_case(ctx, convs, counters, linktype=pg.LINKTYPE_ETHERNET, args=(), files=None):
    """Captures the conversations, runs tcpflow, expects the truth files."""
    packets = finalize_all(convs)
    recs = cv.records(packets, linktype)
    path = ctx.write("cap.pcap", pg.pcap_bytes(recs, linktype))
    want, mtimes = truth(packets)
    if files is not None:
        want, mtimes = files, {}
    case = Case([Run(["-r", path, "-o", "out"] + list(args))], want, mtimes)
    ctx.frames = len(recs)
    return with_counters(case, counters(len(recs)) if callable(counters) else counters)


def simple(name, encap_factory, counter, v6=False, linktype=pg.LINKTYPE_ETHERNET):
    """One damaged conversation in one encapsulation; `counter` counts every frame."""
    @scenario(name)
    def _(ctx):
        c = damaged(encap_factory(), v6=v6)
        return tunnel_case(ctx, [c], lambda n: {counter: n}, linktype)


simple("tunnel-4in4", lambda: [pg.Encap("ipip")], "tunnel_ip4_in_ip")
simple("tunnel-6in4", lambda: [pg.Encap("ipip")], "tunnel_ip6_in_ip", v6=True)
simple("tunnel-4in6", lambda: [pg.Encap("ipip", outer=("2001:db8:ff::1", "2001:db8:ff::2"))],
       "tunnel_ip4_in_ip", linktype=pg.LINKTYPE_RAW)
simple("tunnel-6in6", lambda: [pg.Encap("ipip", outer=("2001:db8:ff::1", "2001:db8:ff::2"))],
       "tunnel_ip6_in_ip", v6=True)
simple("tunnel-gre-ipv4", lambda: [pg.Encap("gre", tid=0x1234, gre_seq=True, gre_checksum=True)],
       "tunnel_gre")
simple("tunnel-gre-ipv6-no-options", lambda: [pg.Encap("gre")], "tunnel_gre", v6=True)
simple("tunnel-gre-ethernet", lambda: [pg.Encap("gre-eth", tid=7)], "tunnel_gre")
simple("tunnel-erspan-type1", lambda: [pg.Encap("erspan1")], "tunnel_erspan")
simple("tunnel-erspan-type2", lambda: [pg.Encap("erspan2", tid=12)], "tunnel_erspan")
simple("tunnel-erspan-type3", lambda: [pg.Encap("erspan3", tid=300)], "tunnel_erspan", v6=True)
simple("tunnel-vxlan", lambda: [pg.Encap("vxlan", tid=100)], "tunnel_vxlan")
simple("tunnel-vxlan-linux-port", lambda: [pg.Encap("vxlan", tid=5, port=pg.PORT_VXLAN_LINUX)],
       "tunnel_vxlan")
simple("tunnel-vxlan-ipv6-outer",
       lambda: [pg.Encap("vxlan", tid=9, outer=("2001:db8:ff::1", "2001:db8:ff::2"))],
       "tunnel_vxlan", v6=True)
simple("tunnel-geneve-options",
       lambda: [pg.Encap("geneve", tid=0xABCDE, geneve_options=bytes(range(1, 13)))],
       "tunnel_geneve")
simple("tunnel-gtpu-ext-headers",
       lambda: [pg.Encap("gtpu", tid=(0x1001, 0x2002), gtpu_ext=[(0x85, b"\x00\x05")])],
       "tunnel_gtpu")
simple("tunnel-gtpu-ipv6-inner", lambda: [pg.Encap("gtpu", tid=(77, 78))], "tunnel_gtpu", v6=True)
simple("tunnel-teredo", lambda: [pg.Encap("teredo")], "tunnel_teredo", v6=True)


@scenario("tunnel-vxlan-in-gre")
def _(ctx):
    encap = [pg.Encap("gre", outer=("172.16.0.1", "172.16.0.2"), tid=44),
             pg.Encap("vxlan", outer=("10.200.0.1", "10.200.0.2"), tid=100)]
    return tunnel_case(ctx, [damaged(encap)], lambda n: {"tunnel_gre": n, "tunnel_vxlan": n})


@scenario("tunnel-6in4-in-vlan")
def _(ctx):
    c = damaged([pg.Encap("ipip")], v6=True, vlan_tags=[pg.vlan_tag(42)])
    return tunnel_case(ctx, [c], lambda n: {"tunnel_ip6_in_ip": n})


@scenario("tunnel-geneve-in-6in4-in-gtpu")
def _(ctx):
    encap = [pg.Encap("gtpu", tid=(5, 6)),
             pg.Encap("ipip", outer=("2001:db8:aa::1", "2001:db8:aa::2")),
             pg.Encap("geneve", outer=("2001:db8:bb::1", "2001:db8:bb::2"), tid=3)]
    return tunnel_case(ctx, [damaged(encap)], lambda n: {"tunnel_gtpu": n, "tunnel_ip6_in_ip": n,
                                                           "tunnel_geneve": n})


@scenario("tunnel-outer-fragments")
def _(ctx):
    """The delivering datagrams are fragmented (reversed) on the way: they
    reassemble before the VXLAN header is read."""
    c = damaged([pg.Encap("vxlan", tid=100, frag=256, frag_order="reverse")])
    packets = finalize_all([c])
    datagrams = len(packets)
    return tunnel_case(ctx, [c], lambda n: {"tunnel_vxlan": datagrams})


@scenario("tunnel-inner-fragments")
def _(ctx):
    """The inner datagrams are fragmented inside GRE (and the GRE datagram
    carrying one of them is fragmented too)."""
    c = damaged([pg.Encap("gre", tid=1)], mss=300)
    for d in (0, 1):
        for i in range(0, len(c.data_segs(d)), 2):
            c.fragment(d, i, size=64, order="reverse")
    return tunnel_case(ctx, [c], lambda n: {"tunnel_gre": n})


def tenants(ctx, encaps, counter, suffixes):
    """Two connections with the same inner 4-tuple in two tunnels, at the same time."""
    a = damaged([encaps[0]], seed=1)
    b = damaged([encaps[1]], seed=2)
    b.name_suffix = suffixes
    packets = finalize_all([a, b], spacing_ns=cv.DEFAULT_STEP_NS // 2)
    recs = cv.records(packets)
    path = ctx.write("cap.pcap", pg.pcap_bytes(recs))
    files, mtimes = truth(packets)
    case = Case([Run(["-r", path, "-o", "out"])], files, mtimes)
    return with_counters(case, {counter: len(recs)})


@scenario("tunnel-vxlan-tenants-stay-apart")
def _(ctx):
    return tenants(ctx, [pg.Encap("vxlan", tid=100), pg.Encap("vxlan", tid=200)], "tunnel_vxlan",
                   ["--vxlan200_192.0.2.1-192.0.2.2", "--vxlan200_192.0.2.2-192.0.2.1"])


@scenario("tunnel-gtpu-teids-stay-apart")
def _(ctx):
    return tenants(ctx, [pg.Encap("gtpu", tid=(0x10, 0x11)), pg.Encap("gtpu", tid=(0x20, 0x21))],
                   "tunnel_gtpu",
                   ["--gtpu32_192.0.2.1-192.0.2.2", "--gtpu33_192.0.2.2-192.0.2.1"])


@scenario("tunnel-broken-headers-counted")
def _(ctx):
    """Cut and impossible tunnel headers among a good VXLAN conversation:
    counted, the good flow intact, no crash."""
    c = damaged([pg.Encap("vxlan", tid=100)])
    packets = finalize_all([c])
    recs = cv.records(packets)
    ts = packets[-1].last_ts + 1_000_000
    inner = pg.ipv4("10.9.9.1", "10.9.9.2", pg.tcp("10.9.9.1", "10.9.9.2", 1, 2, 0, 0, pg.SYN))
    good_vx = pg.udp("192.0.2.1", "192.0.2.2", 5, 4789, pg.vxlan(pg.ethernet(inner, 0x800), 1))
    bad = [
        pg.ipv4("192.0.2.1", "192.0.2.2", good_vx[:8 + 5], proto=17),         # truncated VXLAN
        pg.ipv4("192.0.2.1", "192.0.2.2", pg.udp("192.0.2.1", "192.0.2.2", 5, 4789,
                                                 b"\x00" * 8 + inner), proto=17),  # no I flag
        pg.ipv4("1.1.1.1", "2.2.2.2", pg.gre(b"\x00" * 40, 0x8847), proto=47),  # MPLS in GRE
        pg.ipv4("1.1.1.1", "2.2.2.2", pg.gtpu(b"\x00" * 4, 1, ext=[(0x85, b"")])[:10],
                proto=17),                                                      # cut GTP-U
        pg.ipv4("1.1.1.1", "2.2.2.2", pg.udp("1.1.1.1", "2.2.2.2", 2152, 2152,
                                             pg.gtpu(b"", 0, msg_type=1, seq=1)), proto=17),
        pg.ipv4("1.1.1.1", "2.2.2.2", b"\x60", proto=4),                        # 4 carrying v6
    ]
    bad[3] = pg.ipv4("1.1.1.1", "2.2.2.2", pg.udp("1.1.1.1", "2.2.2.2", 2152, 2152,
                                                  pg.gtpu(inner, 1, ext=[(0x85, b"")]))[:8 + 10],
                     proto=17)
    deep = inner
    for i in range(9):
        deep = pg.ipv4("10.1.%d.1" % i, "10.1.%d.2" % i, deep, proto=4)
    bad.append(deep)
    for i, l3 in enumerate(bad):
        recs.append(pg.Record(ts + i * 1000, pg.LINKTYPE_ETHERNET, pg.ethernet(l3, 0x800)))
    path = ctx.write("cap.pcap", pg.pcap_bytes(recs))
    files, mtimes = truth(packets)
    case = Case([Run(["-r", path, "-o", "out"])], files, mtimes)
    return with_counters(case, {"tunnel_vxlan": len(recs) - len(bad), "tunnel_truncated": 2,
                                "tunnel_malformed": 2, "tunnel_unknown_next": 1,
                                "tunnel_gtpu": 1, "tunnel_control": 1,
                                "tunnel_ip4_in_ip": 9, "tunnel_too_deep": 1})
