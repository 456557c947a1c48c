#!/usr/bin/env python3
"""End-to-end tests for tcpflow: generated captures with known truth.

Usage: run_e2e.py [TCPFLOW] [-k NAME]... [--list] [--keep] [-v]

TCPFLOW is the binary under test (default: $TCPFLOW). Each scenario builds
its captures in a fresh temporary directory, runs tcpflow with that
directory's run/ as working directory and checks:

* exit status (0, non-zero, or "anything but a signal"), stderr keywords;
* the exact set of files in the output directory (flow files + report.xml),
  every flow file byte for byte, and each flow file's mtime (seconds, and
  nanoseconds where the file system keeps them);
* that nothing else in the temporary directory was created or changed.

Prints one line per scenario, then "N passed, N failed". Exit 1 on failure.
"""

import argparse
import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True   # never write __pycache__ into the source tree

import e2e_lib            # noqa: E402
import scenarios_link     # noqa: E402,F401  (registers scenarios)
import scenarios_ip       # noqa: E402,F401
import scenarios_tcp      # noqa: E402,F401
import scenarios_cli      # noqa: E402,F401
import scenarios_testdata  # noqa: E402,F401
import scenarios_options  # noqa: E402,F401
import scenarios_pcap_outputs  # noqa: E402,F401
import scenarios_run_options  # noqa: E402,F401
import scenarios_console  # noqa: E402,F401
import scenarios_scanners  # noqa: E402,F401
import scenarios_http     # noqa: E402,F401
import scenarios_perf     # noqa: E402,F401
import scenarios_run_notices  # noqa: E402,F401
import scenarios_tunnel   # noqa: E402,F401
import scenarios_netviz   # noqa: E402,F401
import scenarios_corrupt  # noqa: E402,F401
import scenarios_unprocessed  # noqa: E402,F401
import scenarios_midstream  # noqa: E402,F401
import scenarios_connections  # noqa: E402,F401
import scenarios_compressed_input  # noqa: E402,F401
import scenarios_attrib  # noqa: E402,F401
import scenarios_report   # noqa: E402,F401
import scenarios_md5      # noqa: E402,F401

RUN_TIMEOUT = 120


def snapshot(root):
    """{relative path: (kind, size, sha256)} for everything under root."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            p = os.path.join(dirpath, d)
            out[os.path.relpath(p, root)] = ("dir", 0, "")
        for f in filenames:
            p = os.path.join(dirpath, f)
            st = os.lstat(p)
            digest = ""
            if os.path.isfile(p) and not os.path.islink(p):
                h = hashlib.sha256()
                with open(p, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
                digest = h.hexdigest()
            out[os.path.relpath(p, root)] = ("file", st.st_size, digest)
    return out


def fs_keeps_ns(directory):
    probe = os.path.join(directory, ".ns-probe")
    with open(probe, "wb"):
        pass
    try:
        os.utime(probe, ns=(1_000_000_123, 1_000_000_123))
        return os.stat(probe).st_mtime_ns == 1_000_000_123
    finally:
        os.unlink(probe)


def first_diff(a, b):
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def describe_diff(name, got, want):
    i = first_diff(got, want)
    return ("%s: %d bytes, expected %d; first difference at offset %d "
            "(got %s, expected %s)" % (name, len(got), len(want), i,
                                       got[i:i + 8].hex() or "EOF", want[i:i + 8].hex() or "EOF"))


def fmt_ns(ns):
    return "%d.%09d" % divmod(ns, 1_000_000_000)


def run_tcpflow(binary, run, cwd, wrapper):
    cmd = wrapper + [binary] + run.args
    if getattr(run, "custom", None):   # a scenario that wires stdin/stderr itself (pty, pipe)
        return run.custom(cmd, cwd, RUN_TIMEOUT)

    def limits():
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if run.fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (run.fsize, run.fsize))

    stdin = open(run.stdin, "rb") if run.stdin else subprocess.DEVNULL
    env = dict(os.environ, **run.env) if run.env else None
    try:
        p = subprocess.Popen(cmd, cwd=cwd, stdin=stdin, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, preexec_fn=limits, start_new_session=True)
        try:
            out, err = p.communicate(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
            return None, out, err
        except BaseException:          # interrupted: do not leave the child behind
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            raise
        return p.returncode, out, err
    finally:
        if run.stdin:
            stdin.close()


def check_case(case, ctx, binary, wrapper):
    """Runs a Case; returns a list of problems (empty: pass)."""
    problems = []
    before = snapshot(ctx.root)
    stderr_all = b""
    for i, run in enumerate(case.runs):
        rc, out, err = run_tcpflow(binary, run, ctx.rundir, wrapper)
        run.rc, run.stdout, run.stderr_text = rc, out, err   # for case.check
        stderr_all += err
        tag = "run %d: " % (i + 1) if len(case.runs) > 1 else ""
        errline = err.decode("utf-8", "replace").strip().replace("\n", " | ")[:300]
        if rc is None:
            problems.append("%stimeout after %d s" % (tag, RUN_TIMEOUT))
            continue
        if rc < 0 or rc >= 128:
            sig = -rc if rc < 0 else rc - 128
            problems.append("%skilled by signal %d (exit %d); stderr: %s" % (tag, sig, rc, errline))
            continue
        if run.exit == 0 and rc != 0:
            problems.append("%sexit status %d, expected 0; stderr: %s" % (tag, rc, errline))
        elif run.exit == "nonzero" and rc == 0:
            problems.append("%sexit status 0, expected non-zero" % tag)
        elif run.exit not in (0, "nonzero", None) and rc != run.exit:
            problems.append("%sexit status %d, expected %s" % (tag, rc, run.exit))
        text = err.decode("utf-8", "replace").lower()
        for group in run.stderr:
            if not any(k.lower() in text for k in group):
                problems.append("%sstderr lacks any of %s; stderr: %s" % (tag, group, errline))
        problems += [tag + p for p in getattr(run, "check_stdout", lambda out: [])(out)]
    after = snapshot(ctx.root)

    # Nothing written outside the output directory.
    outrel = os.path.normpath(os.path.join("run", case.outdir)) if case.outdir else None
    for path, meta in sorted(after.items()):
        if outrel and (path == outrel or path.startswith(outrel + os.sep)):
            continue
        if before.get(path) != meta:
            problems.append("written outside the output directory: %s" % path)
    for path in sorted(set(before) - set(after)):
        if not (outrel and path.startswith(outrel + os.sep)):
            problems.append("removed outside the output directory: %s" % path)

    if getattr(case, "check", None):   # extra checks of a scenario (see scenarios_options.py)
        problems += case.check(os.path.join(ctx.rundir, case.outdir) if case.outdir else None)
    if case.outdir is None:
        return problems
    outdir = os.path.join(ctx.rundir, case.outdir)
    present = {}
    if os.path.isdir(outdir):
        for dirpath, _, filenames in os.walk(outdir):
            for f in filenames:
                p = os.path.join(dirpath, f)
                present[os.path.relpath(p, outdir)] = p
    if case.report and "report.xml" not in present:
        problems.append("report.xml missing")
    flows = {k: v for k, v in present.items() if k != "report.xml"}

    expected = case.files
    if expected is not None:
        missing = sorted(set(expected) - set(flows))
        extra = sorted(set(flows) - set(expected))
        if missing:
            problems.append("missing files: %s" % ", ".join(missing))
        if extra:
            problems.append("unexpected files: %s" % ", ".join(extra))
    for name, want in sorted(dict(expected or {}, **case.some_files).items()):
        if name not in flows:
            if expected is None:
                problems.append("missing file: %s" % name)
            continue
        with open(flows[name], "rb") as f:
            got = f.read()
        if got != want:
            problems.append(describe_diff(name, got, want))
    for name, want in sorted(case.prefix_files.items()):
        if name not in flows:
            problems.append("missing file: %s" % name)
            continue
        with open(flows[name], "rb") as f:
            got = f.read()
        if not want.startswith(got):
            problems.append("%s is not a prefix of the truth: %s" % (
                name, describe_diff(name, got, want[:len(got)])))
    keeps_ns = fs_keeps_ns(ctx.root)
    for name, want in sorted(case.mtimes.items()):
        if name not in flows:
            continue
        got = os.stat(flows[name]).st_mtime_ns
        ok = got == want if keeps_ns else got // 10**9 == want // 10**9
        if not ok:
            problems.append("%s: mtime %s, expected %s" % (name, fmt_ns(got), fmt_ns(want)))
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tcpflow", nargs="?", default=os.environ.get("TCPFLOW"))
    ap.add_argument("-k", action="append", default=[], metavar="NAME",
                    help="run scenarios whose name contains NAME (repeatable)")
    ap.add_argument("--list", action="store_true", help="list scenario names")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directories")
    ap.add_argument("-v", action="store_true", help="print every problem, not only the first 5")
    args = ap.parse_args()

    selected = [(n, f) for n, f in e2e_lib.SCENARIOS
                if not args.k or any(k in n for k in args.k)]
    if args.list:
        for n, _ in selected:
            print(n)
        return 0
    if not args.tcpflow:
        ap.error("no binary: give TCPFLOW as an argument or in the environment")
    binary = os.path.abspath(args.tcpflow)
    if not os.access(binary, os.X_OK):
        print("tcpflow binary not found or not executable: %s" % binary, file=sys.stderr)
        return 1
    wrapper = os.environ.get("TCPFLOW_WRAPPER", "").split()

    passed = failed = 0
    top = tempfile.mkdtemp(prefix="tcpflow-e2e-")
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: sys.exit(128 + signum))
    try:
        for name, fn in selected:
            root = os.path.join(top, name)
            t0 = time.monotonic()
            try:
                ctx = e2e_lib.Ctx(root)
                case = fn(ctx)
                problems = check_case(case, ctx, binary, wrapper)
            except Exception as e:  # a broken scenario is a failure, not a crash
                problems = ["scenario error: %s: %s" % (type(e).__name__, e)]
            dt = time.monotonic() - t0
            if problems:
                failed += 1
                shown = problems if args.v else problems[:5]
                more = "" if len(shown) == len(problems) else " (+%d more)" % (
                    len(problems) - len(shown))
                print("FAIL %s (%.1fs): %s%s" % (name, dt, "; ".join(shown), more), flush=True)
            else:
                passed += 1
                print("PASS %s (%.1fs)" % (name, dt), flush=True)
            if not args.keep:
                shutil.rmtree(root, ignore_errors=True)
    finally:
        if args.keep:
            print("scenario directories kept in %s" % top)
        else:
            shutil.rmtree(top, ignore_errors=True)
            if failed:
                print("(run with --keep -k NAME to keep a scenario's directory)")
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
