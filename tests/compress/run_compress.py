#!/usr/bin/env python3
"""End-to-end tests of --compress gzip|zstd|bzip2.

Usage: run_compress.py TCPFLOW [-k NAME]... [--keep]

Every e2e scenario (tests/e2e) whose run writes flow files into a directory
is run once plain, then once with each --compress. In the compressed run
each plain flow file F must be F.gz / F.zst / F.bz2 (and F itself gone),
decompressing to exactly F's bytes with F's mtime; every other file (HTTP
bodies, .findx, pcaps) must be the same bytes; the report's entries must be
the plain run's except the compressed name and the compression attributes
(so md5 digests and filesize, the original length, are unchanged), and the
compressed_size attributes must be the files' real sizes.
Prints one line per case, then "N passed, N failed"; exit 1 on failure.
"""
import argparse
import bz2
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
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
import scenarios_scanners  # noqa: E402,F401
import scenarios_http      # noqa: E402,F401
import scenarios_tunnel    # noqa: E402,F401
import scenarios_midstream  # noqa: E402,F401
import scenarios_compressed_input  # noqa: E402,F401

TIMEOUT = 120


def unzstd(data):
    return subprocess.run(["zstd", "-d", "-q", "-c"], input=data, stdout=subprocess.PIPE,
                          check=True).stdout


CODECS = {"gzip": (".gz", gzip.decompress), "zstd": (".zst", unzstd),
          "bzip2": (".bz2", bz2.decompress)}

# Output that is not a directory of flow files, or that depends on the
# flow file's name or acts outside the run (commands, fds).
UNSUITABLE = ("-c", "-C", "-J", "-i", "-U", "-z", "-L", "-h", "-V", "-H", "--version",
              "-FX", "--compress")
UNSUITABLE_SETTINGS = ("tcp_cmd", "http_cmd", "alert_fd", "enable_report=NO", "py_")


def suitable(case):
    """The single run's args when the scenario is a plain file run, else a reason."""
    return e2e_lib.plain_file_run(case, UNSUITABLE, UNSUITABLE_SETTINGS)


def run(binary, args, cwd):
    p = subprocess.run([binary] + list(args), cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def option_value(args, name, default=None):
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
    return default


def files_under(top):
    out = {}
    for d, _, names in os.walk(top):
        for n in names:
            p = os.path.join(d, n)
            out[os.path.relpath(p, top)] = p
    return out


ENTRY = re.compile(r"<fileobject>.*?</fileobject>", re.S)
COMPRESSED_ATTRS = re.compile(r' compression="(\w+)" compressed_size="(\d+)"')
FILENAME = re.compile(r"<filename>(.*?)</filename>")


def report_entries(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return ENTRY.findall(f.read())


def compare(plain_dir, packed_dir, codec, report_names):
    suffix, unpack = CODECS[codec]
    problems = []
    plain, packed = files_under(plain_dir), files_under(packed_dir)
    for name in report_names:
        plain.pop(name, None)
        packed.pop(name, None)
    for name, path in sorted(plain.items()):
        with open(path, "rb") as f:
            want = f.read()
        if name + suffix in packed:
            if name in packed:
                problems.append("%s: plain file left beside %s" % (name, name + suffix))
            got_path = packed.pop(name + suffix)
            with open(got_path, "rb") as f:
                got = unpack(f.read())
            if os.stat(got_path).st_mtime_ns != os.stat(path).st_mtime_ns and \
                    not name.endswith(".findx"):
                problems.append("%s: mtime differs" % (name + suffix))
        elif name in packed:
            with open(packed.pop(name), "rb") as f:
                got = f.read()
        else:
            problems.append("%s: missing (plain or %s)" % (name, suffix))
            continue
        if got != want:
            problems.append("%s: %d bytes after decompression, want %d (first difference at %d)"
                            % (name, len(got), len(want),
                               next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                                    min(len(got), len(want)))))
    for name in sorted(packed):
        problems.append("%s: not in the plain run" % name)
    return problems


def compare_reports(plain_report, packed_report, packed_dir, codec):
    suffix = CODECS[codec][0]
    problems = []
    want, got = report_entries(plain_report), report_entries(packed_report)
    if len(want) != len(got):
        return ["report: %d entries, want %d" % (len(got), len(want))]
    for w, g in zip(want, got):
        m = COMPRESSED_ATTRS.search(g)
        name = FILENAME.search(w)
        if name and m:
            if m.group(1) != codec:
                problems.append("report: compression=%s" % m.group(1))
            packed_path = os.path.join(packed_dir, name.group(1) + suffix)
            if os.path.exists(packed_path) and os.path.getsize(packed_path) != int(m.group(2)):
                problems.append("report: compressed_size %s, file has %d" %
                                (m.group(2), os.path.getsize(packed_path)))
            g = COMPRESSED_ATTRS.sub("", g).replace(
                "<filename>%s%s</filename>" % (name.group(1), suffix),
                "<filename>%s</filename>" % name.group(1))
        elif name and "<error>" not in w:
            problems.append("report: %s has no compression attributes" % name.group(1))
        if g != w:
            problems.append("report entry differs beyond the name and compression: %s" %
                            (name.group(1) if name else "?"))
    return problems[:5]


JSONL_COMPRESSED = re.compile(r'"compression":"(\w+)","compressed_size":(\d+),')


def compare_jsonl(plain_path, packed_path, codec):
    """The index's lines must be the plain run's but for the compressed name
    and the two compression fields."""
    suffix = CODECS[codec][0]
    if not os.path.exists(plain_path):
        return []
    with open(plain_path, encoding="utf-8") as f:
        want = f.read().splitlines()
    with open(packed_path, encoding="utf-8") as f:
        got = f.read().splitlines()
    problems = []
    if len(want) != len(got):
        return ["index: %d lines, want %d" % (len(got), len(want))]
    for w, g in zip(want, got):
        m = JSONL_COMPRESSED.search(g)
        if m:
            g = JSONL_COMPRESSED.sub("", g).replace(suffix + '","filesize"', '","filesize"', 1)
        if g != w:
            problems.append("index line differs: %s" % g[:120])
    return problems[:3]


def jsonl_path(args):
    for a in args:
        if a.startswith("jsonl="):
            return a[len("jsonl="):]
    return None


def check_scenario(binary, root, args):
    outdir = option_value(args, "-o", ".")
    report_rel = option_value(args, "-X") or os.path.join(outdir, "report.xml")
    report_names = {os.path.relpath(report_rel, outdir), "report.xml"}
    index_rel = jsonl_path(args)
    if index_rel:
        report_names.add(os.path.relpath(index_rel, outdir))
    plain_cwd = os.path.join(root, "plain")
    os.makedirs(plain_cwd)
    rc, err = run(binary, args, plain_cwd)
    if rc != 0:
        return ["plain run: exit %d: %s" % (rc, err.strip()[:300])]
    problems = []
    for codec in CODECS:
        cwd = os.path.join(root, codec)
        os.makedirs(cwd)
        rc, err = run(binary, list(args) + ["--compress", codec], cwd)
        if rc != 0:
            problems.append("%s: exit %d: %s" % (codec, rc, err.strip()[:300]))
            continue
        problems += ["%s: %s" % (codec, p) for p in
                     compare(os.path.join(plain_cwd, outdir), os.path.join(cwd, outdir), codec,
                             report_names)]
        if index_rel:
            problems += ["%s: %s" % (codec, p) for p in
                         compare_jsonl(os.path.join(plain_cwd, index_rel),
                                       os.path.join(cwd, index_rel), codec)]
        problems += ["%s: %s" % (codec, p) for p in
                     compare_reports(os.path.join(plain_cwd, report_rel),
                                     os.path.join(cwd, report_rel), os.path.join(cwd, outdir),
                                     codec)]
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("-k", action="append", default=[])
    ap.add_argument("--keep", action="store_true")
    opts = ap.parse_args()
    binary = os.path.abspath(opts.binary)
    if not shutil.which("zstd"):
        print("the zstd command is missing (apt-get install zstd)")
        return 1
    top = tempfile.mkdtemp(prefix="tcpflow-compress-")
    results, skipped = [], []
    try:
        for name, fn in e2e_lib.SCENARIOS:
            if opts.k and not any(k in name for k in opts.k):
                continue
            root = os.path.join(top, name)
            t0 = time.monotonic()
            try:
                ctx = e2e_lib.Ctx(root)
                args, why = suitable(fn(ctx))
                if args is None:
                    skipped.append("%s (%s)" % (name, why))
                    continue
                problems = check_scenario(binary, ctx.rundir, args)
            except Exception as e:  # a broken case is a failure, not a crash
                problems = ["error: %s: %s" % (type(e).__name__, e)]
            dt = time.monotonic() - t0
            results.append((name, problems))
            if problems:
                print("FAIL %s (%.1fs): %s" % (name, dt, "; ".join(problems[:5])), flush=True)
            else:
                print("PASS %s (%.1fs)" % (name, dt), flush=True)
            if not opts.keep:
                shutil.rmtree(root, ignore_errors=True)
    finally:
        if not opts.keep:
            shutil.rmtree(top, ignore_errors=True)
    print("not rerun compressed (not a plain file run): %d: %s" % (len(skipped), "; ".join(skipped)))
    failed = sum(1 for _, p in results if p)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
