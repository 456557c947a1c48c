"""Scenario framework for the end-to-end tests.

A scenario is a function registered with ``@scenario(name)``. It receives a
``Ctx`` (an empty temporary directory with ``in/`` for captures and ``run/``
as tcpflow's working directory) and returns a ``Case``: the tcpflow runs to
make and what must come out. The runner (run_e2e.py) executes and checks it.
"""

import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "gen"))

import conversation as cv  # noqa: E402
import pcapgen as pg       # noqa: E402

SCENARIOS = []


def scenario(name):
    def deco(fn):
        assert name not in [s[0] for s in SCENARIOS], name
        SCENARIOS.append((name, fn))
        return fn
    return deco


class Run:
    """One tcpflow invocation. args are passed after the binary; stdin is a
    path (or None); fsize limits RLIMIT_FSIZE (bytes) for the child; env
    holds extra environment variables for the child."""

    def __init__(self, args, stdin=None, fsize=None, exit=0, stderr=(), env=None):
        self.args = list(args)
        self.env = dict(env or {})
        self.stdin = stdin
        self.fsize = fsize
        self.exit = exit          # 0, "nonzero", or None (anything but a signal)
        self.stderr = list(stderr)  # groups of alternatives, each group must match


class Case:
    """What to run and what must come out.

    files/mtimes: the exact expected flow files in outdir (report.xml aside).
    some_files: files that must exist with exactly these bytes when the full
    set is not known (files=None). prefix_files: files that must exist and be
    a prefix of the given bytes (for runs that are cut short on purpose).
    report: report.xml must exist.
    outdir: relative to the run directory; None when no output is expected
    anywhere (error cases): then the run directory must stay as it was.
    """

    def __init__(self, runs, files=None, mtimes=None, outdir="out", report=True,
                 prefix_files=None, some_files=None, note=""):
        self.runs = runs
        self.files = files
        self.some_files = some_files or {}
        self.mtimes = mtimes or {}
        self.outdir = outdir
        self.report = report
        self.prefix_files = prefix_files or {}
        self.note = note


class Ctx:
    def __init__(self, root):
        self.root = root
        self.indir = os.path.join(root, "in")
        self.rundir = os.path.join(root, "run")
        os.makedirs(self.indir)
        os.makedirs(self.rundir)

    def write(self, name, data):
        path = os.path.join(self.indir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path


# ---------------------------------------------------------------------------
# Helpers shared by the scenario files
def stream(n, seed):
    """n pseudo-random bytes (never the same layout twice, no zero runs)."""
    rng = random.Random(seed)
    return bytes(rng.randrange(1, 256) for _ in range(n))


def text_stream(n, tag):
    line = ("%s line " % tag).encode()
    out = bytearray()
    i = 0
    while len(out) < n:
        out += line + str(i).encode() + b"\r\n"
        i += 1
    return bytes(out[:n])


def http_pair(path="/index.html", body_len=3000, seed=7):
    req = (b"GET " + path.encode() + b" HTTP/1.1\r\nHost: www.example.test\r\n"
           b"User-Agent: pcapgen/1.0\r\nAccept: */*\r\n\r\n")
    body = text_stream(body_len, "body")
    resp = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
            % len(body)) + body
    return req, resp


def conv(client_len=3000, server_len=5000, seed=1, **kw):
    """A conversation with pseudo-random streams of the given lengths."""
    kw.setdefault("mss", 500)
    return cv.Conversation(client_data=stream(client_len, seed * 2 + 1),
                           server_data=stream(server_len, seed * 2 + 2), **kw)


def finalize_all(convs, start_ns=cv.DEFAULT_START_NS, step_ns=cv.DEFAULT_STEP_NS,
                 spacing_ns=None):
    """Finalizes conversations one after the other in time (spacing_ns apart,
    default: sequential with no overlap)."""
    t = start_ns
    for c in convs:
        c.finalize(t, step_ns)
        last = max(p.last_ts for p in c.pkts)
        t = t + spacing_ns if spacing_ns is not None else last + 10 * step_ns
    return cv.merge(convs)


def truth(packets, **kw):
    return cv.expected_output(packets, **kw)


def single(ctx, convs, name="cap.pcap", linktype=pg.LINKTYPE_ETHERNET, fmt="pcap",
           args=(), frame_kw=None, truth_kw=None, nsec=False, big_endian=False,
           step_ns=cv.DEFAULT_STEP_NS, start_ns=cv.DEFAULT_START_NS, spacing_ns=None,
           compress=False, note=""):
    """The common case: conversations -> one capture -> one run -> truth."""
    packets = finalize_all(convs, start_ns=start_ns, step_ns=step_ns, spacing_ns=spacing_ns)
    recs = cv.records(packets, linktype, **(frame_kw or {}))
    if fmt == "pcap":
        data = pg.pcap_bytes(recs, linktype, nsec=nsec, big_endian=big_endian)
    else:
        itf = pg.Interface(linktype, tsresol=9 if nsec else 6)
        data = pg.pcapng_bytes(recs, [itf], big_endian=big_endian)
    if compress:
        data = pg.gzip_bytes(data)
    path = ctx.write(name, data)
    files, mtimes = truth(packets, **(truth_kw or {}))
    return Case([Run(["-r", path, "-o", "out"] + list(args))], files, mtimes, note=note)


def plain_file_run(case, unsuitable_options, unsuitable_settings):
    """(args, None) when `case` is one run of tcpflow on files into -o that a
    suite may rerun with options of its own (shards, compression), else
    (None, reason). `unsuitable_options`: arguments that rule a case out
    (console output, live capture, ...); `unsuitable_settings`: substrings
    of arguments that do (tcp_cmd, ...)."""
    if len(case.runs) != 1:
        return None, "%d runs" % len(case.runs)
    run = case.runs[0]
    if run.exit != 0 or run.stdin or run.fsize or run.env or getattr(run, "custom", None):
        return None, "error case, stdin, limits or environment"
    if "-o" not in run.args:
        return None, "no -o"
    for a in run.args:
        # -c, -C, -J and their bundles with one more letter (-cF, ...) write to the console.
        if a in unsuitable_options or (a[:2] in ("-c", "-C", "-J") and len(a) <= 3):
            return None, "option %s" % a
        if any(s in a for s in unsuitable_settings):
            return None, "setting %s" % a
        if a == "-":
            return None, "stdin"
    return run.args, None
