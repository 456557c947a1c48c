"""The benchmark's tables: medians per tool side by side, the spread of
every tool's runs, and the summary over all workloads (python3 standard
library only)."""

import statistics


def medians(runs):
    return {k: statistics.median(r[k] for r in runs)
            for k in ("wall", "user", "sys", "rss_mb")} if runs else None


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def write_floor(med):
    """The file-creation floor: the best median wall of one thread, two, and a
    pair of one creating and one writing."""
    walls = [med[c]["wall"] for c in ("writefloor", "writefloor2", "writefloorS") if med.get(c)]
    return min(walls) if walls else None


def print_table(res):
    med = {name: medians(runs) for name, runs in res["runs"].items()}
    cols = [c for c in ("ours", "reference", "readfloor", "writefloor", "writefloor2",
                        "writefloorS") if c in med]
    heads = {"ours": "ours", "reference": "tcpflow-1.6.1", "readfloor": "readfloor",
             "writefloor": "writefloor", "writefloor2": "writefloor x2",
             "writefloorS": "wfloor split"}
    have_ratio = "ours" in med and "reference" in med
    print("\n  %s medians of %d run(s)" % (res["workload"], len(next(iter(res["runs"].values())))))
    line = "  %-14s" + "%15s" * len(cols) + ("%14s" if have_ratio else "")
    print(line % (("",) + tuple(heads[c] for c in cols) + (("ours/theirs",) if have_ratio else ())))

    def row(label, fn, spec):
        values = [fn(med[c], c) for c in cols]
        ratio = ()
        if have_ratio:
            a, b = fn(med["ours"], "ours"), fn(med["reference"], "reference")
            ratio = (fmt(a / b if a is not None and b else None, ".2f"),)
        print(line % ((label,) + tuple(fmt(v, spec) for v in values) + ratio))

    mb = res["pcap_bytes"] / 1e6
    row("wall s", lambda m, c: m["wall"], ".2f")
    row("user s", lambda m, c: m["user"], ".2f")
    row("sys s", lambda m, c: m["sys"], ".2f")
    row("CPU s", lambda m, c: m["user"] + m["sys"], ".2f")
    row("peak RSS MB", lambda m, c: m["rss_mb"], ".1f")
    row("MB/s", lambda m, c: (res["payload_bytes"] / 1e6 if c.startswith("writefloor") else mb)
        / m["wall"], ".1f")
    row("packets/s", lambda m, c: None if c.startswith("writefloor")
        else res["packets"] / m["wall"], ",.0f")
    exits = {c: [r["exit"] for r in res["runs"][c] if r["exit"] != 0] for c in cols}
    for c in cols:
        if exits[c]:
            print("  NOTE: %s exited non-zero in %d run(s): %s" % (heads[c], len(exits[c]),
                                                                  exits[c]))
    for name in ("ours", "reference"):
        if name in res["checks"]:
            ok, failed, examples = res["checks"][name]
            print("  correctness %-13s OK %d, FAILED %d%s"
                  % (heads[name], ok, failed,
                     ("  e.g. " + "; ".join(examples)) if examples else ""))
    for c in cols:
        walls = sorted(r["wall"] for r in res["runs"][c])
        cpus = sorted(r["user"] + r["sys"] for r in res["runs"][c])
        print("  %-14s wall min %.2f / median %.2f / max %.2f s;  CPU min %.2f / median %.2f"
              " / max %.2f s" % (heads[c], walls[0], statistics.median(walls), walls[-1],
                                 cpus[0], statistics.median(cpus), cpus[-1]))
    for c in sorted(k for k in med if "+" in k):
        walls = sorted(r["wall"] for r in res["runs"][c])
        plain = med.get(c.split("+")[0])
        print("  %-22s wall min %.2f / median %.2f / max %.2f s;  %s wall / plain: %s"
              % (c.replace("reference", "tcpflow-1.6.1").replace("+", " -e "), walls[0],
                 statistics.median(walls), walls[-1], c.split("+")[1],
                 fmt(plain and med[c]["wall"] / plain["wall"], ".2f")))
    floor = write_floor(med)
    if floor and "ours" in med:
        print("  ours wall / write floor (the best of one thread, two, and a creating/writing pair): %.2f"
              % (med["ours"]["wall"] / floor))
    if "ours" in med and med.get("readfloor") and med.get("writefloor"):
        # With --flags=-j1 this is the single-thread figure.
        floor_cpu = sum(med[c]["user"] + med[c]["sys"] for c in ("readfloor", "writefloor"))
        print("  ours CPU / (readfloor + writefloor CPU): %.2f"
              % ((med["ours"]["user"] + med["ours"]["sys"]) / floor_cpu))
    print("  (MB/s: capture bytes per wall second, writefloor: payload bytes written;"
          " ours/theirs < 1 is better for times and RSS, > 1 for rates)")


def print_summary(all_results):
    print("\n" + "=" * 78)
    print("summary (medians)     wall s ours / 1.6.1 / ratio    CPU s ours / 1.6.1 / ratio"
          "   ours/floor   RSS MB ours / 1.6.1   check")
    for res in all_results:
        med = {name: medians(runs) for name, runs in res["runs"].items()}
        o, r = med.get("ours"), med.get("reference")
        cpu = {k: v["user"] + v["sys"] for k, v in (("ours", o), ("reference", r)) if v}
        ratio = o["wall"] / r["wall"] if o and r and r["wall"] else None
        cpu_ratio = cpu["ours"] / cpu["reference"] if o and r and cpu["reference"] else None
        floor = write_floor(med)
        check = res["checks"].get("ours")
        print("  %-18s %8s %7s %6s %13s %7s %6s %11s %12s %7s   %s"
              % (res["workload"], fmt(o and o["wall"], ".2f"), fmt(r and r["wall"], ".2f"),
                 fmt(ratio, ".2f"), fmt(cpu.get("ours"), ".2f"), fmt(cpu.get("reference"), ".2f"),
                 fmt(cpu_ratio, ".2f"), fmt(o and floor and o["wall"] / floor, ".2f"),
                 fmt(o and o["rss_mb"], ".0f"), fmt(r and r["rss_mb"], ".0f"),
                 "-" if not check else ("OK" if check[1] == 0 else "FAILED")))
        for scanner in sorted({k.split("+")[1] for k in med if "+" in k}):
            mine, theirs = med.get("ours+" + scanner), med.get("reference+" + scanner)
            print("    -e %-13s %8s %7s %6s   wall / plain run: ours %s, 1.6.1 %s"
                  % (scanner, fmt(mine and mine["wall"], ".2f"),
                     fmt(theirs and theirs["wall"], ".2f"),
                     fmt(mine and theirs and mine["wall"] / theirs["wall"], ".2f"),
                     fmt(mine and o and mine["wall"] / o["wall"], ".2f"),
                     fmt(theirs and r and theirs["wall"] / r["wall"], ".2f")))
