"""Options (-m, -b, BPF, several inputs, stdin), reruns, and bad input."""

import os

from e2e_lib import Case, Run, conv, cv, finalize_all, pg, scenario, single, truth

A, B = ("10.0.0.1", 1234), ("10.0.0.2", 80)
C, D = ("10.0.0.3", 2345), ("10.0.0.4", 8080)


def _write_pcap(ctx, name, packets, linktype=pg.LINKTYPE_ETHERNET):
    return ctx.write(name, pg.pcap_bytes(cv.records(packets, linktype), linktype))


# -- -m / -b -------------------------------------------------------------------
def _jumpy():
    # The client skips 100000 sequence numbers after byte 1500 and loses
    # bytes 500-999 (a 500-byte hole).
    c = conv(3000, 4000, jump={0: (1500, 100000)})
    c.drop(0, 1)
    return c


@scenario("opt-m-splits-on-jump")
def _(ctx):
    return single(ctx, [_jumpy()], args=["-m", "50000"], truth_kw=dict(max_seek=50000),
                  note="jump >= -m starts c1; the 500-byte hole stays zeros")


@scenario("opt-m-default-fills-jump")
def _(ctx):
    return single(ctx, [_jumpy()], note="below the default max_seek the jump is zeros")


@scenario("opt-b-caps-files")
def _(ctx):
    c = conv(3000, 4000)
    c.drop(0, 1)
    return single(ctx, [c], args=["-b", "1234"], truth_kw=dict(max_bytes=1234))


@scenario("opt-b-larger-than-flows")
def _(ctx):
    return single(ctx, [conv(3000, 4000)], args=["-b", "1000000"],
                  truth_kw=dict(max_bytes=1000000))


# -- BPF -------------------------------------------------------------------------
def _two_servers(ctx):
    a = conv(1500, 2500, seed=1, client=A, server=B)
    b = conv(1200, 1800, seed=2, client=C, server=D)
    packets = finalize_all([a, b], spacing_ns=500_000)
    return a, b, _write_pcap(ctx, "two.pcap", packets)


@scenario("bpf-port")
def _(ctx):
    a, b, path = _two_servers(ctx)
    files, mtimes = truth(cv.merge([a]))
    return Case([Run(["-r", path, "-o", "out", "tcp", "port", "80"])], files, mtimes)


@scenario("bpf-host-single-arg")
def _(ctx):
    a, b, path = _two_servers(ctx)
    files, mtimes = truth(cv.merge([b]))
    return Case([Run(["-r", path, "-o", "out", "host 10.0.0.3"])], files, mtimes)


@scenario("bpf-matches-nothing")
def _(ctx):
    a, b, path = _two_servers(ctx)
    return Case([Run(["-r", path, "-o", "out", "udp"])], {}, {})


# -- several inputs, -l, stdin ---------------------------------------------------------
def _split_capture(ctx):
    """One conversation cut across two files, plus another one in the second."""
    a = conv(4000, 6000, seed=3, client=A, server=B)
    b = conv(1000, 1000, seed=4, client=C, server=D)
    packets = finalize_all([a, b], spacing_ns=7_000_000)
    half = len(packets) // 2
    p1 = _write_pcap(ctx, "part1.pcap", packets[:half])
    p2 = ctx.write("part2.pcapng", pg.pcapng_bytes(
        cv.records(packets[half:], pg.LINKTYPE_ETHERNET), [pg.Interface(pg.LINKTYPE_ETHERNET)]))
    files, mtimes = truth(packets)
    return p1, p2, files, mtimes


@scenario("input-several-r")
def _(ctx):
    p1, p2, files, mtimes = _split_capture(ctx)
    return Case([Run(["-r", p1, "-r", p2, "-o", "out"])], files, mtimes,
                note="one flow table across files")


@scenario("input-l-list")
def _(ctx):
    p1, p2, files, mtimes = _split_capture(ctx)
    return Case([Run(["-o", "out", "-l", p1, p2])], files, mtimes)


@scenario("input-stdin")
def _(ctx):
    c = conv(3000, 4000)
    packets = finalize_all([c])
    path = _write_pcap(ctx, "stdin.pcap", packets)
    files, mtimes = truth(packets)
    return Case([Run(["-r", "-", "-o", "out"], stdin=path)], files, mtimes)


@scenario("output-rerun-same-dir")
def _(ctx):
    a = conv(1000, 2000, seed=1, client=A, server=B)
    b = conv(1500, 500, seed=2, client=A, server=B, isn=(77777, 88888))
    packets = finalize_all([a, b])
    path = _write_pcap(ctx, "reuse.pcap", packets)
    files, mtimes = truth(packets)
    run = Run(["-r", path, "-o", "out"])
    return Case([run, run], files, mtimes, note="second run: same names, no extra c1/c2")


@scenario("output-dir-exists")
def _(ctx):
    os.makedirs(os.path.join(ctx.rundir, "out"))
    return single(ctx, [conv(100, 200)])


@scenario("output-dir-relative-path")
def _(ctx):
    c = conv(1000, 2000)
    packets = finalize_all([c])
    path = _write_pcap(ctx, "cap.pcap", packets)
    os.makedirs(os.path.join(ctx.rundir, "sub"))
    files, mtimes = truth(packets)
    return Case([Run(["-r", path, "-o", "sub/../out"])], files, mtimes)


# -- bad input -----------------------------------------------------------------------
@scenario("err-missing-file")
def _(ctx):
    path = os.path.join(ctx.indir, "no-such-capture.pcap")
    return Case([Run(["-r", path, "-o", "out"], exit="nonzero",
                     stderr=[["no-such-capture.pcap"],
                             ["no such file", "not exist", "not found", "cannot open",
                              "can't open", "unable to open", "failed to open"]])],
                report=False)


@scenario("err-garbage-file")
def _(ctx):
    path = ctx.write("garbage.pcap", b"This is not a packet capture at all.\n" * 40)
    return Case([Run(["-r", path, "-o", "out"], exit="nonzero",
                     stderr=[["garbage.pcap"],
                             ["format", "not a", "unknown", "unrecognized", "unsupported",
                              "invalid", "bad", "magic", "capture"]])],
                report=False)


@scenario("err-empty-file")
def _(ctx):
    path = ctx.write("empty.pcap", b"")
    return Case([Run(["-r", path, "-o", "out"], exit="nonzero", stderr=[["empty.pcap"]])],
                report=False)


@scenario("err-truncated-header")
def _(ctx):
    path = ctx.write("short.pcap", pg.pcap_bytes([], pg.LINKTYPE_ETHERNET)[:13])
    return Case([Run(["-r", path, "-o", "out"], exit="nonzero", stderr=[["short.pcap"]])],
                report=False, note="nothing could be read")


def _truncated(ctx, fmt):
    c = conv(3000, 4000, close="none")
    packets = finalize_all([c])
    recs = cv.records(packets)
    keep = len(recs) * 2 // 3
    if fmt == "pcap":
        head = pg.pcap_bytes(recs[:keep])
        whole = pg.pcap_bytes(recs[:keep + 1])
    else:
        itf = [pg.Interface(pg.LINKTYPE_ETHERNET)]
        head = pg.pcapng_bytes(recs[:keep], itf)
        whole = pg.pcapng_bytes(recs[:keep + 1], itf)
    cut = len(head) + (len(whole) - len(head)) // 2     # inside record keep
    path = ctx.write("trunc." + fmt, whole[:cut])
    files, mtimes = truth(packets[:keep])               # one frame per packet here
    return Case([Run(["-r", path, "-o", "out"], exit=0,
                     stderr=[["trunc." + fmt], ["truncat", "short", "incomplete", "eof",
                                                "end of file", "partial"]])],
                files, mtimes, note="records before the cut are processed, warning, exit 0")


@scenario("err-truncated-record-pcap")
def _(ctx):
    return _truncated(ctx, "pcap")


@scenario("err-truncated-record-pcapng")
def _(ctx):
    return _truncated(ctx, "pcapng")


@scenario("err-outdir-under-regular-file")
def _(ctx):
    with open(os.path.join(ctx.rundir, "blocker"), "wb") as f:
        f.write(b"a regular file\n")
    c = conv(100, 100)
    path = _write_pcap(ctx, "cap.pcap", finalize_all([c]))
    return Case([Run(["-r", path, "-o", "blocker/out"], exit="nonzero",
                     stderr=[["blocker"], ["directory", "cannot create", "can't create",
                                           "exists", "mkdir", "failed"]])],
                outdir=None, report=False)


@scenario("err-unsupported-linktype-among-several")
def _(ctx):
    a = conv(1000, 2000, seed=1, client=A, server=B)
    b = conv(1000, 2000, seed=2, client=C, server=D)
    c = conv(1500, 500, seed=3, client=("10.0.0.5", 999), server=B)
    packets = finalize_all([a, b, c])
    p1 = _write_pcap(ctx, "first.pcap", cv.merge([a]))
    p2 = _write_pcap(ctx, "odd-linktype.pcap", cv.merge([b]), pg.LINKTYPE_USER0)
    p3 = _write_pcap(ctx, "third.pcap", cv.merge([c]))
    files, mtimes = truth([p for p in packets if p.conv is not b])
    return Case([Run(["-r", p1, "-r", p2, "-r", p3, "-o", "out"], exit=None,
                     stderr=[["odd-linktype.pcap"], ["link", "dlt", "unsupported", "unknown"]])],
                files, mtimes, note="exit status not checked; the other files are processed")


@scenario("err-file-size-limit")
def _(ctx):
    # RLIMIT_FSIZE stands in for a full disk: writes past 256 KiB fail with
    # EFBIG (the binary must ignore SIGXFSZ). Checked: no signal, a message on
    # stderr, the small flows complete, the big flow's file a true prefix.
    small = conv(2000, 3000, seed=1, client=A, server=B)
    big = cv.Conversation(client=C, server=D, client_data=b"", mss=1448,
                          server_data=bytes((i * 131 + 7) & 0xFF for i in range(1_000_000)))
    packets = finalize_all([small, big], step_ns=100_000)
    path = _write_pcap(ctx, "big.pcap", packets)
    files, mtimes = truth(packets)
    small_files = {k: files[k] for k in (small.name(0), small.name(1))}
    big_name = big.name(1)
    return Case([Run(["-r", path, "-o", "out"], fsize=256 * 1024, exit=None,
                     stderr=[["too large", "no space", "write", "error", "fail", "efbig",
                              "limit"]])],
                files=None, some_files=small_files,
                mtimes={k: mtimes[k] for k in small_files},
                prefix_files={big_name: files[big_name]},
                report=False)
