"""IPv4 options, TSO, IPv6 extension headers, IPv4 and IPv6 fragments."""

from e2e_lib import conv, pg, scenario, single

V6C, V6S = ("2001:db8::10", 50000), ("2001:db8::20", 80)
HBH = pg.ext_hopopts(bytes([5, 2, 0, 0]))          # router alert
RT = pg.ext_routing()
DST = pg.ext_dstopts()


@scenario("ipv4-options")
def _(ctx):
    rr = bytes([7, 11, 4]) + bytes(8)                # record route, 2 slots
    return single(ctx, [conv(2000, 3000, ipv4_options=rr)])


@scenario("ipv4-tso-total-length-0")
def _(ctx):
    c = conv(6000, 9000, mss=1448)
    c.tso()
    return single(ctx, [c], note="IP total length 0: payload from the captured length")


@scenario("ipv6-ext-headers")
def _(ctx):
    c = conv(2000, 3000, client=V6C, server=V6S, ipv6_ext=[HBH, RT, DST])
    return single(ctx, [c], note="hop-by-hop + routing + destination options")


@scenario("ipv6-hopbyhop-only")
def _(ctx):
    return single(ctx, [conv(1500, 1500, client=V6C, server=V6S, ipv6_ext=[HBH])])


def _frag(version, order, dup=(), overlap=0, ext=()):
    def fn(ctx):
        kw = dict(client=V6C, server=V6S, ipv6_ext=list(ext)) if version == 6 else {}
        c = conv(1200, 1600, mss=300, **kw)
        for d in (0, 1):
            for i in range(len(c.data_segs(d))):
                if i % 2 == 0:
                    c.fragment(d, i, size=64, order=order, dup=dup, overlap=overlap)
        return single(ctx, [c])
    return fn


scenario("ipv4-frag-in-order")(_frag(4, "in"))
scenario("ipv4-frag-reversed")(_frag(4, "reverse"))
scenario("ipv4-frag-shuffled-dup-overlap")(_frag(4, "shuffle", dup=(1,), overlap=16))
scenario("ipv6-frag-in-order")(_frag(6, "in"))
scenario("ipv6-frag-reversed")(_frag(6, "reverse", ext=[HBH, DST]))
scenario("ipv6-frag-shuffled-dup-overlap")(_frag(6, "shuffle", dup=(0,), overlap=16,
                                                 ext=[HBH, RT, DST]))


@scenario("ipv4-frag-vlan")
def _(ctx):
    c = conv(1000, 1000, mss=400, vlan_tags=[pg.vlan_tag(5)])
    c.fragment(0, 1, size=48, order="reverse")
    c.fragment(1, 0, size=48)
    return single(ctx, [c])
