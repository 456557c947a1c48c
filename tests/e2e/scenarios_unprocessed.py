"""-w FILE always creates FILE (issue 19.2).

When no packet is left unprocessed, FILE is still written: a valid classic
pcap holding only its 24-byte file header, with the link type of the first
input read (a second input of another link type does not change it). When
no input can be opened at all, no FILE appears (there is no link type to
give it) and the run fails.
"""

import os
import struct

from e2e_lib import Case, Run, conv, cv, finalize_all, pg, scenario, truth


def _header_check(name, linktype):
    """A check that out/NAME is exactly a 24-byte pcap file header."""
    def check(outdir):
        path = os.path.join(outdir, name)
        if not os.path.isfile(path):
            return ["-w %s: no file" % name]
        data = open(path, "rb").read()
        if len(data) != 24:
            return ["-w %s: %d bytes, expected the 24-byte file header only" % (name, len(data))]
        probs = []
        magic = struct.unpack("<I", data[:4])[0]
        e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        magic, major, minor, _, _, snaplen, link = struct.unpack(e + "IHHiIII", data)
        if magic not in (0xA1B2C3D4, 0xA1B23C4D):
            probs.append("-w %s: magic %#x is not a pcap magic" % (name, magic))
        if (major, minor) != (2, 4):
            probs.append("-w %s: version %d.%d, expected 2.4" % (name, major, minor))
        if snaplen == 0:
            probs.append("-w %s: snaplen 0" % name)
        if link != linktype:
            probs.append("-w %s: link type %d, expected %d (the first input's)"
                         % (name, link, linktype))
        return probs
    return check


def _capture(ctx, name, convs, linktype):
    packets = finalize_all(convs)
    recs = cv.records(packets, linktype)
    return ctx.write(name, pg.pcap_bytes(recs, linktype)), packets


@scenario("opt-w-nothing-unprocessed-header-only")
def _(ctx):
    path, packets = _capture(ctx, "tcp-only.pcap", [conv(1500, 2500, seed=41)],
                             pg.LINKTYPE_ETHERNET)
    files, mtimes = truth(packets)
    case = Case([Run(["-r", path, "-o", "out", "-w", "out/unused.pcap"])], None, mtimes,
                some_files=files)
    case.check = _header_check("unused.pcap", pg.LINKTYPE_ETHERNET)
    return case


@scenario("opt-w-nothing-unprocessed-first-input-link-type")
def _(ctx):
    a = conv(900, 1100, seed=42)
    b = conv(700, 800, seed=43, client=("10.0.0.3", 41000))
    path_a, pa = _capture(ctx, "a-raw.pcap", [a], pg.LINKTYPE_RAW)
    path_b, pb = _capture(ctx, "b-eth.pcap", [b], pg.LINKTYPE_ETHERNET)
    files, mtimes = truth(pa)
    files_b, mtimes_b = truth(pb)
    files.update(files_b)
    mtimes.update(mtimes_b)
    case = Case([Run(["-r", path_a, "-r", path_b, "-o", "out", "-w", "out/unused.pcap"])],
                None, mtimes, some_files=files)
    case.check = _header_check("unused.pcap", pg.LINKTYPE_RAW)
    return case


@scenario("opt-w-no-input-opened-no-file")
def _(ctx):
    missing = os.path.join(ctx.indir, "missing.pcap")
    case = Case([Run(["-r", missing, "-o", "out", "-w", "out/unused.pcap"], exit="nonzero",
                     stderr=[["missing.pcap"]])], None, report=False)

    def check(outdir):
        if os.path.exists(os.path.join(outdir, "unused.pcap")):
            return ["-w: a file was written although no input could be opened"]
        return []
    case.check = check
    return case
