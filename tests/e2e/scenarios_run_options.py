"""Options that shape a run end to end: -R, -P, -X, -S settings,
-q/-v/-d, -U/-z, -L with -c, and more edges. A scenario that needs more
than the runner's file comparison sets ``case.check`` (see
scenarios_options.py)."""

import json
import os
import pwd
import re
import sys

from e2e_lib import Case, Run, conv, cv, finalize_all, scenario, stream, truth
from options_lib import (A, B, C, D, exact_set, file_tree, findx_line, findx_truth, read_file,
                         renamed, report_fileobjects, three_reuses, two_convs, write_pcap)


# -- -R ------------------------------------------------------------------------------
@scenario("opt-R-continues-only")
def _(ctx):
    a = conv(4000, 3000, seed=3, client=A, server=B, mss=500)
    b = conv(1000, 1000, seed=4, client=C, server=D)
    pa = finalize_all([a])
    half = len(pa) // 2
    b.finalize(pa[half].ts_ns + 100_000)          # b starts inside the second file
    second = sorted(pa[half:] + b.pkts, key=lambda p: p.ts_ns)
    p1 = write_pcap(ctx, "first.pcap", pa[:half])
    p2 = write_pcap(ctx, "second.pcap", second)
    files, mtimes = truth(pa)
    return Case([Run(["-r", p1, "-R", p2, "-o", "out"])], files, mtimes,
                note="a continues from first.pcap; b starts in the -R file: ignored")


# -- -P, -X, settings, verbosity -------------------------------------------------------------
def _simple(ctx, args, **kw):
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
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
    path = write_pcap(ctx, "many.pcap", packets)
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
        probs = exact_set(outdir, set(files) | {"sub-report.xml"})
        if "report.xml" in file_tree(outdir):
            probs.append("-X: out/report.xml written as well")
        p = os.path.join(outdir, "sub-report.xml")
        if os.path.exists(p):
            got = sorted(n for n, _, _ in report_fileobjects(p))
            if got != sorted(files):
                probs.append("-X: report lists %s, expected %s" % (got, sorted(files)))
        return probs
    case.check = check
    return case


@scenario("opt-S-enable-report-no")
def _(ctx):
    case, files = _simple(ctx, ["-S", "enable_report=NO"], report=False)
    case.check = lambda outdir: (["report.xml written"] if "report.xml" in file_tree(outdir)
                                 else [])
    return case


@scenario("opt-S-jsonl")
def _(ctx):
    os.makedirs(os.path.join(ctx.rundir, "out"))
    case, files = _simple(ctx, ["-S", "jsonl=out/index.jsonl"])
    case.files = None
    case.some_files = files

    def check(outdir):
        probs = exact_set(outdir, set(files) | {"index.jsonl"})
        p = os.path.join(outdir, "index.jsonl")
        if not os.path.exists(p):
            return probs
        seen = {}
        for i, ln in enumerate(read_file(p).decode("utf-8").splitlines()):
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
    path = write_pcap(ctx, "idle.pcap", packets)
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
        for rel, p in sorted(file_tree(outdir).items()):
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
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
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
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
    return Case([Run(["-r", path, "-o", "out", "-z", ctx.indir], exit=2,
                     stderr=[["-U", "chroot"]])], outdir=None, report=False)


# -- -L with -c ------------------------------------------------------------------------------
@scenario("opt-L-console-same")
def _(ctx):
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
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
    convs, packets = three_reuses()
    path = write_pcap(ctx, "reuse.pcap", packets)
    files, mtimes = truth(packets)

    def ren(k):
        m = re.match(r"^(.*?)(?:c(\d+))?$", k)
        return "x_%sc%d" % (m.group(1), int(m.group(2) or 0))
    files, mtimes = renamed(files, mtimes, ren)
    return Case([Run(["-r", path, "-o", "out", "-Fc", "-T", "x_%A.%a-%B.%b"])], files, mtimes,
                note="%C%c appended to the template, always shown with -Fc")


@scenario("opt-T-control-chars")
def _(ctx):
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
    files, mtimes = truth(packets)
    files, mtimes = renamed(files, mtimes, lambda k: k.replace("-", "_\x5f-", 1))
    return Case([Run(["-r", path, "-o", "out", "-T", "%A.%a\x01\x1f-%B.%b"])], files, mtimes,
                note="control characters become _")


@scenario("opt-I-with-b")
def _(ctx):
    a, b, packets = two_convs()
    path = write_pcap(ctx, "cap.pcap", packets)
    cap = 650
    files, mtimes = truth(packets, max_bytes=cap)
    for c in (a, b):
        for d in (0, 1):
            lines = "".join(findx_line(p.off, p.ts_ns, min(len(p.payload), cap - p.off))
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
    path = write_pcap(ctx, "hole.pcap", packets)
    files, mtimes = truth(packets)
    for d in (0, 1):
        files[a.name(d) + ".findx"] = findx_truth(packets, d)
    return Case([Run(["-r", path, "-o", "out", "-I"])], files, mtimes)


@scenario("opt-R-new-syn-on-closed-tuple-ignored")
def _(ctx):
    a = conv(1000, 800, seed=3, client=A, server=B)
    a2 = conv(900, 700, seed=4, client=A, server=B, isn=(77777, 88888))
    pa = finalize_all([a])
    a2.finalize(pa[-1].ts_ns + 5_000_000)
    p1 = write_pcap(ctx, "first.pcap", pa)
    p2 = write_pcap(ctx, "second.pcap", cv.merge([a2]))
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
    path = write_pcap(ctx, "late.pcap", packets)
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
