"""The benchmark machine: the file systems outputs go to, and the facts
printed above every benchmark (python3 standard library only)."""

import datetime
import os
import platform
import resource


def mount_of(path):
    """(mount point, device, fs type) of the filesystem holding path."""
    path = os.path.realpath(path)
    best = ("/", "?", "?")
    try:
        with open("/proc/mounts") as f:
            for line in f:
                dev, mnt, fstype = line.split()[:3]
                mnt = mnt.replace("\\040", " ")
                if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) \
                        and len(mnt) >= len(best[0]):
                    best = (mnt, dev, fstype)
    except OSError:
        pass
    return best


def ext4_without_journal(path):
    _, dev, fstype = mount_of(path)
    if fstype != "ext4" or not os.path.isdir("/proc/fs/jbd2"):
        return False
    name = os.path.basename(dev)
    return not any(e.startswith(name + "-") for e in os.listdir("/proc/fs/jbd2"))


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def machine_facts(args):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = {}
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                key, value = line.split(":", 1)
                mem[key] = int(value.split()[0]) * 1024
    except OSError:
        pass
    os.makedirs(args.dir, exist_ok=True)
    os.makedirs(args.out_dir, exist_ok=True)
    st = os.statvfs(args.dir)
    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "host": platform.node(),
        "kernel": platform.release(),
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "mem_total_gb": mem.get("MemTotal", 0) / 2**30,
        "mem_available_gb": mem.get("MemAvailable", 0) / 2**30,
        "loadavg": os.getloadavg(),
        "scratch_dir": args.dir,
        "scratch_free_gb": st.f_bavail * st.f_frsize / 2**30,
        "scratch_fs": mount_of(args.dir)[2],
        "out_dir": args.out_dir,
        "out_fs": mount_of(args.out_dir)[2],
        "out_free_gb": free_bytes(args.out_dir) / 2**30,
        "open_files_limit": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
        "python": platform.python_version(),
    }


def print_facts(facts, versions, args):
    print("=" * 78)
    print("tcpflow benchmark  %s  host %s" % (facts["date"], facts["host"]))
    print("machine: %d CPUs (%d usable), %s" % (facts["nproc"], facts["cpus_usable"],
                                              facts["cpu"]))
    print("memory: %.1f GiB total, %.1f GiB available; load average %.2f %.2f %.2f"
          % ((facts["mem_total_gb"], facts["mem_available_gb"]) + tuple(facts["loadavg"])))
    print("kernel %s; open-files limit %d" % (facts["kernel"], facts["open_files_limit"]))
    print("captures in %s (%s, %.0f GiB free); outputs in %s (%s, %.0f GiB free)"
          % (facts["scratch_dir"], facts["scratch_fs"], facts["scratch_free_gb"],
             facts["out_dir"], facts["out_fs"], facts["out_free_gb"]))
    for name, value in versions.items():
        print("%-10s %s" % (name + ":", value))
    print("runs %d per tool, scale %g, seed %d, workloads %s"
          % (args.runs, args.scale, args.seed, ",".join(args.workloads)))
    if args.fresh_ext4:
        print("outputs: a new ext4 file system for every run, made in the sparse image %s"
              " and loop-mounted on %s" % (args.fresh_ext4, facts["out_dir"]))
    elif ext4_without_journal(facts["out_dir"]):
        print("WARNING: outputs go to ext4 without a journal. There, creating files soon after"
              " deleting many (the previous run's output) is very slow (ext4 skips recently"
              " deleted inodes), so figures depend on run order. Prefer --out-dir on tmpfs"
              " or a journaled filesystem.")
    if facts["loadavg"][0] > facts["cpus_usable"] * 0.5:
        print("NOTE: the machine is busy (load %.1f); wall times will be noisy."
              % facts["loadavg"][0])
    if (args.runs > 1 and args.runs % 2 and not args.tmpfs and not args.fresh_ext4
            and "after-delete" in args.fs_states):
        print("NOTE: with an odd --runs, one tcpflow runs first in %d of %d rounds; after a"
              " delete the first run of a round meets the file system's slowest state, so"
              " prefer an even number." % ((args.runs + 1) // 2, args.runs))
    print("=" * 78, flush=True)
