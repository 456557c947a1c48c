"""Helpers shared by the option scenarios (scenarios_options.py and
scenarios_run_options.py): endpoints, two-conversation captures, the
output tree, report fileobjects and -I index lines."""

import os
import xml.etree.ElementTree as ET

from e2e_lib import conv, cv, finalize_all, pg

A, B = ("10.0.0.1", 1234), ("10.0.0.2", 80)
C, D = ("10.0.0.3", 2345), ("10.0.0.4", 8080)
EDGE_NS = cv.DEFAULT_START_NS + 999_000_000   # SYN at 1700000000.999, SYN-ACK at 1700000001.000


def write_pcap(ctx, name, packets, linktype=pg.LINKTYPE_ETHERNET):
    return ctx.write(name, pg.pcap_bytes(cv.records(packets, linktype), linktype))


def file_tree(outdir):
    """{relative path: absolute path} of every file under outdir."""
    out = {}
    if outdir and os.path.isdir(outdir):
        for dirpath, _, filenames in os.walk(outdir):
            for f in filenames:
                p = os.path.join(dirpath, f)
                out[os.path.relpath(p, outdir)] = p
    return out


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def two_convs(start_ns=cv.DEFAULT_START_NS, vlan_a=None):
    kw = dict(vlan_tags=[pg.vlan_tag(vlan_a)]) if vlan_a else {}
    a = conv(1200, 800, seed=1, client=A, server=B, **kw)
    b = conv(700, 900, seed=2, client=C, server=D)
    packets = finalize_all([a, b], start_ns=start_ns)
    return a, b, packets


def renamed(files, mtimes, fn):
    """Applies fn(name) -> new name to the truth."""
    return ({fn(k): v for k, v in files.items()}, {fn(k): v for k, v in mtimes.items()})


def three_reuses():
    convs = [conv(700 + 50 * i, 500 + 70 * i, seed=10 + i, client=A, server=B,
                  isn=(1000 + 200000 * i, 9000 + 200000 * i)) for i in range(3)]
    return convs, finalize_all(convs)


def report_fileobjects(path):
    """[(filename, {hash type: value}, flow attributes)] of a DFXML report
    (a report that does not parse lists one object named by the error)."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        return [("<report.xml does not parse: %s>" % e, {}, {})]
    out = []
    for fo in root.iter():
        if fo.tag.split("}")[-1] != "fileobject":
            continue
        name, hashes, attrs = None, {}, {}
        for el in fo:
            tag = el.tag.split("}")[-1]
            if tag == "filename":
                name = el.text
            elif tag == "hashdigest":
                hashes[el.get("type")] = (el.text or "").strip()
            elif tag == "flow":
                attrs = dict(el.attrib)
        out.append((name, hashes, attrs))
    return out


def findx_line(off, ts_ns, length):
    return "%d|%d.%06d|%d\n" % (off, ts_ns // 10**9, ts_ns % 10**9 // 1000, length)


def findx_truth(packets, d):
    """Lines of the index of direction d: every packet's bytes not stored
    before (first copy wins), one line per new run, in offset order."""
    have = set()
    rows = []
    for p in packets:
        if p.dir != d or not p.is_data:
            continue
        start = None
        for i in range(len(p.payload) + 1):
            new = i < len(p.payload) and (p.off + i) not in have
            if new and start is None:
                start = i
            elif not new and start is not None:
                rows.append((p.off + start, p.ts_ns, i - start))
                start = None
        have.update(range(p.off, p.off + len(p.payload)))
    return "".join(findx_line(*r) for r in sorted(rows)).encode()


def exact_set(outdir, names):
    got = set(file_tree(outdir)) - {"report.xml"}
    probs = []
    if got - names:
        probs.append("unexpected files: %s" % sorted(got - names))
    if names - got:
        probs.append("missing files: %s" % sorted(names - got))
    return probs
