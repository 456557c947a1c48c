#!/usr/bin/env python3
"""Live capture under load: how fast can packets arrive before a tool loses some?

A network namespace of our own holds a veth pair; tcpreplay sends a W1-class
capture (tests/bench/benchgen) into one end at a rising rate, and the tool
captures on the other end (tcpflow -i vb -o DIR). A run is lossless when the
tool wrote every flow file of the capture whole: the right number of files,
the right total size, no run of 64 zero bytes (a hole: the payload is random)
and the sampled files' MD5s right. Ours also reports the kernel's drops
(pcap_stats), which must be 0. After the replay each tool may drain what
the kernel buffered (it is stopped with SIGINT once it has used no CPU for a
second). Each rate runs each tool in turn, in the same state, so the highest
lossless rates compare side by side.

Needs root (namespaces), ip(8), tcpreplay and tcpflow 1.6.1 as the
reference. Not part of make check: the rates depend on the machine.

    sudo python3 tests/bench/live_bench.py [--scale 0.05] [--rates 100,200,...]
         [--flags "--buffer-size 64M"] [--reference /usr/bin/tcpflow]
"""
import argparse
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NS = "tcpflow-live-bench"
ZERO_RUN = b"\0" * 64


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tcpflow", default=os.environ.get("TCPFLOW", "./tcpflow"))
    ap.add_argument("--reference", default="/usr/bin/tcpflow")
    ap.add_argument("--benchgen", default=os.path.join(HERE, "benchgen"))
    ap.add_argument("--workload", default="W1")
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", default="/tmp/tcpflow-bench", help="where the capture is kept")
    ap.add_argument("--target-dir", default="bench-out",
                    help="where the tools write (default: bench-out here, the build tree's "
                         "file system)")
    ap.add_argument("--rates", default="100,200,400,800,1600,3200,topspeed",
                    help="tcpreplay rates in Mbit/s, rising; 'topspeed' as fast as it can")
    ap.add_argument("--flags", default="", help="extra options for our tcpflow only")
    ap.add_argument("--keep-going", action="store_true",
                    help="go on with higher rates after both tools have lost packets")
    return ap.parse_args()


def die(msg):
    print("live_bench: " + msg, file=sys.stderr)
    sys.exit(1)


def sh(argv, **kw):
    return subprocess.run(argv, check=True, **kw)


def capture(args):
    stem = os.path.join(args.dir, "%s-s%g-seed%d" % (args.workload, args.scale, args.seed))
    pcap, truth, sizes = stem + ".pcap", stem + ".truth", stem + ".sizes"
    if not all(os.path.exists(p) for p in (pcap, truth, sizes)):
        os.makedirs(args.dir, exist_ok=True)
        sh([args.benchgen, args.workload, "--scale", "%g" % args.scale, "--seed",
            str(args.seed), "-o", pcap, "--truth", truth, "--sizes", sizes])
    samples = []
    with open(truth) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                md5, size, name = line.split()
                samples.append((md5, int(size), name))
    with open(sizes) as f:
        want = [int(x) for x in f if x.strip()]
    return pcap, samples, want


class Namespace:
    """A namespace with veth pair va <-> vb, both up; removed on exit."""

    def __enter__(self):
        subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)
        sh(["ip", "netns", "add", NS])
        sh(["ip", "-n", NS, "link", "add", "va", "type", "veth", "peer", "name", "vb"])
        for dev in ("lo", "va", "vb"):
            sh(["ip", "-n", NS, "link", "set", dev, "up"])
        return self

    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)

    @staticmethod
    def run(argv):
        return ["ip", "netns", "exec", NS] + argv


def lossless(outdir, samples, want):
    """(True, '') or (False, why) for the files one run wrote."""
    files = []
    for root, _, names in os.walk(outdir):
        for name in names:
            if name.endswith(".xml") or name.endswith(".pcap"):
                continue
            files.append(os.path.join(root, name))
    total = sum(os.path.getsize(p) for p in files)
    if len(files) != len(want) or total != sum(want):
        return False, "%d files, %d bytes (want %d, %d)" % (len(files), total, len(want),
                                                            sum(want))
    for path in files:
        with open(path, "rb") as f:
            if ZERO_RUN in f.read():
                return False, "a hole in " + os.path.basename(path)
    for md5, _, name in samples:
        path = os.path.join(outdir, name)
        try:
            with open(path, "rb") as f:
                if hashlib.md5(f.read()).hexdigest() != md5:
                    return False, "wrong bytes in " + name
        except FileNotFoundError:
            return False, name + " missing"
    return True, ""


def cpu_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return None


def waiting_on_disk(pid):
    """True when a thread of the tool is running or in uninterruptible sleep
    (D: a file creation stalled on the disk), which uses no CPU either."""
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                    if f.read().rsplit(")", 1)[1].split()[0] in ("R", "D"):
                        return True
            except OSError:
                pass
    except OSError:
        pass
    return False


def wait_until_idle(pid, limit=300):
    """Returns once the tool has used no CPU and waited on no disk for a
    second (caught up), so neither tool is stopped in the middle of work."""
    deadline = time.monotonic() + limit
    last = cpu_ticks(pid)
    quiet = 0
    while time.monotonic() < deadline and last is not None and quiet < 4:
        time.sleep(0.25)
        now = cpu_ticks(pid)
        quiet = quiet + 1 if now == last and not waiting_on_disk(pid) else 0
        last = now


def run_once(ns, tool, extra, pcap, rate, outdir):
    """Captures one replay at `rate`; returns (replay seconds, our drop count or None)."""
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    cap = subprocess.Popen(ns.run([tool, "-i", "vb", "-o", outdir] + extra),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)  # the capture is open
    speed = ["--topspeed"] if rate == "topspeed" else ["--mbps", rate]
    t0 = time.monotonic()
    subprocess.run(ns.run(["tcpreplay", "-q", "-i", "va"] + speed + [pcap]),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    replay = time.monotonic() - t0
    wait_until_idle(cap.pid)  # what the kernel still buffers is the tool's to read
    cap.send_signal(signal.SIGINT)
    try:
        _, err = cap.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        cap.kill()
        _, err = cap.communicate()
    m = re.search(r"(\d+) packets dropped by kernel", err or "")
    return replay, int(m.group(1)) if m else None


def main():
    args = parse_args()
    if os.geteuid() != 0:
        die("needs root (network namespaces)")
    for prog in ("ip", "tcpreplay"):
        if not shutil.which(prog):
            die(prog + " is missing (apt-get install iproute2 tcpreplay)")
    tools = [("ours", os.path.abspath(args.tcpflow), args.flags.split())]
    if args.reference != "none":
        tools.append(("tcpflow-1.6.1", args.reference, []))
    pcap, samples, want = capture(args)
    size_mb = os.path.getsize(pcap) / 1e6
    print("capture %s: %.0f MB, %d flow files; output under %s"
          % (os.path.basename(pcap), size_mb, len(want), args.target_dir))
    best = {name: None for name, _, _ in tools}
    lost = set()
    with Namespace() as ns:
        for rate in args.rates.split(","):
            for name, tool, extra in tools:
                if name in lost and not args.keep_going:
                    continue
                outdir = os.path.abspath(os.path.join(args.target_dir, "live-" + name))
                replay, drops = run_once(ns, tool, extra, pcap, rate, outdir)
                ok, why = lossless(outdir, samples, want)
                if drops:
                    ok, why = False, "%d packets dropped by kernel" % drops
                mbps = size_mb * 8 / replay
                print("  %-9s %-14s replayed in %5.2f s (%6.0f Mbit/s): %s"
                      % (rate, name, replay, mbps, "lossless" if ok else "LOST: " + why),
                      flush=True)
                if ok and name not in lost:
                    best[name] = (rate, mbps)
                elif not ok:
                    lost.add(name)
                shutil.rmtree(outdir, ignore_errors=True)
            if len(lost) == len(tools) and not args.keep_going:
                break
    print("\nhighest lossless rate (achieved Mbit/s)")
    for name, _, _ in tools:
        b = best[name]
        print("  %-14s %s" % (name, "none" if b is None else "%s (%.0f)" % b))
    if len(tools) == 2 and best["ours"] and best["tcpflow-1.6.1"]:
        print("  ours / 1.6.1: %.2fx" % (best["ours"][1] / best["tcpflow-1.6.1"][1]))


if __name__ == "__main__":
    main()
