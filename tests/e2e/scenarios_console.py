"""Console output scenarios (-c, -C, -s, -B, -D, -0, -g, -J).

The expected stdout is computed from the generator's truth (stream bytes,
stream offsets and capture order), never from running the binary. The model
(``console_events``):

* Each direction's stream starts at ISN+1. A packet's *new* bytes (those no
  earlier packet of that direction carried) form one piece per maximal run
  between bytes already present. A piece is printed as one chunk when every
  byte before it has been printed: at once when it starts where the printed
  stream ends, else when the hole before it is filled (after the filling
  piece, in offset order). Retransmitted bytes print nothing.
* At the end of the input, pieces still held are printed in offset order,
  each hole before them as a gap record first.
* A chunk's timestamp is that of the packet that carried its bytes.

Rendering, per the console specification (doc/tcpflow.1, the issue):
``-c``: ``LABEL: `` + text + newline, LABEL = SRC.PORT-DST.PORT (+ ``--VLAN``),
tcpflow's file name without the count; ``-C``: no label; text mode (default
and ``-s``): bytes other than 0x20-0x7e, CR and LF print as '.'; ``-B``:
bytes as they are, holes as zero bytes; ``-D``: ``LABEL:`` newline, then
lines of ``%04x: `` (stream offset), 32 bytes as 2-byte hex groups, the ASCII
column, newline; ``-0``: no newline after a chunk; gaps in text and hex
modes: ``LABEL: [N bytes missing at offset O]`` newline; ``-J``: one JSON
object per chunk or gap.
"""

import base64
import decimal
import json

from e2e_lib import Case, Run, finalize_all, scenario, stream, text_stream
import conversation as cv
import pcapgen as pg


# ---------------------------------------------------------------------------
# The model: which chunks print, in which order.
class Chunk:
    def __init__(self, kind, seg_conv, d, offset, data=b"", length=None, ts_ns=None):
        self.kind = kind            # "data" or "gap"
        self.conv = seg_conv
        self.dir = d
        self.offset = offset
        self.data = data
        self.length = len(data) if length is None else length
        self.ts_ns = ts_ns


class _Dir:
    def __init__(self):
        self.printed = 0
        self.covered = []           # disjoint sorted [lo, hi) of bytes present
        self.held = {}              # offset -> (bytes, ts_ns)


def _uncovered(covered, lo, hi):
    """Sub-ranges of [lo, hi) not in the sorted disjoint list ``covered``."""
    out, pos = [], lo
    for a, b in covered:
        if b <= pos:
            continue
        if a >= hi:
            break
        if a > pos:
            out.append((pos, min(a, hi)))
        pos = max(pos, b)
        if pos >= hi:
            break
    if pos < hi:
        out.append((pos, hi))
    return out


def _cover(covered, lo, hi):
    covered.append((lo, hi))
    covered.sort()
    merged = []
    for a, b in covered:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    covered[:] = merged


def console_events(packets):
    """Print order of chunks and gaps for these packets (capture order).
    Every conversation must have a handshake (offset 0 = ISN+1) or be a
    midstream pickup whose lowest data comes first."""
    state, out = {}, []
    for p in packets:
        if not p.is_data:
            continue
        key = (id(p.conv), p.dir)
        st = state.get(key)
        if st is None:
            st = state[key] = (_Dir(), p.conv, p.dir, 0 if p.conv.handshake else p.off)
        ds, c, d, base = st
        lo = p.off - base
        for a, b in _uncovered(ds.covered, lo, lo + len(p.payload)):
            ds.held[a] = (p.payload[a - lo:b - lo], p.last_ts)
            _cover(ds.covered, a, b)
        while ds.printed in ds.held:
            data, ts = ds.held.pop(ds.printed)
            out.append(Chunk("data", c, d, ds.printed, data, ts_ns=ts))
            ds.printed += len(data)
    for ds, c, d, _ in state.values():          # end of input: flush what is held
        for off in sorted(ds.held):
            data, ts = ds.held[off]
            if off > ds.printed:
                out.append(Chunk("gap", c, d, ds.printed, length=off - ds.printed))
            out.append(Chunk("data", c, d, off, data, ts_ns=ts))
            ds.printed = off + len(data)
    return out


# ---------------------------------------------------------------------------
# Rendering
def label(ch):
    return ch.conv.name(ch.dir)


def text_of(data):
    return bytes(b if (0x20 <= b < 0x7F or b in (10, 13)) else 0x2E for b in data)


def hexdump(offset, data):
    out = bytearray()
    for line in range(0, len(data), 32):
        out += b"%04x: " % (offset + line)
        for i in range(32):
            out += b"%02x" % data[line + i] if line + i < len(data) else b"  "
            if i % 2 == 1:
                out += b" "
        out += b" "
        out += bytes(b if 0x20 <= b < 0x7F else 0x2E for b in data[line:line + 32])
        out += b"\n"
    return bytes(out)


COLORS = {0: b"\x1b[34m", 1: b"\x1b[31m", None: b"\x1b[32m"}   # client, server, unknown
RESET = b"\x1b[0m"


def render(events, header=True, mode="text", newline=True, gap_label_binary=False, color=False):
    """mode: text (default, -s), binary (-B), hex (-D). color: -g on a terminal
    (each chunk between its direction's colour and the reset, newline after)."""
    out = bytearray()
    for ch in events:
        lab = label(ch).encode()
        on = COLORS[ch.dir if ch.conv.handshake else None] if color else b""
        off = RESET if color else b""
        if ch.kind == "gap":
            if mode == "binary":
                if gap_label_binary:        # the zeros as a chunk of the flow
                    out += on + (lab + b": " if header else b"") + bytes(ch.length) + off
                    out += b"\n" if newline else b""
                else:
                    out += bytes(ch.length)
                continue
            out += on + (lab + b": " if header else b"")
            out += b"[%d bytes missing at offset %d]" % (ch.length, ch.offset) + off + b"\n"
            continue
        out += on
        if header:
            out += lab + (b":\n" if mode == "hex" else b": ")
        if mode == "hex":
            out += hexdump(ch.offset, ch.data)
        elif mode == "binary":
            out += ch.data
        else:
            out += text_of(ch.data)
        out += off
        if newline:
            out += b"\n"
    return bytes(out)


def _addr(a):
    import ipaddress
    return ipaddress.ip_address(a).compressed


def json_records(events, conn_ids):
    recs = []
    for ch in events:
        c, d = ch.conv, ch.dir
        src, dst = c.ends[d], c.ends[1 - d]
        r = {"type": ch.kind, "flow": label(ch), "src": _addr(src[0]), "sport": src[1],
             "dst": _addr(dst[0]), "dport": dst[1]}
        if c.vlan() is not None:
            r["vlan"] = c.vlan()
        r["family"] = "ipv6" if c.version == 6 else "ipv4"
        r["direction"] = ("unknown" if not c.handshake else "client" if d == 0 else "server")
        r["connection"] = conn_ids[id(c)]
        r["offset"] = ch.offset
        r["length"] = ch.length
        if ch.kind == "data":
            r["ts"] = decimal.Decimal("%d.%09d" % divmod(ch.ts_ns, 10**9))
            r["data"] = base64.b64encode(ch.data).decode()
        recs.append(r)
    return recs


# ---------------------------------------------------------------------------
# Runs that check stdout
def _first_diff(a, b):
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


class StdoutRun(Run):
    """A Run whose stdout must equal ``expected`` byte for byte."""

    def __init__(self, args, expected, **kw):
        super().__init__(args, **kw)
        self.expected = expected

    def check_stdout(self, out):
        if out == self.expected:
            return []
        i = _first_diff(out, self.expected)
        line = out[:i].count(b"\n") + 1
        return ["stdout: %d bytes, expected %d; first difference at byte %d (line %d): "
                "got %r, expected %r" % (len(out), len(self.expected), i, line,
                                         out[max(0, i - 20):i + 40],
                                         self.expected[max(0, i - 20):i + 40])]


class JsonRun(Run):
    """-J: every line one JSON object equal to the expected record; the data
    records of each flow, base64-decoded and placed at their offsets, rebuild
    the true stream (gaps as zeros)."""

    def __init__(self, args, records, streams, **kw):
        super().__init__(args, **kw)
        self.records = records
        self.streams = streams      # {flow label: true bytes (holes as zeros)}

    def check_stdout(self, out):
        problems = []
        if out and not out.endswith(b"\n"):
            problems.append("stdout: last JSON line not terminated")
        lines = out.decode("utf-8", "replace").splitlines()
        got = []
        for n, line in enumerate(lines, 1):
            try:
                got.append(json.loads(line, parse_float=decimal.Decimal))
            except ValueError as e:
                problems.append("stdout line %d is not JSON (%s): %r" % (n, e, line[:120]))
                return problems
        if len(got) != len(self.records):
            problems.append("%d JSON records, expected %d" % (len(got), len(self.records)))
        for n, (g, w) in enumerate(zip(got, self.records), 1):
            if g != w:
                keys = sorted(set(g) | set(w))
                diff = ["%s: got %r, expected %r" % (k, g.get(k, "<absent>"), w.get(k, "<absent>"))
                        for k in keys if g.get(k, "<absent>") != w.get(k, "<absent>")]
                problems.append("JSON record %d (%s %s): %s" % (
                    n, w.get("type"), w.get("flow"), "; ".join(diff)[:400]))
                if len(problems) > 6:
                    break
        rebuilt = {}
        for g in got:
            if not isinstance(g, dict) or g.get("type") != "data":
                continue
            try:
                data = base64.b64decode(g["data"], validate=True)
                buf = rebuilt.setdefault(g["flow"], bytearray())
                off = int(g["offset"])
            except (KeyError, ValueError, TypeError) as e:
                problems.append("JSON data record unusable: %s" % e)
                continue
            if len(data) != g.get("length"):
                problems.append("%s: length %r but %d data bytes" % (g["flow"], g.get("length"),
                                                                     len(data)))
            if len(buf) < off + len(data):
                buf.extend(bytes(off + len(data) - len(buf)))
            buf[off:off + len(data)] = data
        for flow, want in sorted(self.streams.items()):
            have = bytes(rebuilt.get(flow, b""))
            if have != want:
                problems.append("%s: reassembled JSON data differ from the stream (%d bytes, "
                                "expected %d, first difference at %d)" % (
                                    flow, len(have), len(want), _first_diff(have, want)))
        extra = sorted(set(rebuilt) - set(self.streams))
        if extra:
            problems.append("JSON data for unexpected flows: %s" % ", ".join(extra))
        return problems


# ---------------------------------------------------------------------------
# Helpers
def capture(ctx, convs, name="cap.pcap", spacing_ns=None, step_ns=cv.DEFAULT_STEP_NS):
    packets = finalize_all(convs, spacing_ns=spacing_ns, step_ns=step_ns)
    data = pg.pcap_bytes(cv.records(packets), pg.LINKTYPE_ETHERNET, nsec=True)
    return ctx.write(name, data), packets


def console_case(ctx, convs, args, note="", spacing_ns=None, **render_kw):
    """One run with the given console options: exact stdout, no files
    anywhere (the run directory must not change)."""
    path, packets = capture(ctx, convs, spacing_ns=spacing_ns)
    expected = render(console_events(packets), **render_kw)
    return Case([StdoutRun(["-r", path] + list(args), expected)], outdir=None, note=note)


def text_conv(seed=1, client_len=1800, server_len=4100, **kw):
    kw.setdefault("mss", 300)
    return cv.Conversation(client_data=text_stream(client_len, "c%d" % seed),
                           server_data=text_stream(server_len, "s%d" % seed), **kw)


def binary_conv(seed=5, n=(700, 900), **kw):
    """Streams holding every byte value (NUL, controls, CR, LF, 0x7f, high bytes)."""
    kw.setdefault("mss", 200)
    every = bytes(range(256))
    return cv.Conversation(client_data=every + stream(n[0], seed), server_data=stream(n[1], seed + 1)
                           + every[::-1], **kw)


def conn_ids(packets):
    ids = {}
    for p in packets:
        if id(p.conv) not in ids:
            ids[id(p.conv)] = len(ids) + 1
    return ids


def true_streams(convs, dropped=()):
    """{label: stream bytes} with the bytes of dropped segments zeroed;
    dropped: [(conv, dir, off, len)]."""
    out = {}
    for c in convs:
        for d in (0, 1):
            data = bytearray(c.data[d])
            if not data:
                continue
            for dc, dd, off, n in dropped:
                if dc is c and dd == d:
                    data[off:off + n] = bytes(n)
            out[c.name(d)] = bytes(data)
    return out


def drop_seg(c, d, idx):
    """Drops data segment idx of direction d; returns (conv, d, off, len)."""
    seg = c.data_segs(d)[idx]
    c.drop(d, idx)
    return (c, d, seg.off, len(seg.payload))


# ---------------------------------------------------------------------------
@scenario("console-inorder")
def _(ctx):
    return console_case(ctx, [text_conv()], ["-c"])


@scenario("console-reordered")
def _(ctx):
    c = text_conv(seed=2)
    c.reorder(0, window=3, seed=4)
    c.reorder(1, window=4, seed=5)
    return console_case(ctx, [c], ["-c"], note="reordered segments print in stream order")


@scenario("console-reversed")
def _(ctx):
    c = text_conv(seed=3, client_len=900, server_len=1500)
    c.reverse(1)
    return console_case(ctx, [c], ["-c"])


@scenario("console-retransmissions")
def _(ctx):
    c = text_conv(seed=4)
    c.duplicate(0, 1)
    c.duplicate(1, 3, later=0)
    c.recut(1, 5)
    c.retransmit(0, 0, 900, later=3)       # a big retransmission spanning 3 segments
    c.keepalive(1, byte=b"\xff")
    return console_case(ctx, [c], ["-c"], note="retransmitted bytes print once")


@scenario("console-retrans-into-held")
def _(ctx):
    # Segments 2 and 3 held behind a hole (segment 1 late); a retransmission
    # of [450, 1050) arrives before segment 1: only [450, 600) is new (held
    # as a piece of its own); segment 1 then brings [300, 450) and everything
    # prints in order, each piece with its own packet's timestamp (-J).
    c = text_conv(seed=5, client_len=1500, server_len=600)
    segs = c.data_segs(0)
    c.pkts.remove(segs[1])
    r = cv.Seg(c, 0, "retrans", c.seq_of(0, 450), segs[3].ack, pg.ACK, c.data[0][450:1050], 450)
    c._insert_after(segs[3], r)
    c._insert_after(r, segs[1])
    return console_case(ctx, [c], ["-c"])


@scenario("console-json-retrans-into-held")
def _(ctx):
    c = text_conv(seed=5, client_len=1500, server_len=600)
    segs = c.data_segs(0)
    c.pkts.remove(segs[1])
    r = cv.Seg(c, 0, "retrans", c.seq_of(0, 450), segs[3].ack, pg.ACK, c.data[0][450:1050], 450)
    c._insert_after(segs[3], r)
    c._insert_after(r, segs[1])
    return json_case(ctx, [c])


@scenario("console-hole")
def _(ctx):
    c = text_conv(seed=6)
    c.drop(0, 2)
    return console_case(ctx, [c], ["-c"], note="gap marker before the held bytes at close")


@scenario("console-hole-server-and-reordered")
def _(ctx):
    c = text_conv(seed=7, client_len=700, server_len=3000)
    c.reorder(1, window=3, seed=9)
    c.drop(1, 4)
    c.drop(1, 6)
    return console_case(ctx, [c], ["-c"])


@scenario("console-two-interleaved")
def _(ctx):
    a = text_conv(seed=8, client=("10.0.0.1", 1234), server=("10.0.0.2", 80), interleave=True)
    b = text_conv(seed=9, client=("10.0.0.3", 2345), server=("10.0.0.4", 8080), interleave=True,
                  client_len=2500, server_len=2200)
    b.reorder(0, window=2, seed=3)
    return console_case(ctx, [a, b], ["-c"], spacing_ns=cv.DEFAULT_STEP_NS // 2,
                        note="chunks of two connections alternate, each whole")


@scenario("console-ipv6-vlan")
def _(ctx):
    a = text_conv(seed=10, client=("2001:db8::10", 50000), server=("2001:db8::20", 80),
                  client_len=700, server_len=900)
    b = text_conv(seed=11, vlan_tags=[pg.vlan_tag(42, pcp=3)], client_len=600, server_len=650)
    c = text_conv(seed=12, client=("fe80::1:0:0:1", 1), server=("fe80::2", 65535),
                  vlan_tags=[pg.vlan_tag(7)], client_len=400, server_len=500)
    return console_case(ctx, [a, b, c], ["-c"])


@scenario("console-binary-default")
def _(ctx):
    return console_case(ctx, [binary_conv()], ["-c"])


@scenario("console-binary-s")
def _(ctx):
    return console_case(ctx, [binary_conv()], ["-c", "-s"])


@scenario("console-binary-B")
def _(ctx):
    return console_case(ctx, [binary_conv()], ["-c", "-B"], mode="binary")


@scenario("console-binary-B-C-0-hole")
def _(ctx):
    # -C -B -0: the output is the raw stream; a hole prints as zero bytes.
    c = binary_conv(seed=13, n=(1200, 10))
    c.drop(0, 2)
    return console_case(ctx, [c], ["-C", "-B", "-0"], mode="binary", header=False, newline=False)


@scenario("console-binary-B-hole-labelled")
def _(ctx):
    # -c -B: the zero bytes standing for a hole are that flow's bytes, so they
    # come as one chunk after the flow's name like any other chunk.
    c = binary_conv(seed=14, n=(1200, 10))
    c.drop(0, 2)
    return console_case(ctx, [c], ["-c", "-B"], mode="binary", gap_label_binary=True)


@scenario("console-hexdump")
def _(ctx):
    c = binary_conv(seed=15, n=(333, 450), mss=(77, 130))
    return console_case(ctx, [c], ["-c", "-D"], mode="hex")


@scenario("console-hexdump-hole")
def _(ctx):
    c = binary_conv(seed=16, n=(333, 100), mss=(70, 130))
    c.reorder(0, window=3, seed=2)
    c.drop(0, 3)
    return console_case(ctx, [c], ["-c", "-D"], mode="hex")


@scenario("console-no-newline")
def _(ctx):
    a = text_conv(seed=17, interleave=True)
    a.drop(1, 2)
    return console_case(ctx, [a], ["-c", "-0"], newline=False)


@scenario("console-C-no-header")
def _(ctx):
    a = text_conv(seed=18, interleave=True)
    b = binary_conv(seed=19, client=("10.0.0.7", 3333), server=("10.0.0.8", 25))
    b.drop(1, 1)
    return console_case(ctx, [a, b], ["-C"], spacing_ns=cv.DEFAULT_STEP_NS // 3, header=False)


@scenario("console-g-not-a-tty")
def _(ctx):
    a = text_conv(seed=20, interleave=True)
    b = text_conv(seed=21, handshake=False, client=("10.0.0.5", 5555), server=("10.0.0.6", 99))
    return console_case(ctx, [a, b], ["-c", "-g"], note="stdout is a pipe: no colour codes")


@scenario("console-g-forced")
def _(ctx):
    a = text_conv(seed=20, interleave=True)
    b = text_conv(seed=21, handshake=False, client=("10.0.0.5", 5555), server=("10.0.0.6", 99))
    return console_case(ctx, [a, b], ["-c", "-g", "-S", "force_color=YES"], color=True,
                        note="-S force_color=YES colours a pipe too")


def json_case(ctx, convs, dropped=(), args=("-J",), spacing_ns=None):
    path, packets = capture(ctx, convs, spacing_ns=spacing_ns)
    events = console_events(packets)
    recs = json_records(events, conn_ids(packets))
    return Case([JsonRun(["-r", path] + list(args), recs, true_streams(convs, dropped))],
                outdir=None)


@scenario("console-json")
def _(ctx):
    a = binary_conv(seed=22, interleave=True)
    a.reorder(0, window=3, seed=1)
    a.duplicate(1, 2)
    b = text_conv(seed=23, client=("2001:db8::10", 50000), server=("2001:db8::20", 443),
                  vlan_tags=[pg.vlan_tag(300)])
    dropped = [drop_seg(b, 1, 3)]
    return json_case(ctx, [a, b], dropped, spacing_ns=cv.DEFAULT_STEP_NS // 2)


@scenario("console-json-with-c-and-unknown-direction")
def _(ctx):
    a = text_conv(seed=24, handshake=False, client=("10.1.0.1", 40001),
                  server=("10.1.0.2", 7000), client_len=900, server_len=1000)
    b = text_conv(seed=25, client_len=10, server_len=0)
    return json_case(ctx, [a, b], args=("-c", "-J"))


@scenario("console-no-files-with-o")
def _(ctx):
    # -c -o DIR: nothing is written, not even the directory or report.xml.
    path, packets = capture(ctx, [text_conv(seed=26)])
    expected = render(console_events(packets))
    return Case([StdoutRun(["-r", path, "-c", "-o", "out"], expected),
                 StdoutRun(["-r", path, "-C", "-o", "out"], render(console_events(packets),
                                                                   header=False))],
                outdir=None)


@scenario("console-no-files-cwd")
def _(ctx):
    path, packets = capture(ctx, [binary_conv(seed=27)])
    # No -o: nothing may appear in the working directory.
    return Case([StdoutRun(["-r", path, "-c", "-B"], render(console_events(packets), mode="binary"))],
                outdir=None)


@scenario("console-report-X")
def _(ctx):
    # -c -X report.xml: the report is written (and only the report).
    path, packets = capture(ctx, [text_conv(seed=28)])
    expected = render(console_events(packets))
    return Case([StdoutRun(["-r", path, "-c", "-X", "report.xml"], expected)], files={},
                outdir=".", report=True)


@scenario("console-report-X-in-o")
def _(ctx):
    path, packets = capture(ctx, [text_conv(seed=29)])
    expected = render(console_events(packets), header=False)
    return Case([StdoutRun(["-r", path, "-C", "-o", "out", "-X", "out/report.xml"], expected)],
                files={}, report=True)
