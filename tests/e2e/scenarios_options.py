"""Options end to end: -T codes, -F letters, -f, -I, -K, -w, -R, -P, -X, -S
settings, -q/-v/-d, -U/-z, -L.

Scenarios here that need more than the runner's file comparison set
``case.check``: a function called with the output directory (or None) that
returns a list of problems; it can read each Run's ``rc``, ``stdout`` and
``stderr_text`` (filled in by the runner).

Assumptions where the man page leaves room (doc/tcpflow.1):
* %N/%K/%M/%G number the flows (directions) from 0 in the order their first
  packet was seen; %S is the connection number from 0 (20 digits).
* %t/%T and -Ft/-FT use the first packet of the flow (the direction), so the
  client flow (SYN) and the server flow (SYN-ACK) can differ by a second.
* -K names a connection's pcap FLOWNAME.pcap after the direction of its
  first packet; records are compared as (timestamp in us, bytes).
* -I: "offset|seconds.microseconds|length", microseconds with 6 digits.
* mtimes follow the suite's truth rule (last packet of the direction), as in
  every other scenario file.
"""

import datetime
import hashlib
import json
import os
import pwd
import re
import struct
import sys
import xml.etree.ElementTree as ET

from e2e_lib import Case, Run, conv, cv, finalize_all, pg, scenario, stream, truth

A, B = ("10.0.0.1", 1234), ("10.0.0.2", 80)
C, D = ("10.0.0.3", 2345), ("10.0.0.4", 8080)
EDGE_NS = cv.DEFAULT_START_NS + 999_000_000   # SYN at 1700000000.999, SYN-ACK at 1700000001.000


def _pcap(ctx, name, packets, linktype=pg.LINKTYPE_ETHERNET):
    return ctx.write(name, pg.pcap_bytes(cv.records(packets, linktype), linktype))


def _iso(sec):
    return datetime.datetime.fromtimestamp(sec, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def _tree(outdir):
    """{relative path: absolute path} of every file under outdir."""
    out = {}
    if outdir and os.path.isdir(outdir):
        for dirpath, _, filenames in os.walk(outdir):
            for f in filenames:
                p = os.path.join(dirpath, f)
                out[os.path.relpath(p, outdir)] = p
    return out


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _first_ts(packets, conv_, d):
    return min(p.ts_ns for p in packets if p.conv is conv_ and p.dir == d)


def _two(start_ns=cv.DEFAULT_START_NS, vlan_a=None):
    kw = dict(vlan_tags=[pg.vlan_tag(vlan_a)]) if vlan_a else {}
    a = conv(1200, 800, seed=1, client=A, server=B, **kw)
    b = conv(700, 900, seed=2, client=C, server=D)
    packets = finalize_all([a, b], start_ns=start_ns)
    return a, b, packets


def _renamed(files, mtimes, fn):
    """Applies fn(name) -> new name to the truth."""
    return ({fn(k): v for k, v in files.items()}, {fn(k): v for k, v in mtimes.items()})


# -- -T ------------------------------------------------------------------------------
@scenario("opt-T-every-code")
def _(ctx):
    a, b, packets = _two(start_ns=EDGE_NS, vlan_a=42)
    path = _pcap(ctx, "cap.pcap", packets)
    tmpl = "%A/%a-%B.%b/%E_%e_%V%v_%T_%t_%C%c%#_%N%K%M%G_%S_%%"
    files, mtimes = truth(packets)
    macs = {0: ("02:00:00:00:00:01", "02:00:00:00:00:02"),
            1: ("02:00:00:00:00:02", "02:00:00:00:00:01")}
    name_of = {}
    flow_no = 0
    for ci, c in enumerate((a, b)):
        for d in (0, 1):
            src, dst = c.ends[d], c.ends[1 - d]
            t = _first_ts(packets, c, d) // 10**9
            vl = "--%d" % c.vlan() if c.vlan() is not None else ""
            new = "%s/%05d-%s.%05d/%s_%s_%s_%s_%d_0_%03d000000000_%020d_%%" % (
                cv._addr_text(src[0]), src[1], cv._addr_text(dst[0]), dst[1],
                macs[d][0], macs[d][1], vl, _iso(t), t, flow_no, ci)
            name_of[c.name(d)] = new
            flow_no += 1
    files, mtimes = _renamed(files, mtimes, lambda k: name_of[k])
    return Case([Run(["-r", path, "-o", "out", "-T", tmpl])], files, mtimes,
                note="client %t is 1700000000, server %t 1700000001 (SYN-ACK 1 ms later)")


@scenario("opt-T-count-codes")
def _(ctx):
    convs = [conv(600 + 100 * i, 400, seed=i + 1, client=A, server=B,
                  isn=(1000 + 100000 * i, 5000 + 100000 * i)) for i in range(3)]
    packets = finalize_all(convs)
    path = _pcap(ctx, "reuse.pcap", packets)
    files, mtimes = truth(packets)

    def ren(k):
        m = re.match(r"^(.*?)(?:c(\d+))?$", k)
        n = int(m.group(2) or 0)
        return "%s_%s_%d" % (m.group(1), "c%d" % n if n else "", n)
    files, mtimes = _renamed(files, mtimes, ren)
    return Case([Run(["-r", path, "-o", "out", "-T", "%A.%a-%B.%b_%C%c_%#"])], files, mtimes,
                note="%# always; %C%c empty at count 0; nothing appended")


@scenario("opt-T-dotdot-stays-inside")
def _(ctx):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    files, mtimes = _renamed(files, mtimes, lambda k: "_../_../esc/" + k.replace("-", "/-", 1))
    return Case([Run(["-r", path, "-o", "out", "-T", "../../esc/./%A.%a//-%B.%b"])],
                files, mtimes, note=".. -> _.., . and empty components dropped")


@scenario("opt-T-absolute-stays-inside")
def _(ctx):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    absdir = os.path.join(ctx.root, "abs")          # inside the checked tree
    files, mtimes = truth(packets)
    rel = absdir.lstrip("/")
    files, mtimes = _renamed(files, mtimes, lambda k: rel + "/" + k)
    return Case([Run(["-r", path, "-o", "out", "-T", absdir + "/%A.%a-%B.%b"])],
                files, mtimes, note="leading / dropped: out/<abs path>/name")


@scenario("opt-T-unknown-code-exit-2")
def _(ctx):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    return Case([Run(["-r", path, "-o", "out", "-T", "%A.%a-%Q"], exit=2,
                     stderr=[["%Q", "template"]]),
                 Run(["-r", path, "-o", "out", "-T", "%A.%a-%B.%b%"], exit=2)],
                outdir=None, report=False)


@scenario("opt-buffer-size-usage-errors")
def _(ctx):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    return Case([Run(["-i", "lo", "--buffer-size", "1K", "-o", "out"], exit=2,
                     stderr=[["--buffer-size", "64K", "'1K'"]]),
                 Run(["-i", "lo", "--buffer-size", "3G", "-o", "out"], exit=2,
                     stderr=[["--buffer-size", "'3G'"]]),
                 Run(["-i", "lo", "--buffer-size", "lots", "-o", "out"], exit=2,
                     stderr=[["--buffer-size", "'lots'"]]),
                 Run(["-r", path, "--buffer-size", "8M", "-o", "out"], exit=2,
                     stderr=[["--buffer-size", "live capture"]])],
                outdir=None, report=False)


@scenario("opt-T-mac-empty-on-raw")
def _(ctx):
    a, b, packets = _two()
    path = ctx.write("raw.pcap", pg.pcap_bytes(cv.records(packets, pg.LINKTYPE_RAW),
                                               pg.LINKTYPE_RAW))
    files, mtimes = truth(packets)
    files, mtimes = _renamed(files, mtimes, lambda k: "[][]" + k)
    return Case([Run(["-r", path, "-o", "out", "-T", "[%E][%e]%A.%a-%B.%b"])], files, mtimes,
                note="%E/%e are empty without a link-layer address")


# -- -F ------------------------------------------------------------------------------
def _three_reuses():
    convs = [conv(700 + 50 * i, 500 + 70 * i, seed=10 + i, client=A, server=B,
                  isn=(1000 + 200000 * i, 9000 + 200000 * i)) for i in range(3)]
    return convs, finalize_all(convs)


@scenario("opt-Fc-three-reuses")
def _(ctx):
    convs, packets = _three_reuses()
    path = _pcap(ctx, "reuse.pcap", packets)
    files, mtimes = truth(packets)
    assert sorted(files) == sorted(c.name(d) + s for c in convs[:1] for d in (0, 1)
                                   for s in ("", "c1", "c2"))
    files, mtimes = _renamed(files, mtimes, lambda k: k if re.search(r"c\d$", k) else k + "c0")
    return Case([Run(["-r", path, "-o", "out", "-Fc"])], files, mtimes,
                note="c0, c1, c2 for both directions")


def _time_prefixed(ctx, letter, fmt):
    a, b, packets = _two(start_ns=EDGE_NS)
    path = _pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    first = {c.name(d): _first_ts(packets, c, d) // 10**9 for c in (a, b) for d in (0, 1)}
    files, mtimes = _renamed(files, mtimes, lambda k: fmt(first[k]) + k)
    return Case([Run(["-r", path, "-o", "out", "-F" + letter])], files, mtimes)


@scenario("opt-Ft-unix-time-prefix")
def _(ctx):
    return _time_prefixed(ctx, "t", lambda s: "%dT" % s)


@scenario("opt-FT-iso-time-prefix")
def _(ctx):
    return _time_prefixed(ctx, "T", _iso)


def _report_fileobjects(path):
    """[(filename, {hash type: value}, flow attributes)] of a DFXML report
    (a report that does not parse lists one object named by the error)."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        return [("<report.xml does not parse: %s>" % e, {}, {})]
    out = []
    for fo in root.iter():
        if fo.tag.split("}")[-1] != "fileobject":
            continue
        name, hashes, attrs = None, {}, {}
        for el in fo:
            tag = el.tag.split("}")[-1]
            if tag == "filename":
                name = el.text
            elif tag == "hashdigest":
                hashes[el.get("type")] = (el.text or "").strip()
            elif tag == "flow":
                attrs = dict(el.attrib)
        out.append((name, hashes, attrs))
    return out


@scenario("opt-FX-no-files-report-lists-flows")
def _(ctx):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    files, _ = truth(packets)

    def check(outdir):
        tree = _tree(outdir)
        probs = []
        if set(tree) != {"report.xml"}:
            probs.append("-FX: files other than report.xml: %s" % sorted(set(tree) - {"report.xml"}))
        if "report.xml" in tree:
            got = sorted(n for n, _, _ in _report_fileobjects(tree["report.xml"]))
            if got != sorted(files):
                probs.append("-FX: report.xml lists %s, expected %s" % (got, sorted(files)))
        return probs
    case = Case([Run(["-r", path, "-o", "out", "-FX"])], {}, {})
    case.check = check
    return case


@scenario("opt-FX-jsonl-still-written")
def _(ctx):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    files, _ = truth(packets)
    os.makedirs(os.path.join(ctx.rundir, "out"))

    def check(outdir):
        probs = _exact_set(outdir, {"index.jsonl"})
        p = os.path.join(outdir, "index.jsonl")
        if os.path.exists(p):
            try:
                lines = [json.loads(ln) for ln in _read(p).decode().splitlines()]
                # Connection records ({"record":"connection"}) sit beside the flows.
                names = sorted(d.get("filename") for d in lines if "record" not in d)
            except (ValueError, AttributeError) as e:
                return probs + ["-FX jsonl: %s" % e]
            if names != sorted(files):
                probs.append("-FX jsonl names %s, expected %s" % (names, sorted(files)))
        return probs
    case = Case([Run(["-r", path, "-o", "out", "-FX", "-S", "jsonl=out/index.jsonl"])],
                None, {})
    case.check = check
    return case


@scenario("opt-FM-md5-in-report")
def _(ctx):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)

    def check(outdir):
        tree = _tree(outdir)
        if "report.xml" not in tree:
            return []
        probs = []
        objs = {n: h for n, h, _ in _report_fileobjects(tree["report.xml"])}
        for name, data in files.items():
            want = hashlib.md5(data).hexdigest()
            got = objs.get(name, {}).get("md5")
            if got != want:
                probs.append("-FM: %s md5 in report %s, expected %s" % (name, got, want))
        return probs
    case = Case([Run(["-r", path, "-o", "out", "-FM"])], files, mtimes)
    case.check = check
    return case


def _many_convs(n, data=(10, 12)):
    convs = [cv.Conversation(client=("10.1.%d.%d" % (i // 250, i % 250 + 1), 1024 + i),
                             server=("10.2.0.1", 80),
                             client_data=bytes([65 + i % 26]) * data[0] + b"%05d" % i,
                             server_data=bytes([97 + i % 26]) * data[1] + b"%05d" % i)
             for i in range(n)]
    return convs, finalize_all(convs)


def _flow_numbers(convs):
    """{flow name: flow number}, client first (its SYN comes first)."""
    return {c.name(d): 2 * i + d for i, c in enumerate(convs) for d in (0, 1)}


@scenario("opt-Fk-thousand-flows")
def _(ctx):
    convs, packets = _many_convs(501)      # 1002 flows: numbers 1000, 1001 go to 001/
    path = _pcap(ctx, "many.pcap", packets)
    files, mtimes = truth(packets)
    num = _flow_numbers(convs)
    files, mtimes = _renamed(files, mtimes, lambda k: "%03d/%s" % (num[k] // 1000, k))
    return Case([Run(["-r", path, "-o", "out", "-Fk"])], files, mtimes)


@scenario("opt-Fm-layout")
def _(ctx):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    files, mtimes = _renamed(files, mtimes, lambda k: "000000-000999/000000/" + k)
    return Case([Run(["-r", path, "-o", "out", "-Fm"])], files, mtimes)


@scenario("opt-Fg-layout")
def _(ctx):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    files, mtimes = _renamed(
        files, mtimes, lambda k: "000000000-000999999/000000000-000000999/000000000/" + k)
    return Case([Run(["-r", path, "-o", "out", "-Fg"])], files, mtimes)


@scenario("opt-Fk-with-T-before")
def _(ctx):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    num = _flow_numbers([a, b])
    files, mtimes = _renamed(files, mtimes, lambda k: "000/%03d_%s" % (num[k], k))
    return Case([Run(["-r", path, "-o", "out", "-T", "%N_%A.%a-%B.%b", "-Fk"])], files, mtimes,
                note="-F prefixes apply whether -T comes before or after")


@scenario("opt-Fk-with-T-after")
def _(ctx):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    num = _flow_numbers([a, b])
    files, mtimes = _renamed(files, mtimes, lambda k: "000/%03d_%s" % (num[k], k))
    return Case([Run(["-r", path, "-o", "out", "-Fk", "-T", "%N_%A.%a-%B.%b"])], files, mtimes)


@scenario("opt-Fkt-order")
def _(ctx):
    a, b, packets = _two(start_ns=EDGE_NS)
    path = _pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    first = {c.name(d): _first_ts(packets, c, d) // 10**9 for c in (a, b) for d in (0, 1)}
    files, mtimes = _renamed(files, mtimes, lambda k: "%dT000/%s" % (first[k], k))
    return Case([Run(["-r", path, "-o", "out", "-Fkt"])], files, mtimes,
                note="k then t: t in front of k's prefix")


@scenario("opt-Ftk-order")
def _(ctx):
    a, b, packets = _two(start_ns=EDGE_NS)
    path = _pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    first = {c.name(d): _first_ts(packets, c, d) // 10**9 for c in (a, b) for d in (0, 1)}
    files, mtimes = _renamed(files, mtimes, lambda k: "000/%dT%s" % (first[k], k))
    return Case([Run(["-r", path, "-o", "out", "-Ft", "-Fk"])], files, mtimes)


# -- -f ------------------------------------------------------------------------------
def _interleaved(ctx, n=100):
    convs = [conv(1500 + 7 * i, 1200 + 11 * i, seed=100 + i, mss=300,
                  client=("10.3.%d.%d" % (i // 200, i % 200 + 1), 2000 + i),
                  server=("10.4.0.%d" % (i % 5 + 1), 443)) for i in range(n)]
    # 37 us apart with 1 ms per packet: every connection overlaps ~25 others
    packets = finalize_all(convs, spacing_ns=37_000)
    return _pcap(ctx, "interleaved.pcap", packets), truth(packets)


@scenario("opt-f2-many-interleaved")
def _(ctx):
    path, (files, mtimes) = _interleaved(ctx)
    return Case([Run(["-r", path, "-o", "out", "-f", "2"])], files, mtimes,
                note="200 flows, 2 open files: identical to the default")


@scenario("opt-f1-many-interleaved")
def _(ctx):
    path, (files, mtimes) = _interleaved(ctx)
    return Case([Run(["-r", path, "-o", "out", "-f", "1"])], files, mtimes)


# -- -I ------------------------------------------------------------------------------
def _findx_line(off, ts_ns, length):
    return "%d|%d.%06d|%d\n" % (off, ts_ns // 10**9, ts_ns % 10**9 // 1000, length)


@scenario("opt-I-in-order-exact")
def _(ctx):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    for c in (a, b):
        for d in (0, 1):
            lines = "".join(_findx_line(p.off, p.ts_ns, len(p.payload))
                            for p in packets if p.conv is c and p.dir == d and p.is_data)
            files[c.name(d) + ".findx"] = lines.encode()
    return Case([Run(["-r", path, "-o", "out", "-I"])], files,
                {k: v for k, v in mtimes.items()}, note="one line per packet payload")


def _findx_truth(packets, d):
    """Lines of the index of direction d: every packet's bytes not stored
    before (first copy wins), one line per new run, in offset order."""
    have = set()
    rows = []
    for p in packets:
        if p.dir != d or not p.is_data:
            continue
        start = None
        for i in range(len(p.payload) + 1):
            new = i < len(p.payload) and (p.off + i) not in have
            if new and start is None:
                start = i
            elif not new and start is not None:
                rows.append((p.off + start, p.ts_ns, i - start))
                start = None
        have.update(range(p.off, p.off + len(p.payload)))
    return "".join(_findx_line(*r) for r in sorted(rows)).encode()


def _reordered_conv():
    a = conv(6000, 4000, seed=5, client=A, server=B, mss=400)
    a.recut(1, 3)            # half of server segment 3 + half of 4, resent
    a.reorder(0, window=4, seed=3)
    a.reverse(1)
    a.duplicate(0, 2)
    return a


@scenario("opt-I-reordered-exact")
def _(ctx):
    a = _reordered_conv()
    packets = finalize_all([a])
    path = _pcap(ctx, "reord.pcap", packets)
    files, mtimes = truth(packets)
    for d in (0, 1):
        files[a.name(d) + ".findx"] = _findx_truth(packets, d)
    return Case([Run(["-r", path, "-o", "out", "-I"])], files, mtimes,
                note="held blocks keep their own packet's time; duplicates add no line")


@scenario("opt-I-reordered")
def _(ctx):
    a = _reordered_conv()
    packets = finalize_all([a])
    path = _pcap(ctx, "reord.pcap", packets)
    files, mtimes = truth(packets)

    def check(outdir):
        tree = _tree(outdir)
        probs = []
        want_names = set(files) | {k + ".findx" for k in files}
        if set(tree) - {"report.xml"} != want_names:
            probs.append("-I: files %s, expected %s" % (sorted(tree), sorted(want_names)))
        for d in (0, 1):
            name = a.name(d)
            if name + ".findx" not in tree:
                continue
            stamps = {"%d.%06d" % (p.ts_ns // 10**9, p.ts_ns % 10**9 // 1000)
                      for p in packets if p.dir == d and p.is_data}
            text = _read(tree[name + ".findx"]).decode("ascii", "replace")
            rows = []
            for ln in text.splitlines():
                m = re.fullmatch(r"(\d+)\|(\d+\.\d{6})\|(\d+)", ln)
                if not m:
                    probs.append("%s.findx: bad line %r" % (name, ln))
                    continue
                rows.append((int(m.group(1)), m.group(2), int(m.group(3))))
            if [r[0] for r in rows] != sorted(r[0] for r in rows):
                probs.append("%s.findx: not sorted by offset" % name)
            pos = 0
            for off, ts, ln in sorted(rows):
                if off != pos:
                    probs.append("%s.findx: range at %d, expected %d (overlap or hole)" % (
                        name, off, pos))
                    break
                if ts not in stamps:
                    probs.append("%s.findx: time %s is no data packet's" % (name, ts))
                    break
                pos = off + ln
            if pos != len(files[name]):
                probs.append("%s.findx: covers %d bytes, file has %d" % (name, pos,
                                                                      len(files[name])))
        return probs
    case = Case([Run(["-r", path, "-o", "out", "-I"])], None, mtimes, some_files=files)
    case.check = check
    return case


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
        tree = _tree(outdir)
        probs = []
        names = set(files) | set(want)
        if set(tree) - {"report.xml"} != names:
            probs.append("-K: files %s, expected %s" % (sorted(set(tree) - {"report.xml"}),
                                                       sorted(names)))
        for name, recs_want in want.items():
            if name not in tree:
                continue
            try:
                lt, got = read_pcap(_read(tree[name]))
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
        tree = _tree(outdir)
        if "unused.pcap" not in tree:
            return ["-w: out/unused.pcap missing"]
        try:
            lt, got = read_pcap(_read(tree["unused.pcap"]))
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
    case.check = lambda outdir: check(outdir) + _exact_set(outdir, set(files) | {"unused.pcap"})
    return case


def _exact_set(outdir, names):
    got = set(_tree(outdir)) - {"report.xml"}
    probs = []
    if got - names:
        probs.append("unexpected files: %s" % sorted(got - names))
    if names - got:
        probs.append("missing files: %s" % sorted(names - got))
    return probs


@scenario("opt-w-pcap")
def _(ctx):
    return _w_case(ctx, "pcap")


@scenario("opt-w-pcapng")
def _(ctx):
    return _w_case(ctx, "pcapng")


# -- -R ------------------------------------------------------------------------------
@scenario("opt-R-continues-only")
def _(ctx):
    a = conv(4000, 3000, seed=3, client=A, server=B, mss=500)
    b = conv(1000, 1000, seed=4, client=C, server=D)
    pa = finalize_all([a])
    half = len(pa) // 2
    b.finalize(pa[half].ts_ns + 100_000)          # b starts inside the second file
    second = sorted(pa[half:] + b.pkts, key=lambda p: p.ts_ns)
    p1 = _pcap(ctx, "first.pcap", pa[:half])
    p2 = _pcap(ctx, "second.pcap", second)
    files, mtimes = truth(pa)
    return Case([Run(["-r", p1, "-R", p2, "-o", "out"])], files, mtimes,
                note="a continues from first.pcap; b starts in the -R file: ignored")


# -- -P, -X, settings, verbosity -------------------------------------------------------------
def _simple(ctx, args, **kw):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    return Case([Run(["-r", path, "-o", "out"] + list(args))], files, mtimes, **kw), files


@scenario("opt-P-keep-closed")
def _(ctx):
    return _simple(ctx, ["-P"])[0]


def _stderr_check(case, rule):
    def check(_outdir):
        errs = [getattr(r, "stderr_text", None) for r in case.runs]
        if any(e is None for e in errs):
            return []
        return rule(errs)
    case.check = check
    return case


@scenario("opt-q-quiet")
def _(ctx):
    case = _simple(ctx, ["-q"])[0]
    return _stderr_check(case, lambda e: ["-q: stderr not empty: %r" % e[0][:200]] if e[0] else [])


@scenario("opt-q-silences-Fk-advice")
def _(ctx):
    # 5001 connections: 10002 files in one directory, over the 10,000 of the advice
    convs = [cv.Conversation(client=("10.5.%d.%d" % (i // 250, i % 250 + 1), 1024 + i % 60000),
                             server=("10.6.0.1", 80), client_data=b"q", server_data=b"r")
             for i in range(5001)]
    packets = finalize_all(convs, step_ns=10_000)
    path = _pcap(ctx, "many.pcap", packets)
    files, mtimes = truth(packets)
    case = Case([Run(["-r", path, "-o", "out"], stderr=[["-Fk"]]),
                 Run(["-r", path, "-o", "out", "-q"])], files, mtimes,
                note="without -q the -Fk advice is printed, with -q it is not")
    return _stderr_check(case, lambda e: ["-q: still prints the -Fk advice: %r" % e[1][:200]]
                         if b"-Fk" in e[1] else [])


@scenario("opt-v-verbose")
def _(ctx):
    case = _simple(ctx, [])[0]
    case.runs.append(Run(case.runs[0].args + ["-v"]))
    return _stderr_check(case, lambda e: [] if len(e[1]) > len(e[0]) else [
        "-v (= -d 10) prints no more on stderr than the default (%d vs %d bytes)" % (
            len(e[1]), len(e[0]))])


@scenario("opt-d0")
def _(ctx):
    case = _simple(ctx, ["-d", "0"])[0]
    return _stderr_check(case, lambda e: ["-d 0: stderr not empty: %r" % e[0][:200]]
                         if e[0] else [])


@scenario("opt-X-report-elsewhere")
def _(ctx):
    os.makedirs(os.path.join(ctx.rundir, "out"))
    case, files = _simple(ctx, ["-X", "out/sub-report.xml"], report=False)
    case.files = None
    case.some_files = files

    def check(outdir):
        probs = _exact_set(outdir, set(files) | {"sub-report.xml"})
        if "report.xml" in _tree(outdir):
            probs.append("-X: out/report.xml written as well")
        p = os.path.join(outdir, "sub-report.xml")
        if os.path.exists(p):
            got = sorted(n for n, _, _ in _report_fileobjects(p))
            if got != sorted(files):
                probs.append("-X: report lists %s, expected %s" % (got, sorted(files)))
        return probs
    case.check = check
    return case


@scenario("opt-S-enable-report-no")
def _(ctx):
    case, files = _simple(ctx, ["-S", "enable_report=NO"], report=False)
    case.check = lambda outdir: (["report.xml written"] if "report.xml" in _tree(outdir)
                                 else [])
    return case


@scenario("opt-S-jsonl")
def _(ctx):
    os.makedirs(os.path.join(ctx.rundir, "out"))
    case, files = _simple(ctx, ["-S", "jsonl=out/index.jsonl"])
    case.files = None
    case.some_files = files

    def check(outdir):
        probs = _exact_set(outdir, set(files) | {"index.jsonl"})
        p = os.path.join(outdir, "index.jsonl")
        if not os.path.exists(p):
            return probs
        seen = {}
        for i, ln in enumerate(_read(p).decode("utf-8").splitlines()):
            try:
                obj = json.loads(ln)
            except ValueError as e:
                probs.append("jsonl line %d not JSON: %s" % (i + 1, e))
                continue
            if not isinstance(obj, dict):
                probs.append("jsonl line %d is not an object" % (i + 1))
                continue
            if "record" in obj:  # a connection record, checked in scenarios_connections.py
                continue
            seen[obj.get("filename")] = obj
        if sorted(seen) != sorted(files) or len(seen) != len(files):
            probs.append("jsonl filenames %s, expected %s" % (sorted(map(str, seen)),
                                                            sorted(files)))
        for name, obj in seen.items():
            if name in files and obj.get("filesize") != len(files[name]):
                probs.append("jsonl %s: filesize %s, expected %d" % (
                    name, obj.get("filesize"), len(files[name])))
        return probs
    case.check = check
    return case


def _idle_case(ctx, gap_s, timeout_s):
    # Client sends 3000 bytes; after the server's second ACK the capture is
    # silent for 100 s (tcp_timeout=10), then the same 4-tuple goes on without
    # a SYN: a new connection (midstream) whose file gets c1.
    a = cv.Conversation(client=A, server=B, client_data=stream(3000, 77), server_data=b"",
                        mss=500, close="none")
    a.finalize()
    kinds = [p.kind for p in a.pkts]
    cut = [i for i, p in enumerate(a.pkts) if p.kind == "ack" and p.dir == 1][1] + 1
    gap = gap_s * 10**9
    for p in a.pkts[cut:]:
        p.ts_ns += gap
        p.frames = [(t + gap, l3) for t, l3 in p.frames]
    packets = list(a.pkts)
    path = _pcap(ctx, "idle.pcap", packets)
    before = [p for p in packets[:cut] if p.dir == 0]
    after = [p for p in packets[cut:] if p.dir == 0]
    first_off = min(p.off for p in after if p.is_data)
    name = a.name(0)
    data = a.data[0]
    if gap_s > timeout_s:
        files = {name: data[:first_off], name + "c1": data[first_off:]}
        mtimes = {name: before[-1].last_ts, name + "c1": after[-1].last_ts}
    else:
        files, mtimes = {name: data}, {name: after[-1].last_ts}
    assert kinds.count("data") == 6 and first_off == 2000, (kinds, first_off)
    return Case([Run(["-r", path, "-o", "out", "-S", "tcp_timeout=%g" % timeout_s])],
                files, mtimes, note="idle longer than tcp_timeout: closed; the rest is a new flow")


@scenario("opt-S-tcp-timeout-splits")
def _(ctx):
    return _idle_case(ctx, 100, 10)


@scenario("opt-S-tcp-timeout-shorter-gap-kept")
def _(ctx):
    return _idle_case(ctx, 5, 10)


# -- -U / -z -------------------------------------------------------------------------------
TEST_USER = "tcpflowtest"


@scenario("opt-U-drops-privileges")
def _(ctx):
    if os.geteuid() != 0:
        print("SKIP opt-U-drops-privileges: not running as root", file=sys.stderr, flush=True)
        return Case([], {}, {}, outdir=None, report=False)
    try:
        pw = pwd.getpwnam(TEST_USER)
    except KeyError:
        import subprocess
        subprocess.run(["useradd", "--system", "--no-create-home", TEST_USER], check=True)
        pw = pwd.getpwnam(TEST_USER)
    # The user must reach run/ to create out/ after the switch.
    top = os.path.dirname(ctx.root)
    os.chmod(top, 0o711)
    os.chmod(ctx.root, 0o711)
    os.chmod(ctx.rundir, 0o777)
    case, files = _simple(ctx, ["-U", TEST_USER])

    def check(outdir):
        probs = []
        for rel, p in sorted(_tree(outdir).items()):
            if rel not in files:      # report.xml may be opened before the switch
                continue
            st = os.stat(p)
            if st.st_uid != pw.pw_uid:
                probs.append("-U: %s owned by uid %d, expected %d (%s)" % (
                    rel, st.st_uid, pw.pw_uid, TEST_USER))
        return probs
    case.check = check
    return case


@scenario("opt-z-chroot-absolute-outdir")
def _(ctx):
    """-U with -z: files still land in the -o directory the user named (an
    absolute path), not inside the jail, and the jail stays empty."""
    if os.geteuid() != 0:
        print("SKIP opt-z-chroot-absolute-outdir: not running as root", file=sys.stderr, flush=True)
        return Case([], {}, {}, outdir=None, report=False)
    try:
        pwd.getpwnam(TEST_USER)
    except KeyError:
        import subprocess
        subprocess.run(["useradd", "--system", "--no-create-home", TEST_USER], check=True)
    top = os.path.dirname(ctx.root)
    os.chmod(top, 0o711)
    os.chmod(ctx.root, 0o711)
    os.chmod(ctx.rundir, 0o777)
    jail = os.path.join(ctx.root, "jail")
    os.makedirs(jail, exist_ok=True)
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    outdir = os.path.join(ctx.rundir, "out")
    # LeakSanitizer (sanitizer builds) reads /proc at exit, which the empty
    # jail does not have: leak checking is off for this run only.
    no_leak_check = {"ASAN_OPTIONS": ":".join(
        o for o in [os.environ.get("ASAN_OPTIONS", ""), "detect_leaks=0"] if o)}
    case = Case([Run(["-r", path, "-o", outdir, "-U", TEST_USER, "-z", jail],
                     env=no_leak_check)], files, mtimes)

    def check(_outdir):
        left = os.listdir(jail)
        return ["-z: the jail got files: %s" % left] if left else []
    case.check = check
    return case


@scenario("opt-z-needs-U")
def _(ctx):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    return Case([Run(["-r", path, "-o", "out", "-z", ctx.indir], exit=2,
                     stderr=[["-U", "chroot"]])], outdir=None, report=False)


# -- -L with -c ------------------------------------------------------------------------------
@scenario("opt-L-console-same")
def _(ctx):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    sem = "tcpflow-e2e-%d" % os.getpid()
    runs = [Run(["-r", path, "-c"]), Run(["-r", path, "-c", "-L", sem])]

    def check(_outdir):
        try:                      # the semaphore may outlive the run: not ours to keep
            os.unlink("/dev/shm/sem." + sem)
        except OSError:
            pass
        plain, locked = (getattr(r, "stdout", None) for r in runs)
        if plain is None or locked is None:
            return []
        probs = []
        if not plain:
            probs.append("-c printed nothing")
        if locked != plain:
            probs.append("-L %s: stdout differs from plain -c (%d vs %d bytes)" % (
                sem, len(locked), len(plain)))
        return probs
    case = Case(runs, outdir=None, report=False)
    case.check = check
    return case


# -- more edges ------------------------------------------------------------------------------
@scenario("opt-Fc-with-T")
def _(ctx):
    convs, packets = _three_reuses()
    path = _pcap(ctx, "reuse.pcap", packets)
    files, mtimes = truth(packets)

    def ren(k):
        m = re.match(r"^(.*?)(?:c(\d+))?$", k)
        return "x_%sc%d" % (m.group(1), int(m.group(2) or 0))
    files, mtimes = _renamed(files, mtimes, ren)
    return Case([Run(["-r", path, "-o", "out", "-Fc", "-T", "x_%A.%a-%B.%b"])], files, mtimes,
                note="%C%c appended to the template, always shown with -Fc")


@scenario("opt-T-control-chars")
def _(ctx):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    files, mtimes = _renamed(files, mtimes, lambda k: k.replace("-", "_\x5f-", 1))
    return Case([Run(["-r", path, "-o", "out", "-T", "%A.%a\x01\x1f-%B.%b"])], files, mtimes,
                note="control characters become _")


@scenario("opt-I-with-b")
def _(ctx):
    a, b, packets = _two()
    path = _pcap(ctx, "cap.pcap", packets)
    cap = 650
    files, mtimes = truth(packets, max_bytes=cap)
    for c in (a, b):
        for d in (0, 1):
            lines = "".join(_findx_line(p.off, p.ts_ns, min(len(p.payload), cap - p.off))
                            for p in packets if p.conv is c and p.dir == d and p.is_data
                            and p.off < cap)
            files[c.name(d) + ".findx"] = lines.encode()
    return Case([Run(["-r", path, "-o", "out", "-I", "-b", str(cap)])], files, mtimes,
                note="only stored bytes are indexed")


@scenario("opt-I-hole")
def _(ctx):
    a = conv(3000, 2000, seed=8, client=A, server=B, mss=500)
    a.drop(0, 2)             # client bytes 1000-1499 never arrive: zeros, no index line
    packets = finalize_all([a])
    path = _pcap(ctx, "hole.pcap", packets)
    files, mtimes = truth(packets)
    for d in (0, 1):
        files[a.name(d) + ".findx"] = _findx_truth(packets, d)
    return Case([Run(["-r", path, "-o", "out", "-I"])], files, mtimes)


@scenario("opt-R-new-syn-on-closed-tuple-ignored")
def _(ctx):
    a = conv(1000, 800, seed=3, client=A, server=B)
    a2 = conv(900, 700, seed=4, client=A, server=B, isn=(77777, 88888))
    pa = finalize_all([a])
    a2.finalize(pa[-1].ts_ns + 5_000_000)
    p1 = _pcap(ctx, "first.pcap", pa)
    p2 = _pcap(ctx, "second.pcap", cv.merge([a2]))
    files, mtimes = truth(pa)
    return Case([Run(["-r", p1, "-R", p2, "-o", "out"])], files, mtimes,
                note="a new SYN on a closed 4-tuple in the -R file starts a new connection: ignored")


def _late_case(ctx, args, keep):
    # a closes, then b and c open and close (max_linger=1 would forget a),
    # then a retransmission of a's first client segment arrives: with -P it
    # is known as a's, a duplicate, and makes no new file.
    a = conv(1000, 800, seed=3, client=A, server=B)
    b = conv(700, 600, seed=4, client=C, server=D)
    c = conv(500, 400, seed=5, client=("10.0.0.5", 3456), server=D)
    packets = finalize_all([a, b, c])
    late = a.data_segs(0)[0].copy("retrans")
    late.ack = a.pkts[-1].ack
    a.pkts.append(late)
    late.ts_ns = packets[-1].ts_ns + 10_000_000
    late.frames = [(late.ts_ns, l3) for l3 in a._l3(late)]
    packets = packets + [late]
    path = _pcap(ctx, "late.pcap", packets)
    files, mtimes = truth([p for p in packets if p is not late])
    if keep:
        mtimes.pop(a.name(0))    # whether a late duplicate moves the mtime is not fixed here
    else:
        files[a.name(0) + "c1"] = late.payload
        mtimes[a.name(0) + "c1"] = late.ts_ns
    return Case([Run(["-r", path, "-o", "out"] + args)], files, mtimes)


@scenario("opt-P-late-packet-recognised")
def _(ctx):
    return _late_case(ctx, ["-P", "-S", "max_linger=1"], True)


@scenario("opt-S-max-linger-forgets-without-P")
def _(ctx):
    return _late_case(ctx, ["-S", "max_linger=1"], False)
