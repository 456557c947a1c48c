#!/usr/bin/env python3
"""Runs tcpflow over every capture of the shared real-capture corpus.

Usage: run_corpus.py [TCPFLOW] [--corpus DIR] [--modes plain,c,a] [--jobs 2]
                     [--timeout 20] [-k SUBSTRING]... [--limit N]

The corpus is ../shared/corpus beside the repository (MANIFEST.tsv lists the
captures); TCPFLOW_CORPUS overrides it. When the folder is missing this
prints a SKIP line and exits 77 (automake's skip code).

Each capture runs in a fresh empty working directory as
    [$TCPFLOW_WRAPPER] tcpflow [MODE FLAGS] -r CAPTURE -o out
with modes plain (no flag), c (-c) and a (-a); TCPFLOW_CORPUS_MODES sets the
default modes. A run FAILS, naming the capture, on:
  * a signal or crash (exit status >= 128 or killed by a signal);
  * a timeout (default 20 s, TCPFLOW_CORPUS_TIMEOUT);
  * any file or directory created outside out/ in the working directory;
  * output (apparent sizes under out/, plus stdout in -c mode) larger than
    4 x capture size + 1 MiB (--size-basis allocated, or
    TCPFLOW_CORPUS_SIZE_BASIS=allocated, counts allocated blocks instead, so
    sparse zero-filled holes are free). RLIMIT_FSIZE is set just above that cap so a
    runaway file cannot fill the disk; a write stopped by it (EFBIG: "File
    too large" on stderr, or death by SIGXFSZ) counts as over the cap.
A non-zero exit status alone is not a failure (broken captures); a summary
of exit statuses is printed. Last line: "N passed, N failed".
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

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_CORPUS = os.path.normpath(os.path.join(REPO, "..", "shared", "corpus"))
MODES = {"plain": [], "c": ["-c"], "a": ["-a"]}
MIB = 1 << 20
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


def output_size(root, basis="apparent"):
    """Bytes under root: apparent sizes (holes count), or allocated blocks."""
    total = 0
    for dirpath, _, filenames in os.walk(root):
        for n in filenames:
            try:
                st = os.lstat(os.path.join(dirpath, n))
            except OSError:
                continue
            total += st.st_size if basis == "apparent" else st.st_blocks * 512
    return total


class Result:
    def __init__(self, path, mode):
        self.path = path
        self.mode = mode
        self.rc = None
        self.problems = []
        self.seconds = 0.0
        self.out_bytes = 0
        self.last_stderr = ""


def run_one(binary, wrapper, corpus, row, mode, scratch, timeout, basis):
    path = row["path"]
    capture = os.path.join(corpus, path)
    res = Result(path, mode)
    size = os.path.getsize(capture)
    cap = 4 * size + MIB
    work = tempfile.mkdtemp(prefix="run-", dir=scratch)
    side = tempfile.mkdtemp(prefix="io-", dir=scratch)   # stdout/stderr, outside work
    cmd = wrapper + [binary] + MODES[mode] + ["-r", capture, "-o", "out"]

    # Per-file limit: just above the cap, or 1 GiB when only allocated blocks count.
    fsize = cap + 1 if basis == "apparent" else max(cap + 1, 1 << 30)

    def limits():
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    t0 = time.monotonic()
    try:
        with open(os.path.join(side, "stdout"), "wb") as out, \
                open(os.path.join(side, "stderr"), "wb") as err:
            p = subprocess.Popen(cmd, cwd=work, stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=err, preexec_fn=limits, start_new_session=True)
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
        if rc is not None and (rc < 0 or rc >= 128):
            sig = -rc if rc < 0 else rc - 128
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else sig
            why = " (output over the size cap)" if sig == signal.SIGXFSZ else ""
            res.problems.append("killed by signal %s%s, exit %d" % (name, why, rc))
        outside = sorted(p for p in tree(work) if p != "out" and not p.startswith("out" + os.sep))
        if outside:
            res.problems.append("created outside out/: %s" % ", ".join(outside[:5]))
        res.out_bytes = output_size(os.path.join(work, "out"), basis)
        if mode == "c":
            res.out_bytes += os.path.getsize(os.path.join(side, "stdout"))
        if res.out_bytes > cap:
            res.problems.append("output %d bytes > cap %d (4 x %d + 1 MiB)"
                                % (res.out_bytes, cap, size))
        with open(os.path.join(side, "stderr"), "rb") as f:
            text = f.read(4 * MIB).decode("utf-8", "replace")
        lines = text.strip().splitlines()
        res.last_stderr = lines[-1][:200] if lines else ""
        if "File too large" in text and not any("size cap" in p for p in res.problems):
            # RLIMIT_FSIZE (cap + 1) stopped a write: some file wanted to be bigger
            # than the whole output may be.
            res.problems.append("a write hit the output size cap (EFBIG): %s" % next(
                (ln for ln in lines if "File too large" in ln), "")[:200])
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
    ap.add_argument("--size-basis", choices=("apparent", "allocated"),
                    default=os.environ.get("TCPFLOW_CORPUS_SIZE_BASIS", "apparent"),
                    help="measure output by apparent size (default; zero-filled holes "
                         "count) or by allocated blocks")
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

    rows = read_manifest(args.corpus)
    if args.k:
        rows = [r for r in rows if any(k in r["path"] for k in args.k)]
    if args.limit:
        rows = rows[:args.limit]
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
        futs = [pool.submit(run_one, binary, wrapper, args.corpus, r, m, scratch, args.timeout,
                            args.size_basis) for m in modes for r in rows]
        for i, fut in enumerate(concurrent.futures.as_completed(futs), 1):
            res = fut.result()
            results.append(res)
            if res.problems:
                print("FAIL [%s] %s: %s" % (res.mode, res.path, "; ".join(res.problems)),
                      flush=True)
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

    for m in modes:
        mine = [r for r in results if r.mode == m]
        codes = collections.Counter("timeout" if r.rc is None else r.rc for r in mine)
        total_s = sum(r.seconds for r in mine)
        slow = max(mine, key=lambda r: r.seconds) if mine else None
        print("mode %s: %d runs, exit statuses %s; %.0f s summed wall time%s" % (
            m, len(mine), dict(sorted(codes.items(), key=lambda kv: str(kv[0]))), total_s,
            ", slowest %s (%.1f s)" % (slow.path, slow.seconds) if slow else ""))
        for code in sorted((c for c in codes if c != 0), key=str):
            ex = [r for r in mine if (r.rc if r.rc is not None else "timeout") == code][:3]
            for r in ex:
                print("  exit %s: %s: %s" % (code, r.path, r.last_stderr))
    failed = sum(1 for r in results if r.problems)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
