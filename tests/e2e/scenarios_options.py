"""Options that name and shape the flow files end to end: -T codes, -F
letters, -f, -I. (-K and -w: scenarios_pcap_outputs.py; -R, -P, -X, -S,
-q/-v/-d, -U/-z, -L: scenarios_run_options.py; shared helpers:
options_lib.py.)

Scenarios here and there that need more than the runner's file comparison set
``case.check``: a function called with the output directory (or None) that
returns a list of problems; it can read each Run's ``rc``, ``stdout`` and
``stderr_text`` (filled in by the runner).

Assumptions where the man page leaves room (doc/tcpflow.1):
* %N/%K/%M/%G number the flows (directions) from 0 in the order their first
  packet was seen; %S is the connection number from 0 (20 digits).
* %t/%T and -Ft/-FT use the first packet of the flow (the direction), so the
  client flow (SYN) and the server flow (SYN-ACK) can differ by a second.
* -I: "offset|seconds.microseconds|length", microseconds with 6 digits.
* mtimes follow the suite's truth rule (last packet of the direction), as in
  every other scenario file.
"""

import datetime
import hashlib
import json
import os
import re

from e2e_lib import Case, Run, conv, cv, finalize_all, pg, scenario, truth
from options_lib import (A, B, EDGE_NS, exact_set, file_tree, findx_line, findx_truth, read_file, renamed,
                         report_fileobjects, three_reuses, two_convs, write_pcap)


def _iso(sec):
    return datetime.datetime.fromtimestamp(sec, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def _first_ts(packets, conv_, d):
    return min(p.ts_ns for p in packets if p.conv is conv_ and p.dir == d)


# -- -T ------------------------------------------------------------------------------
@scenario("opt-T-every-code")
def _(ctx):
    a, b, packets = two_convs(start_ns=EDGE_NS, vlan_a=42)
    path = write_pcap(ctx, "cap.pcap", packets)
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
    files, mtimes = renamed(files, mtimes, lambda k: name_of[k])
    return Case([Run(["-r", path, "-o", "out", "-T", tmpl])], files, mtimes,
                note="client %t is 1700000000, server %t 1700000001 (SYN-ACK 1 ms later)")


@scenario("opt-T-count-codes")
def _(ctx):
    convs = [conv(600 + 100 * i, 400, seed=i + 1, client=A, server=B,
                  isn=(1000 + 100000 * i, 5000 + 100000 * i)) for i in range(3)]
    packets = finalize_all(convs)
    path = write_pcap(ctx, "reuse.pcap", packets)
    files, mtimes = truth(packets)

    def ren(k):
        m = re.match(r"^(.*?)(?:c(\d+))?$", k)
        n = int(m.group(2) or 0)
        return "%s_%s_%d" % (m.group(1), "c%d" % n if n else "", n)
    files, mtimes = renamed(files, mtimes, ren)
    return Case([Run(["-r", path, "-o", "out", "-T", "%A.%a-%B.%b_%C%c_%#"])], files, mtimes,
                note="%# always; %C%c empty at count 0; nothing appended")


@scenario("opt-T-dotdot-stays-inside")
def _(ctx):
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    files, mtimes = renamed(files, mtimes, lambda k: "_../_../esc/" + k.replace("-", "/-", 1))
    return Case([Run(["-r", path, "-o", "out", "-T", "../../esc/./%A.%a//-%B.%b"])],
                files, mtimes, note=".. -> _.., . and empty components dropped")


@scenario("opt-T-absolute-stays-inside")
def _(ctx):
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
    absdir = os.path.join(ctx.root, "abs")          # inside the checked tree
    files, mtimes = truth(packets)
    rel = absdir.lstrip("/")
    files, mtimes = renamed(files, mtimes, lambda k: rel + "/" + k)
    return Case([Run(["-r", path, "-o", "out", "-T", absdir + "/%A.%a-%B.%b"])],
                files, mtimes, note="leading / dropped: out/<abs path>/name")


@scenario("opt-T-unknown-code-exit-2")
def _(ctx):
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
    return Case([Run(["-r", path, "-o", "out", "-T", "%A.%a-%Q"], exit=2,
                     stderr=[["%Q", "template"]]),
                 Run(["-r", path, "-o", "out", "-T", "%A.%a-%B.%b%"], exit=2)],
                outdir=None, report=False)


@scenario("opt-buffer-size-usage-errors")
def _(ctx):
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
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
    a, b, packets = two_convs()
    path = ctx.write("raw.pcap", pg.pcap_bytes(cv.records(packets, pg.LINKTYPE_RAW),
                                               pg.LINKTYPE_RAW))
    files, mtimes = truth(packets)
    files, mtimes = renamed(files, mtimes, lambda k: "[][]" + k)
    return Case([Run(["-r", path, "-o", "out", "-T", "[%E][%e]%A.%a-%B.%b"])], files, mtimes,
                note="%E/%e are empty without a link-layer address")


# -- -F ------------------------------------------------------------------------------
@scenario("opt-Fc-three-reuses")
def _(ctx):
    convs, packets = three_reuses()
    path = write_pcap(ctx, "reuse.pcap", packets)
    files, mtimes = truth(packets)
    assert sorted(files) == sorted(c.name(d) + s for c in convs[:1] for d in (0, 1)
                                   for s in ("", "c1", "c2"))
    files, mtimes = renamed(files, mtimes, lambda k: k if re.search(r"c\d$", k) else k + "c0")
    return Case([Run(["-r", path, "-o", "out", "-Fc"])], files, mtimes,
                note="c0, c1, c2 for both directions")


def _time_prefixed(ctx, letter, fmt):
    a, b, packets = two_convs(start_ns=EDGE_NS)
    path = write_pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    first = {c.name(d): _first_ts(packets, c, d) // 10**9 for c in (a, b) for d in (0, 1)}
    files, mtimes = renamed(files, mtimes, lambda k: fmt(first[k]) + k)
    return Case([Run(["-r", path, "-o", "out", "-F" + letter])], files, mtimes)


@scenario("opt-Ft-unix-time-prefix")
def _(ctx):
    return _time_prefixed(ctx, "t", lambda s: "%dT" % s)


@scenario("opt-FT-iso-time-prefix")
def _(ctx):
    return _time_prefixed(ctx, "T", _iso)


@scenario("opt-FX-no-files-report-lists-flows")
def _(ctx):
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
    files, _ = truth(packets)

    def check(outdir):
        tree = file_tree(outdir)
        probs = []
        if set(tree) != {"report.xml"}:
            probs.append("-FX: files other than report.xml: %s" % sorted(set(tree) - {"report.xml"}))
        if "report.xml" in tree:
            got = sorted(n for n, _, _ in report_fileobjects(tree["report.xml"]))
            if got != sorted(files):
                probs.append("-FX: report.xml lists %s, expected %s" % (got, sorted(files)))
        return probs
    case = Case([Run(["-r", path, "-o", "out", "-FX"])], {}, {})
    case.check = check
    return case


@scenario("opt-FX-jsonl-still-written")
def _(ctx):
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
    files, _ = truth(packets)
    os.makedirs(os.path.join(ctx.rundir, "out"))

    def check(outdir):
        probs = exact_set(outdir, {"index.jsonl"})
        p = os.path.join(outdir, "index.jsonl")
        if os.path.exists(p):
            try:
                lines = [json.loads(ln) for ln in read_file(p).decode().splitlines()]
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
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)

    def check(outdir):
        tree = file_tree(outdir)
        if "report.xml" not in tree:
            return []
        probs = []
        objs = {n: h for n, h, _ in report_fileobjects(tree["report.xml"])}
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
    path = write_pcap(ctx, "many.pcap", packets)
    files, mtimes = truth(packets)
    num = _flow_numbers(convs)
    files, mtimes = renamed(files, mtimes, lambda k: "%03d/%s" % (num[k] // 1000, k))
    return Case([Run(["-r", path, "-o", "out", "-Fk"])], files, mtimes)


@scenario("opt-Fm-layout")
def _(ctx):
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    files, mtimes = renamed(files, mtimes, lambda k: "000000-000999/000000/" + k)
    return Case([Run(["-r", path, "-o", "out", "-Fm"])], files, mtimes)


@scenario("opt-Fg-layout")
def _(ctx):
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    files, mtimes = renamed(
        files, mtimes, lambda k: "000000000-000999999/000000000-000000999/000000000/" + k)
    return Case([Run(["-r", path, "-o", "out", "-Fg"])], files, mtimes)


@scenario("opt-Fk-with-T-before")
def _(ctx):
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    num = _flow_numbers([a, b])
    files, mtimes = renamed(files, mtimes, lambda k: "000/%03d_%s" % (num[k], k))
    return Case([Run(["-r", path, "-o", "out", "-T", "%N_%A.%a-%B.%b", "-Fk"])], files, mtimes,
                note="-F prefixes apply whether -T comes before or after")


@scenario("opt-Fk-with-T-after")
def _(ctx):
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    num = _flow_numbers([a, b])
    files, mtimes = renamed(files, mtimes, lambda k: "000/%03d_%s" % (num[k], k))
    return Case([Run(["-r", path, "-o", "out", "-Fk", "-T", "%N_%A.%a-%B.%b"])], files, mtimes)


@scenario("opt-Fkt-order")
def _(ctx):
    a, b, packets = two_convs(start_ns=EDGE_NS)
    path = write_pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    first = {c.name(d): _first_ts(packets, c, d) // 10**9 for c in (a, b) for d in (0, 1)}
    files, mtimes = renamed(files, mtimes, lambda k: "%dT000/%s" % (first[k], k))
    return Case([Run(["-r", path, "-o", "out", "-Fkt"])], files, mtimes,
                note="k then t: t in front of k's prefix")


@scenario("opt-Ftk-order")
def _(ctx):
    a, b, packets = two_convs(start_ns=EDGE_NS)
    path = write_pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    first = {c.name(d): _first_ts(packets, c, d) // 10**9 for c in (a, b) for d in (0, 1)}
    files, mtimes = renamed(files, mtimes, lambda k: "000/%dT%s" % (first[k], k))
    return Case([Run(["-r", path, "-o", "out", "-Ft", "-Fk"])], files, mtimes)


# -- -f ------------------------------------------------------------------------------
def _interleaved(ctx, n=100):
    convs = [conv(1500 + 7 * i, 1200 + 11 * i, seed=100 + i, mss=300,
                  client=("10.3.%d.%d" % (i // 200, i % 200 + 1), 2000 + i),
                  server=("10.4.0.%d" % (i % 5 + 1), 443)) for i in range(n)]
    # 37 us apart with 1 ms per packet: every connection overlaps ~25 others
    packets = finalize_all(convs, spacing_ns=37_000)
    return write_pcap(ctx, "interleaved.pcap", packets), truth(packets)


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
@scenario("opt-I-in-order-exact")
def _(ctx):
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    for c in (a, b):
        for d in (0, 1):
            lines = "".join(findx_line(p.off, p.ts_ns, len(p.payload))
                            for p in packets if p.conv is c and p.dir == d and p.is_data)
            files[c.name(d) + ".findx"] = lines.encode()
    return Case([Run(["-r", path, "-o", "out", "-I"])], files,
                {k: v for k, v in mtimes.items()}, note="one line per packet payload")


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
    path = write_pcap(ctx, "reord.pcap", packets)
    files, mtimes = truth(packets)
    for d in (0, 1):
        files[a.name(d) + ".findx"] = findx_truth(packets, d)
    return Case([Run(["-r", path, "-o", "out", "-I"])], files, mtimes,
                note="held blocks keep their own packet's time; duplicates add no line")


@scenario("opt-I-reordered")
def _(ctx):
    a = _reordered_conv()
    packets = finalize_all([a])
    path = write_pcap(ctx, "reord.pcap", packets)
    files, mtimes = truth(packets)

    def check(outdir):
        tree = file_tree(outdir)
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
            text = read_file(tree[name + ".findx"]).decode("ascii", "replace")
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
