"""Corrupted copies that only the IPv4 header checksum gives away (issue 19.1).

A packet whose IPv4 header checksum is wrong is a corrupted copy, like one
with a bad TCP checksum: whether the corrupted copy (bytes flipped, TCP
checksum right for those bytes) arrives before or after the good copy, the
good copy's bytes are the flow's; a fragment's header is checked on its own.
Besides the flow files (truth from conversation.expected_output, where an
IPv4-header-bad copy ranks like a bad-checksum one), report.xml must count
the corrupted headers: the bad_ip_checksum summary counter and each flow's
bad_ip_checksum_segments attribute.
"""

import xml.etree.ElementTree as ET

from e2e_lib import conv, scenario, single


def _report(outdir):
    """({counter name: value}, {flow file name: flow attributes}) of report.xml."""
    root = ET.parse(outdir + "/report.xml").getroot()
    counters, flows = {}, {}
    for el in root.iter():
        tag = el.tag.split("}")[-1]
        if tag == "counter":
            counters[el.get("name")] = int(el.get("value"))
        elif tag == "fileobject":
            name, attrs = None, {}
            for child in el:
                ctag = child.tag.split("}")[-1]
                if ctag == "filename":
                    name = child.text
                elif ctag == "flow":
                    attrs = dict(child.attrib)
            flows[name] = attrs
    return counters, flows


def _check_counts(case, headers, per_flow):
    """headers: IPv4 headers with a wrong checksum in the capture (fragments
    counted one by one); per_flow: {file name: TCP segments (reassembled
    datagrams) whose header, or some fragment's, was wrong}."""
    def check(outdir):
        try:
            counters, flows = _report(outdir)
        except (OSError, ET.ParseError) as e:
            return ["report.xml unreadable: %s" % e]
        probs = []
        if counters.get("bad_ip_checksum", 0) != headers:
            probs.append("report counter bad_ip_checksum = %s, expected %d"
                         % (counters.get("bad_ip_checksum"), headers))
        if counters.get("tcp_checksum_bad", 0) != 0:
            probs.append("tcp_checksum_bad = %s: the corrupted copies' TCP checksums are right"
                         % counters.get("tcp_checksum_bad"))
        for name, want in sorted(per_flow.items()):
            # Left out at its default, 0 (src/report/FORMAT.md).
            got = flows.get(name, {}).get("bad_ip_checksum_segments", "0")
            if got != str(want):
                probs.append("%s: bad_ip_checksum_segments=%s, expected %d" % (name, got, want))
        return probs
    case.check = check
    return case


@scenario("ip-header-checksum-bad-copy-before-and-after-good")
def _(ctx):
    c = conv(3000, 4000, seed=31)
    c.ip_bad_then_good(0, 1)               # corrupted copy first: the good one must win
    c.ip_bad_then_good(1, 4, later=0)
    c.ip_bad_after_good(0, 3)              # corrupted copy after the good one
    c.ip_bad_after_good(1, 6, later=2)
    case = single(ctx, [c], note="IPv4 header checksum wrong, TCP checksum right")
    return _check_counts(case, 4, {c.name(0): 2, c.name(1): 2})


@scenario("ip-header-checksum-bad-fragment-copies")
def _(ctx):
    c = conv(3000, 4000, seed=32)
    # 500-byte segments in 64-byte fragments: 9 fragments each.
    c.fragment(0, 2, size=64, corrupt_before=(1, 4))
    c.fragment(1, 3, size=64, order="reverse", corrupt_after=(2, 6))
    case = single(ctx, [c], note="corrupted fragment copies before and after the good ones")
    return _check_counts(case, 4, {c.name(0): 0, c.name(1): 0})


@scenario("ip-header-checksum-bad-only-fragment-then-good-retransmission")
def _(ctx):
    c = conv(3000, 4000, seed=33)
    seg = c.data_segs(0)[2]
    c.fragment(0, 2, size=64)
    seg.ip_good = False                    # every fragment of the first copy is bad...
    seg.payload = bytes(b ^ 0x20 for b in seg.payload)   # ...and its bytes corrupted
    c.retransmit(0, 1000, 500, later=1)    # a good, unfragmented copy follows
    case = single(ctx, [c], note="a datagram built from bad-header fragments is a corrupted copy")
    return _check_counts(case, 9, {c.name(0): 1, c.name(1): 0})
