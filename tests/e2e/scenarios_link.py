"""Link types, VLANs and capture file formats."""

from e2e_lib import Case, Run, conv, cv, pg, scenario, single, truth

V6C, V6S = ("2001:db8::1", 40001), ("2001:db8:0:1::80", 443)


def _v4(seed=1, **kw):
    return conv(2500, 4000, seed=seed, mss=kw.pop("mss", 400), **kw)


def _v6(seed=2, **kw):
    return conv(2500, 4000, seed=seed, mss=kw.pop("mss", 400), client=V6C, server=V6S, **kw)


# -- Ethernet and VLANs -------------------------------------------------------
@scenario("link-ethernet")
def _(ctx):
    return single(ctx, [_v4()], note="Ethernet II, padded short frames")


@scenario("link-ethernet-ipv6")
def _(ctx):
    return single(ctx, [_v6()])


@scenario("link-ethernet-padding-fcs")
def _(ctx):
    # Tiny segments so that data frames are padded to 60 bytes, plus an FCS.
    c = cv.Conversation(client_data=b"hello world, one byte at a time?",
                        server_data=b"ok" * 20, mss=3)
    return single(ctx, [c], frame_kw=dict(pad=True, fcs=True),
                  note="payload length comes from the IP header")


@scenario("link-ethernet-padding-reordered")
def _(ctx):
    # Padded 1-4 byte segments out of order: padding must never become data.
    c = cv.Conversation(client_data=b"hello world", server_data=b"0123456789abcdef", mss=4)
    c.reverse(0)
    c.reorder(1, window=2, seed=1)
    return single(ctx, [c], frame_kw=dict(pad=True))


@scenario("link-vlan-8021q")
def _(ctx):
    c = _v4(vlan_tags=[pg.vlan_tag(42, pcp=3)])
    return single(ctx, [c], note="PCP bits must not leak into %v")


@scenario("link-vlan-and-untagged")
def _(ctx):
    a = _v4(seed=3, vlan_tags=[pg.vlan_tag(42, pcp=5)])
    b = _v4(seed=4)          # same 4-tuple, untagged: a different flow name
    return single(ctx, [a, b])


@scenario("link-qinq-88a8")
def _(ctx):
    c = _v4(vlan_tags=[pg.vlan_tag(100, pcp=1, tpid=pg.TPID_8021AD), pg.vlan_tag(42)])
    return single(ctx, [c], note="outermost tag names the flow")


@scenario("link-qinq-9100")
def _(ctx):
    c = _v6(vlan_tags=[pg.vlan_tag(7, tpid=pg.TPID_9100), pg.vlan_tag(8, pcp=7)])
    return single(ctx, [c])


# -- Linux cooked, NULL, LOOP, RAW, PPP ---------------------------------------
@scenario("link-sll")
def _(ctx):
    return single(ctx, [_v4(), _v6()], linktype=pg.LINKTYPE_LINUX_SLL)


@scenario("link-sll2")
def _(ctx):
    return single(ctx, [_v4(), _v6()], linktype=pg.LINKTYPE_LINUX_SLL2)


def _null(family, big_endian):
    def fn(ctx):
        c = _v4() if family == pg.AF_INET else _v6()
        return single(ctx, [c], linktype=pg.LINKTYPE_NULL,
                      frame_kw=dict(null_family=family, null_big_endian=big_endian))
    return fn


for _fam in (pg.AF_INET, pg.AF_INET6_LINUX, pg.AF_INET6_NETBSD, pg.AF_INET6_FREEBSD,
             pg.AF_INET6_DARWIN):
    for _be in (False, True):
        scenario("link-null-%s-af%d" % ("be" if _be else "le", _fam))(_null(_fam, _be))


@scenario("link-loop-ipv4")
def _(ctx):
    return single(ctx, [_v4()], linktype=pg.LINKTYPE_LOOP,
                  frame_kw=dict(null_family=pg.AF_INET))


@scenario("link-loop-ipv6")
def _(ctx):
    return single(ctx, [_v6()], linktype=pg.LINKTYPE_LOOP,
                  frame_kw=dict(null_family=pg.AF_INET6_NETBSD))


@scenario("link-raw")
def _(ctx):
    return single(ctx, [_v4(), _v6()], linktype=pg.LINKTYPE_RAW)


@scenario("link-ipv4")
def _(ctx):
    return single(ctx, [_v4()], linktype=pg.LINKTYPE_IPV4)


@scenario("link-ipv6")
def _(ctx):
    return single(ctx, [_v6()], linktype=pg.LINKTYPE_IPV6)


@scenario("link-ppp-ff03")
def _(ctx):
    return single(ctx, [_v4(), _v6()], linktype=pg.LINKTYPE_PPP,
                  frame_kw=dict(ppp_addr_ctrl=True))


@scenario("link-ppp-no-ff03")
def _(ctx):
    return single(ctx, [_v4(), _v6()], linktype=pg.LINKTYPE_PPP,
                  frame_kw=dict(ppp_addr_ctrl=False))


# -- file formats ---------------------------------------------------------------
@scenario("format-pcap-usec-le")
def _(ctx):
    return single(ctx, [_v4()], nsec=False, big_endian=False)


@scenario("format-pcap-usec-be")
def _(ctx):
    return single(ctx, [_v4()], nsec=False, big_endian=True)


NS_START = cv.DEFAULT_START_NS + 123_456_789
NS_STEP = 1_000_001


@scenario("format-pcap-nsec-le")
def _(ctx):
    return single(ctx, [_v4()], nsec=True, start_ns=NS_START, step_ns=NS_STEP,
                  note="mtimes carry nanoseconds")


@scenario("format-pcap-nsec-be")
def _(ctx):
    return single(ctx, [_v6()], nsec=True, big_endian=True, start_ns=NS_START, step_ns=NS_STEP)


@scenario("format-pcapng-le")
def _(ctx):
    return single(ctx, [_v4()], fmt="pcapng", name="cap.pcapng")


@scenario("format-pcapng-be")
def _(ctx):
    return single(ctx, [_v4()], fmt="pcapng", big_endian=True, name="cap.pcapng")


@scenario("format-pcapng-nsec")
def _(ctx):
    return single(ctx, [_v6()], fmt="pcapng", nsec=True, start_ns=NS_START, step_ns=NS_STEP,
                  name="cap.pcapng")


@scenario("format-pcapng-mixed-linktypes")
def _(ctx):
    # Interface 0 Ethernet (usec), 1 Linux SLL (nsec), 2 RAW (msec): three
    # connections interleaved in time in one file.
    a = _v4(seed=11)
    b = conv(1800, 2200, seed=12, mss=300, client=("192.168.1.10", 5555),
             server=("192.168.1.20", 25))
    c = conv(900, 1300, seed=13, mss=300, client=V6C, server=V6S)
    a.finalize(cv.DEFAULT_START_NS)
    b.finalize(cv.DEFAULT_START_NS + 333_333)
    c.finalize(cv.DEFAULT_START_NS + 2_000_000)
    recs = (cv.records(a.pkts, pg.LINKTYPE_ETHERNET, iface=0)
            + cv.records(b.pkts, pg.LINKTYPE_LINUX_SLL, iface=1)
            + cv.records(c.pkts, pg.LINKTYPE_RAW, iface=2))
    recs.sort(key=lambda r: r.ts_ns)
    itfs = [pg.Interface(pg.LINKTYPE_ETHERNET, 6, "eth0"),
            pg.Interface(pg.LINKTYPE_LINUX_SLL, 9, "any"),
            pg.Interface(pg.LINKTYPE_RAW, 3, "tun0")]
    path = ctx.write("mixed.pcapng", pg.pcapng_bytes(recs, itfs, shb_comment="pcapgen"))
    files, mtimes = truth(cv.merge([a, b, c]))
    return Case([Run(["-r", path, "-o", "out"])], files, mtimes)


@scenario("format-gzip-pcap")
def _(ctx):
    return single(ctx, [_v4()], compress=True, name="cap.pcap.gz")


@scenario("format-gzip-pcapng")
def _(ctx):
    return single(ctx, [_v6()], fmt="pcapng", compress=True, name="cap.pcapng.gz")
