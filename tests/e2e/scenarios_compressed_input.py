"""Captures compressed with zstd, bzip2 or xz: read by their magic number,
from a file or from a pipe (-r -), like gzip; cut or corrupt ones are a
clear error."""

import bz2
import lzma
import shutil
import subprocess

from e2e_lib import Case, Run, conv, cv, finalize_all, pg, scenario, truth

V6C, V6S = ("2001:db8::1", 40001), ("2001:db8:0:1::80", 443)


def _zstd(data):
    # python3 has no zstd module; the zstd CLI is a test dependency (bootstrap.sh).
    if not shutil.which("zstd"):
        raise RuntimeError("the zstd command is missing (apt-get install zstd)")
    return subprocess.run(["zstd", "-q", "-c", "-3"], input=data, stdout=subprocess.PIPE,
                          check=True).stdout


PACK = {
    "zstd": _zstd,
    "bzip2": lambda d: bz2.compress(d, 9),
    "xz": lambda d: lzma.compress(d, preset=6),
}
SUFFIX = {"zstd": "zst", "bzip2": "bz2", "xz": "xz"}


def _capture(fmt, v6=False, seed=1, sizes=(2500, 4000), **kw):
    extra = {"client": V6C, "server": V6S} if v6 else {}
    packets = finalize_all([conv(sizes[0], sizes[1], seed=seed, mss=400, **extra, **kw)])
    recs = cv.records(packets, pg.LINKTYPE_ETHERNET)
    if fmt == "pcap":
        data = pg.pcap_bytes(recs, pg.LINKTYPE_ETHERNET)
    else:
        data = pg.pcapng_bytes(recs, [pg.Interface(pg.LINKTYPE_ETHERNET, tsresol=6)])
    return data, packets


def _file_case(method, fmt, v6):
    def build(ctx):
        data, packets = _capture(fmt, v6=v6, seed=len(method) + (7 if v6 else 3))
        path = ctx.write("cap.%s.%s" % (fmt, SUFFIX[method]), PACK[method](data))
        files, mtimes = truth(packets)
        return Case([Run(["-r", path, "-o", "out"])], files, mtimes)
    return build


for _method in PACK:
    scenario("format-%s-pcap" % _method)(_file_case(_method, "pcap", False))
    scenario("format-%s-pcapng" % _method)(_file_case(_method, "pcapng", True))


def _through_pipe(data):
    """A custom runner: `data` reaches tcpflow's standard input through a pipe."""
    def run(cmd, cwd, timeout):
        p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = p.communicate(input=data, timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            return None, out, err
        return p.returncode, out, err
    return run


def _stdin_case(method):
    def build(ctx):
        data, packets = _capture("pcap", seed=21 + len(method))
        files, mtimes = truth(packets)
        run = Run(["-r", "-", "-o", "out"])
        run.custom = _through_pipe(PACK[method](data))
        return Case([run], files, mtimes)
    return build


for _method in PACK:
    scenario("input-stdin-pipe-%s" % _method)(_stdin_case(_method))


def _status_check(status, counters):
    import scenarios_run_notices
    return scenarios_run_notices._status_check(status, counters)


@scenario("input-xz-truncated")
def _(ctx):
    data, packets = _capture("pcap", seed=31, sizes=(60000, 80000), close="none")
    packed = PACK["xz"](data)
    path = ctx.write("cut.pcap.xz", packed[:len(packed) * 3 // 4])
    files, _ = truth(packets)
    case = Case([Run(["-r", path, "-o", "out"], exit=0, stderr=[["cut.pcap.xz"]])],
                files=None, prefix_files=files,
                note="every flow file is a prefix of the truth; the report says truncated")
    case.check = _status_check("truncated", {"truncated_input": 1, "input_errors": 0})
    return case


@scenario("input-zstd-truncated")
def _(ctx):
    data, packets = _capture("pcap", seed=33, sizes=(300000, 300000), close="none")
    packed = PACK["zstd"](data)
    path = ctx.write("cut.pcap.zst", packed[:len(packed) * 3 // 4])
    files, _ = truth(packets)
    case = Case([Run(["-r", path, "-o", "out"], exit=0, stderr=[["cut.pcap.zst"]])],
                files=None, prefix_files=files)
    case.check = _status_check("truncated", {"truncated_input": 1, "input_errors": 0})
    return case


@scenario("input-bzip2-corrupt")
def _(ctx):
    good, packets = _capture("pcap", seed=35)
    files, mtimes = truth(packets)
    gpath = ctx.write("good.pcap", good)
    bad = PACK["bzip2"](good)
    bad = bad[:4] + b"\xff" * (len(bad) - 4)
    bpath = ctx.write("bad.pcap.bz2", bad)
    case = Case([Run(["-r", bpath, "-r", gpath, "-o", "out"], exit=1,
                     stderr=[["bad.pcap.bz2"], ["bzip2"]])], files, mtimes,
                note="the good input is processed; exit 1; the error names bzip2")
    case.check = _status_check("inputs_failed", {"input_errors": 1})
    return case


# -- --compress: flow files written compressed -----------------------------------------
UNPACK = {"gzip": (".gz", lambda d: __import__("gzip").decompress(d)),
          "bzip2": (".bz2", bz2.decompress),
          "zstd": (".zst", lambda d: subprocess.run(["zstd", "-d", "-q", "-c"], input=d,
                                                     stdout=subprocess.PIPE, check=True).stdout)}


def _compressed_check(codec, files):
    """Every truth file is NAME+suffix decompressing to its bytes, and nothing else is there."""
    import os
    suffix, unpack = UNPACK[codec]

    def check(outdir):
        problems = []
        present = sorted(n for n in os.listdir(outdir) if n != "report.xml")
        want = sorted(n + suffix for n in files)
        if present != want:
            problems.append("files %s, want %s" % (present, want))
        for name, data in files.items():
            path = os.path.join(outdir, name + suffix)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    if unpack(f.read()) != data:
                        problems.append("%s does not decompress to the flow's bytes" % name)
        with open(os.path.join(outdir, "report.xml"), encoding="utf-8") as f:
            report = f.read()
        if report.count('compression="%s"' % codec) != len(files):
            problems.append("report: %d compressed entries, want %d" %
                            (report.count('compression="%s"' % codec), len(files)))
        return problems
    return check


def _compress_case(codec):
    def build(ctx):
        c = conv(20000, 30000, seed=41, mss=300)
        c.reorder(0, window=4, seed=3)
        c.reorder(1, window=5, seed=4)
        packets = finalize_all([c])
        path = ctx.write("cap.pcap", pg.pcap_bytes(cv.records(packets)))
        files, _ = truth(packets)
        case = Case([Run(["-r", path, "-o", "out", "--compress", codec, "-S",
                          "compress_level=1"])], files=None,
                    note="reordered segments; the files decompress to the truth")
        case.check = _compressed_check(codec, files)
        return case
    return build


for _codec in UNPACK:
    scenario("compress-%s-reordered" % _codec)(_compress_case(_codec))


@scenario("compress-rerun-replaces-plain-files")
def _(ctx):
    c = conv(5000, 7000, seed=44, mss=500)
    packets = finalize_all([c])
    path = ctx.write("cap.pcap", pg.pcap_bytes(cv.records(packets)))
    files, _ = truth(packets)
    # A plain run, then a compressed one into the same directory: only the
    # compressed files are left (a file compressed while written has no
    # plain stage that would overwrite and remove the old one).
    case = Case([Run(["-r", path, "-o", "out"]),
                 Run(["-r", path, "-o", "out", "--compress", "zstd"])], files=None,
                note="the earlier run's plain files are removed")
    case.check = _compressed_check("zstd", files)
    return case


@scenario("compress-usage-errors")
def _(ctx):
    data, _ = _capture("pcap", seed=43)
    path = ctx.write("cap.pcap", data)
    return Case([Run(["-r", path, "-o", "out", "--compress", "xz"], exit=2,
                     stderr=[["--compress"]]),
                 Run(["-r", path, "-o", "out", "-S", "compress_level=5"], exit=2,
                     stderr=[["compress_level"]]),
                 Run(["-r", path, "-o", "out", "--compress", "gzip", "-S", "compress_level=10"],
                     exit=2, stderr=[["levels go from 1 to 9"]])],
                outdir=None, report=False)
