"""Threads (-j): the output must not depend on the thread count.

Each scenario runs the same multi-flow capture (reordered and retransmitted
segments, interleaved connections) with a given -j and compares every flow
file and its mtime byte for byte against the same truth, so -j 1 and -j 2
are proven identical to each other. Only gzip input is read ahead on a
second thread; its captures are larger than the read-ahead's chunks (1 MiB)
and ring (4 chunks), so records straddle chunk boundaries and the reader
thread has to wait for the parser.
"""

import os
import xml.etree.ElementTree as ET

from e2e_lib import Case, Run, conv, finalize_all, pg, scenario, truth
import conversation as cv


def _capture(ctx, name, fmt="pcap", compress=False, resend_later=2):
    convs = []
    for i in range(120):
        c = conv(20000 + 131 * i, 24000 + 97 * i, seed=300 + i, mss=1400,
                 client=("10.7.%d.%d" % (i // 200, i % 200 + 1), 3000 + i),
                 server=("10.8.0.%d" % (i % 3 + 1), 80))
        c.reorder(0, window=3, seed=i + 1)
        c.reorder(1, window=4, seed=i + 2)
        if i % 5 == 0:
            c.retransmit(1, 1000, 2800, later=resend_later)
        convs.append(c)
    packets = finalize_all(convs, spacing_ns=50_000)   # many connections open at once
    recs = cv.records(packets, pg.LINKTYPE_ETHERNET)
    if fmt == "pcap":
        data = pg.pcap_bytes(recs, pg.LINKTYPE_ETHERNET)
    else:
        data = pg.pcapng_bytes(recs, [pg.Interface(pg.LINKTYPE_ETHERNET)])
    if compress:
        data = pg.gzip_bytes(data)
    return ctx.write(name, data), truth(packets)


def _case(ctx, jobs, **kw):
    path, (files, mtimes) = _capture(ctx, "multi.pcap", **kw)
    return Case([Run(["-j", str(jobs), "-r", path, "-o", "out"])], files, mtimes,
                note="240 reordered interleaved flows with -j %d: the same files as the truth"
                % jobs)


@scenario("perf-j1-multiflow-reordered")
def _(ctx):
    return _case(ctx, 1)


@scenario("perf-j2-multiflow-reordered")
def _(ctx):
    return _case(ctx, 2)


@scenario("perf-j2-multiflow-pcapng-gzip")
def _(ctx):
    return _case(ctx, 2, fmt="pcapng", compress=True)


@scenario("perf-j1-multiflow-pcapng-gzip")
def _(ctx):
    return _case(ctx, 1, fmt="pcapng", compress=True)


@scenario("perf-j2-writer-few-descriptors-late-resends")
def _(ctx):
    # Re-sent bytes arrive long after they left the buffer, so they are read
    # back from files the writer thread wrote; with -f 8 it keeps evicting
    # and reopening them.
    path, (files, mtimes) = _capture(ctx, "late.pcap", resend_later=300)
    return Case([Run(["-j", "2", "-f", "8", "-r", path, "-o", "out"])], files, mtimes,
                note="240 flows through the writer thread with 8 descriptors, overlaps "
                     "read back from disk: the same files as the truth")


@scenario("perf-j2-stdin")
def _(ctx):
    path, (files, mtimes) = _capture(ctx, "multi.pcap")
    return Case([Run(["-j", "2", "-r", "-", "-o", "out"], stdin=path)], files, mtimes,
                note="standard input is read on the main thread")


# Short directions (everything fits the 16 KiB buffer) are written whole by
# the writer thread with -j 2 and up; their report entries wait for
# the file and keep close order. Some segments are re-sent long after their
# connection closed, so parked bytes are written out early and compared.
def _short_flows_capture(ctx):
    convs = []
    for i in range(300):
        c = conv(1 + 37 * i % 4000, 1 + 53 * i % 9000, seed=900 + i, mss=1400,
                 client=("10.9.%d.%d" % (i // 200, i % 200 + 1), 5000 + i),
                 server=("10.10.0.%d" % (i % 4 + 1), 443))
        if i % 7 == 0 and len(c.data[1]) > 100:
            c.retransmit(1, 0, 100, later=40)
        convs.append(c)
    packets = finalize_all(convs, spacing_ns=20_000)
    path = ctx.write("short.pcap", pg.pcap_bytes(cv.records(packets, pg.LINKTYPE_ETHERNET),
                                                 pg.LINKTYPE_ETHERNET))
    return path, truth(packets)


def _report_order(path):
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        return ["<%s>" % e]
    return [el.text for el in root.iter() if el.tag.split("}")[-1] == "filename"]


def _same_report_order_as(reference_dir):
    def check(outdir):
        want = _report_order(os.path.join(outdir, reference_dir, "report.xml"))
        got = _report_order(os.path.join(outdir, "report.xml"))
        if got != want or len(want) != 600:
            return ["report order differs from -j 1 (%d vs %d entries; first difference %s)"
                    % (len(got), len(want), next((g for g, w in zip(got, want) if g != w), None))]
        return []
    return check


@scenario("perf-j3-short-flows-background-writers")
def _(ctx):
    path, (files, mtimes) = _short_flows_capture(ctx)
    # The -j 1 run writes below out/one (nothing may be written outside out).
    case = Case([Run(["-j", "1", "-r", path, "-o", "out/one"]),
                 Run(["-j", "3", "-r", path, "-o", "out"])], None, mtimes, some_files=files,
                note="600 short directions written by the writer thread: the same "
                     "files, mtimes and report order as -j 1")
    case.check = _same_report_order_as("one")
    return case


@scenario("perf-j2-background-create-failure-reported")
def _(ctx):
    path, (files, mtimes) = _short_flows_capture(ctx)
    victim = sorted(files)[5]
    # A directory where the flow file should go: creating it fails (EISDIR).
    os.makedirs(os.path.join(ctx.rundir, "out", victim))
    others = {k: v for k, v in files.items() if k != victim}

    def check(outdir):
        root = ET.parse(os.path.join(outdir, "report.xml")).getroot()
        for fo in root.iter():
            if fo.tag.split("}")[-1] != "fileobject":
                continue
            name = next((el.text for el in fo if el.tag.split("}")[-1] == "filename"), None)
            flow = next((el for el in fo if el.tag.split("}")[-1] == "flow"), None)
            failed = flow is not None and flow.get("write_failed") == "1"
            if failed != (name == victim):
                return ["%s: write_failed=%s in the report" % (name, failed)]
        return []
    case = Case([Run(["-j", "2", "-r", path, "-o", "out"], exit="nonzero",
                     stderr=[[victim], ["directory"]])],
                None, {k: mtimes[k] for k in others}, some_files=others,
                note="a background create that fails is named on stderr, marked "
                     "write_failed in the report, exits 1; every other file is intact")
    case.check = check
    return case
