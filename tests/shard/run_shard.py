#!/usr/bin/env python3
"""End-to-end tests of --shard K/N, --merge-reports and --merge-inputs.

Usage: run_shard.py TCPFLOW [-k NAME]... [--keep] [--skip-e2e] [--big-connections N]

* every e2e scenario (tests/e2e) whose run is a plain file run: run once,
  then as N = 1, 2, 3 and 7 shards into one directory, then --merge-reports;
  the flow files (names, bytes, mtimes) must equal the single run's, the
  merged report's fileobjects must be the single run's byte for byte and in
  order, its counters equal, and it must validate against the DFXML schema;
* a generated capture of 100,000 connections with port reuse, as 3 and 7
  shards (run by .ci/run, not make check);
* --merge-inputs: two captures holding interleaved halves of the same
  connections give the single capture's output;
* -w and the console in shards; bad input (--shard 3/3, --shard x, a missing
  shard, shards of different N or options).
Prints one line per case, then "N passed, N failed"; exit 1 on failure.
"""
import argparse
import os
import shutil
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.path.insert(0, os.path.join(ROOT, "tests", "gen"))
sys.dont_write_bytecode = True

import e2e_lib             # noqa: E402
import scenarios_link      # noqa: E402,F401  (registers scenarios)
import scenarios_ip        # noqa: E402,F401
import scenarios_tcp       # noqa: E402,F401
import scenarios_cli       # noqa: E402,F401
import scenarios_testdata  # noqa: E402,F401
import scenarios_options   # noqa: E402,F401
import scenarios_pcap_outputs  # noqa: E402,F401
import scenarios_run_options  # noqa: E402,F401
import scenarios_console   # noqa: E402,F401
import scenarios_scanners  # noqa: E402,F401
import scenarios_http      # noqa: E402,F401
import scenarios_perf      # noqa: E402,F401
import shard_cases         # noqa: E402
import shard_lib           # noqa: E402

COUNTS = (1, 2, 3, 7)
SCHEMA = os.path.join(ROOT, "..", "shared", "dfxml-schema", "dfxml.xsd")

# Options whose output is not a directory of flow files plus a report, or
# that act outside it; their shard behaviour has cases of its own below.
UNSUITABLE = ("-c", "-C", "-J", "-i", "-w", "-U", "-z", "-L", "-h", "-V", "-H", "--version")
UNSUITABLE_SETTINGS = ("tcp_cmd", "http_cmd", "alert_fd", "enable_report=NO", "enable_report=no")


def suitable(case):
    """The single run's args when the scenario is a plain file run, else a reason."""
    return e2e_lib.plain_file_run(case, UNSUITABLE, UNSUITABLE_SETTINGS)


def e2e_cases(binary, top, filters, results):
    skipped = []
    for name, fn in e2e_lib.SCENARIOS:
        if filters and not any(k in name for k in filters):
            continue
        root = os.path.join(top, "e2e-" + name)
        t0 = time.monotonic()
        try:
            ctx = e2e_lib.Ctx(root)
            case = fn(ctx)
            args, why = suitable(case)
            if args is None:
                skipped.append("%s (%s)" % (name, why))
                shutil.rmtree(root, ignore_errors=True)
                continue
            problems = shard_lib.compare_sharded(binary, ctx.root, args, COUNTS, SCHEMA)
        except Exception as e:  # a broken case is a failure, not a crash
            problems = ["error: %s: %s" % (type(e).__name__, e)]
        results.append(("e2e " + name, problems, time.monotonic() - t0))
        report(results[-1])
        shutil.rmtree(root, ignore_errors=True)
    print("e2e scenarios not run sharded (not a plain file run): %d: %s" %
          (len(skipped), "; ".join(skipped)), flush=True)


def report(result):
    name, problems, dt = result
    if problems:
        print("FAIL %s (%.1fs): %s" % (name, dt, "; ".join(problems[:5])), flush=True)
    else:
        print("PASS %s (%.1fs)" % (name, dt), flush=True)


def mem_available():
    """Bytes the kernel could hand out now (MemAvailable), or 0 when unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def choose_scratch(big_connections):
    """tmpfs for the hundreds of thousands of small files of the big case,
    but only with ample room: tmpfs pages are memory, and a run that fills
    it gets the whole machine's processes OOM-killed (it did, in CI, when
    killed runs had left gigabytes behind). Otherwise the default temp dir."""
    need = (2 << 30) + big_connections * 80 * 1024   # ~8 GB at 100,000
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        st = os.statvfs("/dev/shm")
        if st.f_bavail * st.f_frsize > need and mem_available() > need + (4 << 30):
            return "/dev/shm"
    return None


def prune_stale(parent):
    """Removes tcpflow-shard-* directories left by runs that were killed
    (their owner.pid names a process that no longer exists)."""
    try:
        names = os.listdir(parent)
    except OSError:
        return
    for name in names:
        path = os.path.join(parent, name)
        if not name.startswith("tcpflow-shard-") or not os.path.isdir(path):
            continue
        try:
            with open(os.path.join(path, "owner.pid")) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            continue
        if pid != os.getpid() and not os.path.exists("/proc/%d" % pid):
            print("removing %s, left by killed run %d" % (path, pid), flush=True)
            shutil.rmtree(path, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tcpflow", nargs="?", default=os.environ.get("TCPFLOW"))
    ap.add_argument("-k", action="append", default=[], help="only cases containing NAME")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--skip-e2e", action="store_true", help="skip the e2e scenario sweep")
    ap.add_argument("--big-connections", type=int, default=100000)
    args = ap.parse_args()
    if not args.tcpflow:
        ap.error("no binary: give TCPFLOW as an argument or in the environment")
    binary = os.path.abspath(args.tcpflow)
    scratch = os.environ.get("TCPFLOW_SHARD_TMP") or choose_scratch(args.big_connections)
    prune_stale(scratch or tempfile.gettempdir())
    top = tempfile.mkdtemp(prefix="tcpflow-shard-", dir=scratch)
    with open(os.path.join(top, "owner.pid"), "w") as f:
        f.write("%d\n" % os.getpid())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally below
    results = []
    try:
        for name, fn in shard_cases.CASES:
            if args.k and not any(k in name for k in args.k):
                continue
            if name.startswith("big") and args.big_connections <= 0:
                continue
            root = os.path.join(top, name)
            os.makedirs(root)
            t0 = time.monotonic()
            try:
                problems = fn(binary, root, SCHEMA, args.big_connections)
            except Exception as e:
                problems = ["error: %s: %s" % (type(e).__name__, e)]
            results.append((name, problems, time.monotonic() - t0))
            report(results[-1])
            if not args.keep:
                shutil.rmtree(root, ignore_errors=True)
        if not args.skip_e2e:
            e2e_cases(binary, top, args.k, results)
    finally:
        if args.keep:
            print("kept in %s" % top)
        else:
            shutil.rmtree(top, ignore_errors=True)
    failed = sum(1 for _, p, _ in results if p)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
