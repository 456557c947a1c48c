#!/usr/bin/env python3
"""Runs the libFuzzer targets for a bounded time each.

Usage: run_fuzz.py [--bin-dir tests/fuzz] [--seconds 60] [--work DIR] TARGET...

For each target: seeds OUTDIR/<target>/ with make_seeds.py (testdata/, a
sample of ../shared/corpus, tests/fuzz/regressions/<target>/), first replays
every committed regression input (tests/fuzz/regressions/<target>/*: each
must run clean), then fuzzes for --seconds with -max_total_time, writing
crashers to WORK/crashes/<target>/. A crash fails the run and names the input
file; copy it to tests/fuzz/regressions/<target>/ once understood.
Last line: "fuzz: N targets clean, N failed".
"""
import argparse
import glob
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("targets", nargs="+")
    ap.add_argument("--bin-dir", default="tests/fuzz")
    ap.add_argument("--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", "60")))
    ap.add_argument("--work", default=None, help="corpora and crashes (default BIN_DIR/work)")
    args = ap.parse_args()
    work = os.path.abspath(args.work or os.path.join(args.bin_dir, "work"))
    seeds = os.path.join(work, "seeds")
    subprocess.run([sys.executable, os.path.join(HERE, "make_seeds.py"), seeds], check=True)
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "halt_on_error=1:abort_on_error=0:detect_leaks=1")
    env.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
    failed = []
    for t in args.targets:
        binary = os.path.abspath(os.path.join(args.bin_dir, t))
        if not os.access(binary, os.X_OK):
            print("fuzz %s: no binary at %s (run make fuzz)" % (t, binary))
            failed.append(t)
            continue
        regs = sorted(glob.glob(os.path.join(HERE, "regressions", t, "*")))
        if regs:
            r = subprocess.run([binary] + regs, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
            if r.returncode != 0:
                print(r.stdout.decode("utf-8", "replace")[-6000:])
                print("FAIL fuzz %s: a committed regression input crashes again" % t)
                failed.append(t)
                continue
            print("fuzz %s: %d regression input(s) clean" % (t, len(regs)))
        corpus = os.path.join(work, "corpus", t)
        crashes = os.path.join(work, "crashes", t)
        os.makedirs(corpus, exist_ok=True)
        os.makedirs(crashes, exist_ok=True)
        log = os.path.join(work, t + ".log")
        t0 = time.monotonic()
        with open(log, "wb") as f:
            r = subprocess.run([binary, "-max_total_time=%d" % args.seconds, "-timeout=20",
                                "-rss_limit_mb=2048", "-max_len=65536", "-print_final_stats=1",
                                "-artifact_prefix=" + crashes + "/", corpus,
                                os.path.join(seeds, t)], env=env, stdout=f,
                               stderr=subprocess.STDOUT)
        secs = time.monotonic() - t0
        with open(log, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        stats = [ln for ln in text.splitlines() if ln.startswith("stat::number_of_executed_units")
                 or ln.startswith("#") and ("DONE" in ln)]
        arts = sorted(glob.glob(os.path.join(crashes, "*")))
        if r.returncode != 0 or arts:
            print(text[-8000:])
            print("FAIL fuzz %s after %.0f s: exit %d, crashers: %s" % (
                t, secs, r.returncode, " ".join(arts) or "(none written)"))
            failed.append(t)
        else:
            print("fuzz %s: clean for %.0f s (%s), corpus %d inputs" % (
                t, secs, stats[-1] if stats else "", len(os.listdir(corpus))))
    print("fuzz: %d targets clean, %d failed%s" % (
        len(args.targets) - len(failed), len(failed),
        (" (" + ", ".join(failed) + ")") if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
