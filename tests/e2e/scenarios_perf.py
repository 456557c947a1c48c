"""Threads (-j): the output must not depend on the thread count.

Each scenario runs the same multi-flow capture (reordered and retransmitted
segments, interleaved connections) with a given -j and compares every flow
file and its mtime byte for byte against the same truth, so -j 1 and -j 2
are proven identical to each other. Only gzip input is read ahead on a
second thread; its captures are larger than the read-ahead's chunks (1 MiB)
and ring (4 chunks), so records straddle chunk boundaries and the reader
thread has to wait for the parser.
"""

from e2e_lib import Case, Run, conv, finalize_all, pg, scenario, truth
import conversation as cv


def _capture(ctx, name, fmt="pcap", compress=False):
    convs = []
    for i in range(120):
        c = conv(20000 + 131 * i, 24000 + 97 * i, seed=300 + i, mss=1400,
                 client=("10.7.%d.%d" % (i // 200, i % 200 + 1), 3000 + i),
                 server=("10.8.0.%d" % (i % 3 + 1), 80))
        c.reorder(0, window=3, seed=i + 1)
        c.reorder(1, window=4, seed=i + 2)
        if i % 5 == 0:
            c.retransmit(1, 1000, 2800, later=2)
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


@scenario("perf-j2-stdin")
def _(ctx):
    path, (files, mtimes) = _capture(ctx, "multi.pcap")
    return Case([Run(["-j", "2", "-r", "-", "-o", "out"], stdin=path)], files, mtimes,
                note="standard input is read on the main thread")
