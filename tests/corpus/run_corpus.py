#!/usr/bin/env python3
"""Runs tcpflow over every capture of the shared real-capture corpus.

Usage: run_corpus.py [TCPFLOW] [--corpus DIR] [--modes plain,c,a] [--jobs 2]
                     [--timeout 20] [-k SUBSTRING]... [--limit N] [--sample N]
                     [--sizes FILE.tsv] [--failures DIR]

The corpus is ../shared/corpus beside the repository (MANIFEST.tsv lists the
captures); TCPFLOW_CORPUS overrides it. When the folder is missing this
prints a SKIP line and exits 77 (automake's skip code).

Each capture runs in a fresh empty working directory as
    [$TCPFLOW_WRAPPER] tcpflow [MODE FLAGS] -r CAPTURE -o out
with modes plain (no flag), c (-c) and a (-a); TCPFLOW_CORPUS_MODES sets the
default modes. ASAN_OPTIONS / UBSAN_OPTIONS default (when not already set) to
halt_on_error=1, exitcode=99, detect_leaks=1, so a sanitized binary's report
ends the run with status 99; symbolize=0 is added unless ASAN_OPTIONS names
symbolize, and a run with a sanitizer report is run once more with symbols
for the kept stderr. A run FAILS, naming the capture, on:
  * a sanitizer report: exit status 99, or "runtime error:" /
    "AddressSanitizer" / "LeakSanitizer" / "UndefinedBehaviorSanitizer" on stderr;
  * a signal or crash (exit status >= 128 or killed by a signal);
  * a timeout (default 20 s, TCPFLOW_CORPUS_TIMEOUT);
  * any file or directory created outside out/ in the working directory;
  * an out/report.xml that is not well-formed XML (plain and -a modes);
  * -a mode, when the binary has netviz (cairo): no whole out/report.pdf and
    out/report.png (the netviz page is drawn for every capture);
  * output too large, which means a sequence number was misread as a huge
    offset. Sizes are apparent sizes (holes count); C = capture size,
    G = the gap bytes report.xml declares (sum of gap_bytes="N" on each
    <tcpflow:flow> inside a <fileobject>; 0 in -c mode, where stdout counts
    as output too):
      (1) total output - G  <=  4 x C + 1 MiB
      (2) each flow file listed in the report: size <= its payload bytes
          (bytes="N"; left out, it equals <filesize>) + its gap_bytes,
          and its gap_bytes <= 16 MiB x (1 +
          gap_count) (a hole larger than -m must have started a new file);
      (3) total output <= 64 x C + 64 MiB whatever the report says.
    HTTP body files (-a mode: NAME-HTTPBODY-NNN[.ext]) hold decoded,
    possibly decompressed content, not stream bytes: they are left out of
    (1)-(3) and instead
      (4) each is at most http_max_body (64 MiB, the default cap).
    RLIMIT_FSIZE is 1 GiB per file, a safety net only (EFBIG / SIGXFSZ fail).
When the plain mode runs too, -c runs only on captures whose plain run wrote
a flow file or failed: -c differs from a plain run only in where stream bytes
go, so where there are none it would repeat the plain run's work (about 40%
of the corpus has no TCP payload).
A non-zero exit status alone is not a failure (broken captures); a summary
of exit statuses is printed per mode, with the largest outputs. --sizes
writes one line per run (mode, capture, capture bytes, output bytes, gap
bytes, seconds, status); --failures keeps each failed run's stderr there.
Last line: "N passed, N failed".
"""

import argparse
import collections
import concurrent.futures
import os
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_CORPUS = os.path.normpath(os.path.join(REPO, "..", "shared", "corpus"))
MODES = {"plain": [], "c": ["-c"], "a": ["-a"]}
MIB = 1 << 20
MAX_SEEK = 16 * MIB      # tcpflow's default -m
FSIZE_LIMIT = 1 << 30    # per-file safety net
SAN_EXIT = 99
SANITIZER_DEFAULTS = {
    "ASAN_OPTIONS": "halt_on_error=1:abort_on_error=0:exitcode=%d:detect_leaks=1" % SAN_EXIT,
    "UBSAN_OPTIONS": "halt_on_error=1:abort_on_error=0:exitcode=%d:print_stacktrace=1" % SAN_EXIT,
    "LSAN_OPTIONS": "exitcode=%d" % SAN_EXIT,
}
SANITIZER_MARKERS = ("runtime error:", "AddressSanitizer", "LeakSanitizer",
                     "UndefinedBehaviorSanitizer")
NS = "{http://tcpflow.org/dfxml/2}"
ACTIVE = set()          # running children, killed if the runner is interrupted
ACTIVE_LOCK = threading.Lock()


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def kill_active():
    with ACTIVE_LOCK:
        for p in list(ACTIVE):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def read_manifest(corpus):
    rows = []
    with open(os.path.join(corpus, "MANIFEST.tsv"), encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 2:
                continue
            rows.append(dict(zip(header, fields)))
    return rows


def tree(root):
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            out.add(os.path.relpath(os.path.join(dirpath, n), root))
    return out


HTTP_MAX_BODY = 64 << 20  # the default -S http_max_body


def file_sizes(root):
    """{relative path: apparent size} of every file under root."""
    sizes = {}
    for dirpath, _, filenames in os.walk(root):
        for n in filenames:
            p = os.path.join(dirpath, n)
            try:
                sizes[os.path.relpath(p, root)] = os.lstat(p).st_size
            except OSError:
                pass
    return sizes


def report_flows(path):
    """[(filename, payload bytes, gap bytes, gap count)] from a report.xml.
    Raises ET.ParseError when it is not well-formed."""
    flows = []
    for fo in ET.parse(path).getroot().iter():
        if not fo.tag.endswith("fileobject"):
            continue
        name = ""
        for child in fo:
            if child.tag.endswith("filename"):
                name = child.text or ""
                break
        # Attributes at their default are left out (src/report/FORMAT.md):
        # bytes is then the <filesize>, the gap figures 0.
        filesize = next((c.text for c in fo if c.tag.endswith("}filesize")), "0")
        for fl in fo.iter(NS + "flow"):
            flows.append((name, int(fl.get("bytes", filesize)), int(fl.get("gap_bytes", "0")),
                          int(fl.get("gap_count", "0"))))
    return flows


def size_problems(res, sizes, stdout_bytes, report, capture_size):
    """Applies the documented size rules; fills res.out_bytes / res.gap_bytes."""
    problems = []
    bodies = {n: v for n, v in sizes.items() if "-HTTPBODY-" in os.path.basename(n)}
    for name, size in bodies.items():
        if size > HTTP_MAX_BODY:
            problems.append("http body %s: %d bytes > http_max_body %d" % (name, size,
                                                                           HTTP_MAX_BODY))
    total = sum(v for n, v in sizes.items() if n not in bodies) + stdout_bytes
    gaps = 0
    for name, payload, gap_bytes, gap_count in report or []:
        gaps += gap_bytes
        size = sizes.get(name)
        if size is None:
            continue
        if size > payload + gap_bytes:
            problems.append("flow file %s: %d bytes > payload %d + declared gaps %d "
                            "(an undeclared hole)" % (name, size, payload, gap_bytes))
        if gap_bytes > MAX_SEEK * (1 + gap_count):
            problems.append("flow file %s: %d gap bytes in %d gap(s) > 16 MiB x (1 + gaps)"
                            % (name, gap_bytes, gap_count))
    res.out_bytes, res.gap_bytes = total, gaps
    cap = 4 * capture_size + MIB
    if total - gaps > cap:
        problems.append("output %d bytes - %d declared gap bytes > cap %d (4 x %d + 1 MiB)"
                        % (total, gaps, cap, capture_size))
    hard = 64 * capture_size + 64 * MIB
    if total > hard:
        problems.append("output %d bytes > absolute cap %d (64 x %d + 64 MiB)"
                        % (total, hard, capture_size))
    return problems


class PlainOutcomes:
    """Whether each capture's plain run wrote a flow file, for the -c runs
    queued after it (a -c run waits for its capture's plain run)."""

    def __init__(self, paths):
        self._done = {p: threading.Event() for p in paths}
        self._needs_c = {}

    def record(self, path, needs_c):
        self._needs_c[path] = needs_c
        self._done[path].set()

    def needs_c(self, path):
        self._done[path].wait()
        return self._needs_c[path]


class Result:
    def __init__(self, path, mode):
        self.path = path
        self.mode = mode
        self.rc = None
        self.problems = []
        self.seconds = 0.0
        self.out_bytes = 0
        self.gap_bytes = 0
        self.capture_bytes = 0
        self.last_stderr = ""
        self.stderr_text = ""
        self.skipped = False      # -c left out: the plain run wrote no flow file
        self.wrote_flows = None   # plain mode: whether any flow file was written


def netviz_built(binary):
    """Whether the binary draws the netviz page (-H says "not available" otherwise)."""
    out = subprocess.run([binary, "-H"], capture_output=True, text=True).stdout
    line = next((ln for ln in out.splitlines() if ln.strip().startswith("netviz")), "")
    return bool(line) and "not available" not in line


def page_problems(outdir):
    """-a draws the netviz page: report.pdf and report.png must be there and whole."""
    problems = []
    for name, magic in (("report.pdf", b"%PDF-"), ("report.png", b"\x89PNG\r\n\x1a\n")):
        path = os.path.join(outdir, name)
        try:
            with open(path, "rb") as f:
                head = f.read(len(magic))
                f.seek(-16, os.SEEK_END)
                tail = f.read()
        except OSError:
            problems.append("-a drew no netviz %s" % name)
            continue
        whole = b"%%EOF" in tail if name.endswith(".pdf") else tail.endswith(b"IEND\xaeB`\x82")
        if head != magic or not whole:
            problems.append("netviz %s is not a whole %s file" % (name, name[-3:].upper()))
    return problems


def symbolized_rerun(cmd, env, timeout, limits, scratch):
    """The stderr of the same run with symbols, for the failure's report."""
    if "symbolize=0" not in env.get("ASAN_OPTIONS", ""):
        return ""
    env = dict(env, ASAN_OPTIONS=env["ASAN_OPTIONS"].replace("symbolize=0", "symbolize=1"))
    work = tempfile.mkdtemp(prefix="rerun-", dir=scratch)
    try:
        p = subprocess.run(cmd, cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, preexec_fn=limits, env=env,
                           timeout=timeout * 4)
        err = p.stderr[-4 * MIB:].decode("utf-8", "replace")
        return "\n===== the same run again with symbols (exit %d) =====\n%s" % (p.returncode, err)
    except subprocess.TimeoutExpired:
        return "\n===== the run again with symbols timed out =====\n"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_one(binary, wrapper, corpus, row, mode, scratch, timeout, env, expect_page=False,
            plain=None):
    path = row["path"]
    res = Result(path, mode)
    if mode == "c" and plain is not None and not plain.needs_c(path):
        res.skipped = True
        return res
    try:
        return run_capture(res, binary, wrapper, corpus, row, mode, scratch, timeout, env,
                           expect_page)
    finally:
        if mode == "plain" and plain is not None:
            # wrote_flows stays None when the run broke off: -c runs then too.
            plain.record(path, bool(res.problems) or res.wrote_flows is not False)


def run_capture(res, binary, wrapper, corpus, row, mode, scratch, timeout, env, expect_page):
    path = row["path"]
    capture = os.path.join(corpus, path)
    size = os.path.getsize(capture)
    res.capture_bytes = size
    work = tempfile.mkdtemp(prefix="run-", dir=scratch)
    side = tempfile.mkdtemp(prefix="io-", dir=scratch)   # stdout/stderr, outside work
    cmd = wrapper + [binary] + MODES[mode] + ["-r", capture, "-o", "out"]

    def limits():
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (FSIZE_LIMIT, FSIZE_LIMIT))

    t0 = time.monotonic()
    try:
        with open(os.path.join(side, "stdout"), "wb") as out, \
                open(os.path.join(side, "stderr"), "wb") as err:
            p = subprocess.Popen(cmd, cwd=work, stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=err, preexec_fn=limits, start_new_session=True,
                                 env=env)
            with ACTIVE_LOCK:
                ACTIVE.add(p)
            try:
                res.rc = p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                res.problems.append("timeout after %g s" % timeout)
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                    p.wait(timeout=5)
                except (subprocess.TimeoutExpired, ProcessLookupError):
                    try:
                        os.killpg(p.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    p.wait()
                res.rc = None
            finally:
                with ACTIVE_LOCK:
                    ACTIVE.discard(p)
        res.seconds = time.monotonic() - t0
        rc = res.rc
        with open(os.path.join(side, "stderr"), "rb") as f:
            text = f.read(4 * MIB).decode("utf-8", "replace")
        lines = text.strip().splitlines()
        res.last_stderr = lines[-1][:200] if lines else ""
        san = [ln for ln in lines if any(m in ln for m in SANITIZER_MARKERS)]
        if rc == SAN_EXIT or san:
            res.problems.append("sanitizer report (exit %s): %s" % (
                rc, (san[0] if san else res.last_stderr)[:300]))
            text += symbolized_rerun(cmd, env, timeout, limits, scratch)
        if rc is not None and (rc < 0 or rc >= 128):
            sig = -rc if rc < 0 else rc - 128
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else sig
            why = " (a file reached the 1 GiB safety limit)" if sig == signal.SIGXFSZ else ""
            res.problems.append("killed by signal %s%s, exit %d" % (name, why, rc))
        outside = sorted(p for p in tree(work) if p != "out" and not p.startswith("out" + os.sep))
        if outside:
            res.problems.append("created outside out/: %s" % ", ".join(outside[:5]))
        outdir = os.path.join(work, "out")
        sizes = file_sizes(outdir)
        report = None
        if mode != "c" and os.path.isfile(os.path.join(outdir, "report.xml")):
            try:
                report = report_flows(os.path.join(outdir, "report.xml"))
            except (ET.ParseError, ValueError) as e:
                res.problems.append("report.xml is not well-formed: %s" % e)
        if mode == "a" and expect_page and rc is not None and 0 <= rc < 128:
            res.problems += page_problems(outdir)
        stdout_bytes = os.path.getsize(os.path.join(side, "stdout")) if mode == "c" else 0
        res.problems += size_problems(res, sizes, stdout_bytes, report, size)
        res.wrote_flows = bool(report) or any(n != "report.xml" for n in sizes)
        if "File too large" in text:
            res.problems.append("a write hit the 1 GiB per-file safety limit (EFBIG): %s" % next(
                (ln for ln in lines if "File too large" in ln), "")[:200])
        if res.problems:
            res.stderr_text = text[-20000:]
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(side, ignore_errors=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tcpflow", nargs="?", default=os.environ.get("TCPFLOW"))
    ap.add_argument("--corpus", default=os.environ.get("TCPFLOW_CORPUS", DEFAULT_CORPUS))
    ap.add_argument("--modes", default=os.environ.get("TCPFLOW_CORPUS_MODES", "plain"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float,
                    default=float(os.environ.get("TCPFLOW_CORPUS_TIMEOUT", "20")))
    ap.add_argument("-k", action="append", default=[], metavar="SUBSTRING",
                    help="only captures whose path contains SUBSTRING (repeatable)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N captures")
    ap.add_argument("--sample", type=int, default=0,
                    help="only N captures picked at random (fixed seed), e.g. to time a run")
    ap.add_argument("--sizes", metavar="FILE",
                    help="write per-run sizes (TSV: mode, capture, capture_bytes, "
                         "output_bytes, gap_bytes, seconds, status)")
    ap.add_argument("--failures", metavar="DIR",
                    help="keep the stderr of each failed run in DIR")
    args = ap.parse_args()

    if not os.path.isfile(os.path.join(args.corpus, "MANIFEST.tsv")):
        print("SKIP: no corpus at %s (set TCPFLOW_CORPUS)" % args.corpus)
        return 77
    if not args.tcpflow:
        ap.error("no binary: give TCPFLOW as an argument or in the environment")
    binary = os.path.abspath(args.tcpflow)
    if not os.access(binary, os.X_OK):
        print("tcpflow binary not found or not executable: %s" % binary, file=sys.stderr)
        return 99
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    for m in modes:
        if m not in MODES:
            ap.error("unknown mode %r (plain, c, a)" % m)
    wrapper = shlex.split(os.environ.get("TCPFLOW_WRAPPER", ""))
    env = dict(os.environ)
    for k, v in SANITIZER_DEFAULTS.items():
        env.setdefault(k, v)
    # Symbolizing costs a -a run about 0.3 s at every exit: LeakSanitizer
    # symbolizes the stacks of fontconfig's leaks before its built-in
    # suppression (matched by library name, which needs no symbols) drops
    # them. So runs go unsymbolized and a failed one is run again with
    # symbols for a readable report (symbolized_rerun).
    if "symbolize=" not in env["ASAN_OPTIONS"]:
        env["ASAN_OPTIONS"] += ":symbolize=0"

    rows = read_manifest(args.corpus)
    if args.k:
        rows = [r for r in rows if any(k in r["path"] for k in args.k)]
    if args.limit:
        rows = rows[:args.limit]
    if args.sample and args.sample < len(rows):
        import random
        rows = sorted(random.Random(1).sample(rows, args.sample), key=lambda r: r["path"])
    missing = [r["path"] for r in rows if not os.path.isfile(os.path.join(args.corpus, r["path"]))]
    rows = [r for r in rows if r["path"] not in set(missing)]
    print("corpus %s: %d captures x %d mode(s) (%s), %d jobs, timeout %g s%s" % (
        args.corpus, len(rows), len(modes), ",".join(modes), args.jobs, args.timeout,
        ", wrapper: " + " ".join(wrapper) if wrapper else ""), flush=True)
    for m in missing:
        print("MISSING %s (listed in MANIFEST.tsv)" % m)

    scratch = tempfile.mkdtemp(prefix="tcpflow-corpus-")
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    results = []
    t0 = time.monotonic()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs)
    try:
        expect_page = "a" in modes and netviz_built(binary)
        plain = PlainOutcomes([r["path"] for r in rows]) if "plain" in modes else None
        # Plain runs are queued first, so a -c run's wait is for a run already started.
        order = sorted(modes, key=lambda m: m != "plain")
        futs = [pool.submit(run_one, binary, wrapper, args.corpus, r, m, scratch, args.timeout,
                            env, expect_page, plain) for m in order for r in rows]
        for i, fut in enumerate(concurrent.futures.as_completed(futs), 1):
            res = fut.result()
            results.append(res)
            if res.problems:
                print("FAIL [%s] %s: %s" % (res.mode, res.path, "; ".join(res.problems)),
                      flush=True)
                if args.failures:
                    os.makedirs(args.failures, exist_ok=True)
                    name = "%s--%s.stderr" % (res.mode, res.path.replace("/", "_"))
                    with open(os.path.join(args.failures, name), "w") as f:
                        f.write("capture: %s\nmode: %s\nproblems: %s\n\n%s" % (
                            os.path.join(args.corpus, res.path), res.mode,
                            "; ".join(res.problems), res.stderr_text))
            if i % 250 == 0:
                print("... %d/%d runs, %.0f s" % (i, len(futs), time.monotonic() - t0),
                      flush=True)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        kill_active()
        raise
    finally:
        pool.shutdown(wait=True)
        shutil.rmtree(scratch, ignore_errors=True)

    skipped = [r for r in results if r.skipped]
    results = [r for r in results if not r.skipped]
    if skipped:
        print("mode c: %d captures left out, their plain run wrote no flow file" % len(skipped))
    for m in modes:
        mine = [r for r in results if r.mode == m]
        codes = collections.Counter("timeout" if r.rc is None else r.rc for r in mine)
        total_s = sum(r.seconds for r in mine)
        slow = max(mine, key=lambda r: r.seconds) if mine else None
        print("mode %s: %d runs, exit statuses %s; %.0f s summed wall time%s" % (
            m, len(mine), dict(sorted(codes.items(), key=lambda kv: str(kv[0]))), total_s,
            ", slowest %s (%.1f s)" % (slow.path, slow.seconds) if slow else ""))
        big = sorted(mine, key=lambda r: r.out_bytes, reverse=True)[:3]
        print("  largest outputs: %s" % ", ".join(
            "%s %d B from %d B (gaps %d B)" % (r.path, r.out_bytes, r.capture_bytes, r.gap_bytes)
            for r in big))
        print("  total output %d B from %d B of captures; %d failed" % (
            sum(r.out_bytes for r in mine), sum(r.capture_bytes for r in mine),
            sum(1 for r in mine if r.problems)))
        for code in sorted((c for c in codes if c != 0), key=str):
            ex = [r for r in mine if (r.rc if r.rc is not None else "timeout") == code][:3]
            for r in ex:
                print("  exit %s: %s: %s" % (code, r.path, r.last_stderr))
    if args.sizes:
        with open(args.sizes, "w") as f:
            f.write("mode\tcapture\tcapture_bytes\toutput_bytes\tgap_bytes\tseconds\tstatus\n")
            for r in sorted(results, key=lambda r: (r.mode, r.path)):
                f.write("%s\t%s\t%d\t%d\t%d\t%.2f\t%s\n" % (
                    r.mode, r.path, r.capture_bytes, r.out_bytes, r.gap_bytes, r.seconds,
                    "FAIL" if r.problems else ("timeout" if r.rc is None else r.rc)))
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ru.ru_utime + ru.ru_stime
    print("wall %.0f s; CPU time of all runs %.0f s (about %.0f s of wall time on %d idle cores)"
          % (time.monotonic() - t0, cpu, cpu / max(1, args.jobs), args.jobs))
    failed = sum(1 for r in results if r.problems)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
