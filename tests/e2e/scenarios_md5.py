"""-e md5 end to end: every flow file's digest in the report is the MD5 of
the bytes the truth says the file holds, however the file was written.

With writer threads (the default) a writer hashes a file as it writes it,
when it writes it from the start in order; a file written any other way (a
hole filled later, an overwrite under --overlap=last, bytes that arrive
out of order) is read back by the scanner instead. These cases mix both
kinds in one run, and run it with writer threads and without (-j 1), and
with a descriptor limit small enough that the writers close and reopen
files between writes (-f).
"""

import hashlib
import os
import xml.etree.ElementTree as ET

from e2e_lib import Case, Run, conv, cv, finalize_all, pg, scenario, stream, truth


def _md5s(report):
    """{filename: md5} of a DFXML report's fileobjects."""
    out = {}
    for fo in ET.parse(report).getroot().iter():
        if fo.tag.split("}")[-1] != "fileobject":
            continue
        name = md5 = None
        for el in fo:
            tag = el.tag.split("}")[-1]
            if tag == "filename":
                name = el.text
            elif tag == "hashdigest" and el.get("type") == "md5":
                md5 = (el.text or "").strip()
        out[name] = md5
    return out


def _mixed():
    """Conversations written in order, with holes, with conflicts, reordered."""
    plain = conv(40000, 90000, seed=1, client=("10.5.0.1", 1001), server=("10.6.0.1", 80))
    holed = conv(3000, 4000, seed=2, client=("10.5.0.2", 1002), server=("10.6.0.1", 80))
    holed.drop(0, 2)   # a hole: zeros in the file
    holed.drop(1, 7)   # the last segment: the file ends early
    clash = conv(3000, 4000, seed=3, client=("10.5.0.3", 1003), server=("10.6.0.1", 80))
    clash.conflict(0, 700, 600)
    clash.conflict(1, 1000, 10, fill=b"\x00")
    mixed = cv.Conversation(client=("10.5.0.4", 1004), server=("10.6.0.1", 80),
                            client_data=stream(20000, 4), server_data=stream(300000, 5),
                            mss=1448)
    mixed.reorder(1, window=8, seed=4)
    for i in range(10, 200, 37):
        mixed.duplicate(1, i, later=3)
    many = [conv(500 + 37 * i, 900 + 11 * i, seed=10 + i,
                 client=("10.7.0.%d" % (i + 1), 2000 + i), server=("10.6.0.2", 443))
            for i in range(12)]
    return [plain, holed, clash, mixed] + many


def _case(ctx, args, truth_kw=None):
    packets = finalize_all(_mixed())
    path = ctx.write("cap.pcap", pg.pcap_bytes(cv.records(packets, pg.LINKTYPE_ETHERNET),
                                               pg.LINKTYPE_ETHERNET))
    files, mtimes = truth(packets, **(truth_kw or {}))

    def check(outdir):
        report = os.path.join(outdir or "", "report.xml")
        if not os.path.exists(report):
            return ["no report.xml"]
        got = _md5s(report)
        probs = []
        for name, data in sorted(files.items()):
            want = hashlib.md5(data).hexdigest()
            if got.get(name) != want:
                probs.append("%s: md5 %s in the report, the file's is %s"
                             % (name, got.get(name), want))
        return probs
    case = Case([Run(["-r", path, "-o", "out", "-e", "md5"] + args)], files, mtimes)
    case.check = check
    return case


@scenario("md5-writer-threads")
def _(ctx):
    return _case(ctx, [])


@scenario("md5-overlap-last")
def _(ctx):
    return _case(ctx, ["--overlap=last"], truth_kw=dict(overlap="last"))


@scenario("md5-no-writer-threads")
def _(ctx):
    return _case(ctx, ["-j", "1"])


@scenario("md5-files-reopened")
def _(ctx):
    return _case(ctx, ["-f", "8"])
