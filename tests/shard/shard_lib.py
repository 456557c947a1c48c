"""Helpers for the --shard tests: run tcpflow, snapshot outputs, read reports."""
import os
import re
import subprocess
import xml.etree.ElementTree as ET

import shardhash

TIMEOUT = 600
TCPFLOW_NS = "{http://tcpflow.org/dfxml/2}"
DFXML_NS = "{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}"
REPORT_NAME = re.compile(r"^(report|flows)(\.shard-\d+-of-\d+)?\.(xml|jsonl)$")


def run(binary, args, cwd, stdin=None):
    """Runs tcpflow; returns (exit status, stdout bytes, stderr text)."""
    p = subprocess.run([binary] + list(args), cwd=cwd, stdin=stdin or subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def flow_outputs(outdir, reports=()):
    """{relative path: (bytes, mtime_ns)} of everything in outdir except reports
    (report.xml, flows.jsonl, the files named in `reports`, and their shard
    variants). A .findx index has no defined mtime (it is written as the run
    goes), so its mtime is given as None."""
    out = {}
    if not os.path.isdir(outdir):
        return out
    skip = [re.compile(r"^%s(\.shard-\d+-of-\d+)?%s$" % (re.escape(os.path.splitext(r)[0]),
                                                         re.escape(os.path.splitext(r)[1])))
            for r in reports]
    for dirpath, _, filenames in os.walk(outdir):
        for f in filenames:
            p = os.path.join(dirpath, f)
            rel = os.path.relpath(p, outdir)
            if REPORT_NAME.match(rel) or rel.endswith(".merging") or any(
                    x.match(rel) for x in skip):
                continue
            with open(p, "rb") as fh:
                # .findx indexes and http body files are stamped as written, not
                # with packet times: their mtimes are not defined.
                undefined = rel.endswith(".findx") or "-HTTPBODY-" in rel
                mtime = None if undefined else os.stat(p).st_mtime_ns
                out[rel] = (fh.read(), mtime)
    return out


def relative_to(path, outdir):
    """`path` (as given on the command line) relative to outdir, or None."""
    rel = os.path.relpath(os.path.normpath(path), os.path.normpath(outdir))
    return None if rel.startswith("..") else rel


def fileobject_text(report_path):
    """The report's fileobjects exactly as written (from the first <fileobject>
    line to the last </fileobject> line)."""
    with open(report_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    starts = [i for i, l in enumerate(lines) if l.startswith("  <fileobject")]
    ends = [i for i, l in enumerate(lines) if l == "  </fileobject>"]
    if not starts:
        return ""
    return "\n".join(lines[starts[0]:ends[-1] + 1])


def summary_counters(report_path):
    root = ET.parse(report_path).getroot()
    summary = root.find(TCPFLOW_NS + "summary")
    counters = {c.get("name"): int(c.get("value")) for c in summary.findall(TCPFLOW_NS + "counter")}
    return summary.attrib, counters


def fileobject_connections(report_path):
    """(src_ip, src_port, dst_ip, dst_port, vlan) of every fileobject."""
    root = ET.parse(report_path).getroot()
    out = []
    for fo in root.iter(DFXML_NS + "fileobject"):
        flow = fo.find(TCPFLOW_NS + "flow")
        out.append((flow.get("src_ip"), flow.get("src_port"), flow.get("dst_ip"),
                    flow.get("dst_port"), flow.get("vlan")))
    return out


def xmllint(report_path, schema):
    """None when valid (or xmllint/schema missing), else the complaint."""
    if not schema or not os.path.exists(schema):
        return None
    p = subprocess.run(["xmllint", "--noout", "--schema", schema, report_path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return None if p.returncode == 0 else p.stderr.decode("utf-8", "replace")[-400:]


def merge_args(args):
    """The options of a run that the merge needs again: -o, -X and -S jsonl=."""
    out = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-o", "-X") and i + 1 < len(args):
            out += [a, args[i + 1]]
            i += 2
            continue
        if a == "-S" and i + 1 < len(args) and args[i + 1].startswith("jsonl="):
            out += [a, args[i + 1]]
            i += 2
            continue
        i += 1
    return out


def option_value(args, name, default=None):
    for i, a in enumerate(args[:-1]):
        if a == name:
            return args[i + 1]
    return default


def jsonl_path(args):
    for i, a in enumerate(args[:-1]):
        if a == "-S" and args[i + 1].startswith("jsonl="):
            return args[i + 1][len("jsonl="):]
    return None


def compare_sharded(binary, root, args, counts, schema=None, check_counters=True):
    """Runs `args` once, then as N shards (into one directory) plus
    --merge-reports for each N in counts, each configuration in its own
    working directory under root. Returns a list of problems."""
    problems = []
    outdir = option_value(args, "-o", ".")
    report_rel = option_value(args, "-X") or os.path.join(outdir, "report.xml")
    index_rel = jsonl_path(args)

    single = os.path.join(root, "single")
    os.makedirs(single)
    rc, _, err = run(binary, args, single)
    if rc != 0:
        return ["single run: exit %d: %s" % (rc, err.strip()[:300])]
    reports = [r for r in (relative_to(report_rel, outdir),
                           index_rel and relative_to(index_rel, outdir)) if r]
    want = flow_outputs(os.path.join(single, outdir), reports)
    want_report = os.path.join(single, report_rel)
    want_objects = fileobject_text(want_report)
    want_summary, want_counters = summary_counters(want_report)

    for n in counts:
        cwd = os.path.join(root, "n%d" % n)
        os.makedirs(cwd)
        tag = "N=%d: " % n
        for k in range(n):
            rc, _, err = run(binary, ["--shard", "%d/%d" % (k, n)] + list(args), cwd)
            if rc != 0:
                problems.append("%sshard %d: exit %d: %s" % (tag, k, rc, err.strip()[:300]))
        if problems:
            return problems
        shard_dir = os.path.join(cwd, outdir)
        # Every file of shard K belongs to a connection that hashes to K.
        base, ext = os.path.splitext(report_rel)
        for k in range(n):
            shard_report = os.path.join(cwd, "%s.shard-%d-of-%d%s" % (base, k, n, ext))
            for conn in fileobject_connections(shard_report)[:2000]:  # pure Python: a sample
                got = shardhash.shard_of(n, *conn)
                if got != k:
                    problems.append("%s%s is in shard %d's report but hashes to %d" %
                                    (tag, conn, k, got))
                    break
        rc, _, err = run(binary, ["--merge-reports"] + merge_args(args), cwd)
        if rc != 0:
            problems.append("%s--merge-reports: exit %d: %s" % (tag, rc, err.strip()[:300]))
            continue
        got = flow_outputs(shard_dir, reports)
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        if missing:
            problems.append("%smissing files: %s" % (tag, ", ".join(missing[:5])))
        if extra:
            problems.append("%sextra files: %s" % (tag, ", ".join(extra[:5])))
        for name in sorted(set(want) & set(got)):
            if want[name][0] != got[name][0]:
                problems.append("%s%s: bytes differ" % (tag, name))
            elif want[name][1] != got[name][1]:
                problems.append("%s%s: mtime %d, single run %d" % (tag, name, got[name][1],
                                                                  want[name][1]))
        merged = os.path.join(cwd, report_rel)
        if fileobject_text(merged) != want_objects:
            problems.append("%smerged report's fileobjects differ from the single run's" % tag)
        summary, counters = summary_counters(merged)
        if check_counters and counters != want_counters:
            diff = sorted(k for k in counters if counters.get(k) != want_counters.get(k))
            problems.append("%smerged counters differ: %s" % (tag, ", ".join(
                "%s %s/%s" % (d, counters.get(d), want_counters.get(d)) for d in diff[:6])))
        for attr in ("packets_read", "bytes_read", "flows", "connections", "fileobjects"):
            if summary.get(attr) != want_summary.get(attr):
                problems.append("%ssummary %s=%s, single run %s" % (tag, attr, summary.get(attr),
                                                                    want_summary.get(attr)))
        complaint = xmllint(merged, schema)
        if complaint:
            problems.append("%smerged report does not validate: %s" % (tag, complaint))
        if index_rel:
            with open(os.path.join(single, index_rel), "rb") as f:
                want_index = f.read()
            with open(os.path.join(cwd, index_rel), "rb") as f:
                if f.read() != want_index:
                    problems.append("%smerged JSON Lines index differs" % tag)
    return problems
