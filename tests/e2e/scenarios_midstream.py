"""Captures that begin in the middle of a connection (no SYN) and whose first
data segment of a direction is not the lowest: the segment before it arrives
next (issue 19.3, issue 22.3).

Byte 0 of such a direction is the lowest data sequence number seen (the
truth rule of conversation.expected_output). A direction that begins without
a SYN holds its first bytes for a short window, so the lower segment moves
byte 0 before anything was written or printed:

* the console (-c, -C, -J) prints the lower segment's bytes first and
  loses nothing: its output holds exactly the flow file's bytes, chunk by
  chunk in stream order (the model below: console_events with byte 0 at
  the lowest offset);
* the flow file is never moved backwards: the report's stream_shifts
  counter stays 0.

What still shifts a file (documented in doc/tcpflow.1): a lower segment
that arrives after the window closed; scenario midstream-lower-after-window
checks the file is still right and the shift counted.
"""

import xml.etree.ElementTree as ET

from e2e_lib import Case, Run, finalize_all, scenario, truth
import conversation as cv
import pcapgen as pg
import scenarios_console as sc


def _swap_first_two(c, d):
    """The first two data segments of direction d change places in the capture."""
    a, b = c.data_segs(d)[0], c.data_segs(d)[1]
    i, j = c.pkts.index(a), c.pkts.index(b)
    c.pkts[i], c.pkts[j] = b, a


def _convs(interleave=False):
    a = sc.text_conv(seed=61, handshake=False, client=("10.3.0.1", 40100),
                     server=("10.3.0.2", 8080), client_len=1500, server_len=2400,
                     interleave=interleave)
    _swap_first_two(a, 0)
    _swap_first_two(a, 1)
    b = sc.binary_conv(seed=62, handshake=False, client=("10.3.0.3", 40200),
                       server=("10.3.0.4", 25), interleave=interleave)
    _swap_first_two(b, 1)
    return [a, b]


def midstream_events(packets):
    """console_events for midstream pickups whose lowest data may come later:
    byte 0 of a direction is its lowest data offset in the whole capture."""
    low = {}
    for p in packets:
        if p.is_data:
            key = (id(p.conv), p.dir)
            low[key] = min(low.get(key, p.off), p.off)
    state, out = {}, []
    for p in packets:
        if not p.is_data:
            continue
        key = (id(p.conv), p.dir)
        st = state.get(key)
        if st is None:
            st = state[key] = (sc._Dir(), p.conv, p.dir, low[key])
        ds, c, d, base = st
        lo = p.off - base
        for x, y in sc._uncovered(ds.covered, lo, lo + len(p.payload)):
            ds.held[x] = (p.payload[x - lo:y - lo], p.last_ts)
            sc._cover(ds.covered, x, y)
        while ds.printed in ds.held:
            data, ts = ds.held.pop(ds.printed)
            out.append(sc.Chunk("data", c, d, ds.printed, data, ts_ns=ts))
            ds.printed += len(data)
    assert all(not ds.held for ds, _, _, _ in state.values()), "no holes in these captures"
    return out


def _capture(ctx):
    # One conversation after the other, each side's data in a run: a held
    # direction is released before another flow prints, so even the order
    # of chunks across flows is the model's. (Held bytes print a few packets
    # late, so with flows interleaved the order across flows may differ from
    # the model's; the order within each flow never does.)
    convs = _convs()
    path, packets = sc.capture(ctx, convs)
    events = midstream_events(packets)
    files, _ = truth(packets)
    # The model prints exactly the file's bytes, flow by flow.
    printed = {}
    for ch in events:
        printed[sc.label(ch)] = printed.get(sc.label(ch), b"") + ch.data
    assert printed == files, "console model and file truth disagree"
    return path, packets, events, files


@scenario("midstream-lower-next-console-c")
def _(ctx):
    path, _, events, _ = _capture(ctx)
    return Case([sc.StdoutRun(["-r", path, "-c"], sc.render(events))], outdir=None,
                note="the lower segment's bytes print first, none lost")


@scenario("midstream-lower-next-console-C")
def _(ctx):
    path, _, events, _ = _capture(ctx)
    return Case([sc.StdoutRun(["-r", path, "-C"], sc.render(events, header=False))],
                outdir=None)


@scenario("midstream-lower-next-console-J")
def _(ctx):
    path, packets, events, files = _capture(ctx)
    recs = sc.json_records(events, sc.conn_ids(packets))
    return Case([sc.JsonRun(["-r", path, "-J"], recs, files)], outdir=None)


def _counter(outdir, name):
    root = ET.parse(outdir + "/report.xml").getroot()
    for el in root.iter():
        if el.tag.split("}")[-1] == "counter" and el.get("name") == name:
            return int(el.get("value"))
    return None


def _file_case(ctx, convs, shifts, note):
    packets = finalize_all(convs, spacing_ns=cv.DEFAULT_STEP_NS // 3)
    recs = cv.records(packets, pg.LINKTYPE_ETHERNET)
    path = ctx.write("cap.pcap", pg.pcap_bytes(recs, pg.LINKTYPE_ETHERNET, nsec=True))
    files, mtimes = truth(packets)
    case = Case([Run(["-r", path, "-o", "out"])], files, mtimes, note=note)

    def check(outdir):
        try:
            got = _counter(outdir, "stream_shifts")
        except (OSError, ET.ParseError) as e:
            return ["report.xml unreadable: %s" % e]
        if got != shifts:
            return ["report counter stream_shifts = %s, expected %d" % (got, shifts)]
        return []
    case.check = check
    return case


@scenario("midstream-lower-next-file")
def _(ctx):
    return _file_case(ctx, _convs(interleave=True), 0,
                      "held first bytes: the file is never moved")


@scenario("midstream-lower-after-window")
def _(ctx):
    # The lowest segment comes after nine later ones: past the hold window
    # (eight segments), so the file is shifted once, and still right.
    c = sc.text_conv(seed=63, handshake=False, client_len=6000, server_len=0, mss=300,
                     client=("10.3.0.5", 40300), server=("10.3.0.6", 80))
    segs = c.data_segs(0)
    first = segs[0]
    c.pkts.remove(first)
    c.pkts.insert(c.pkts.index(segs[9]) + 1, first)
    return _file_case(ctx, [c], 1, "a lower segment after the window still shifts the file")
