"""report.xml leaves out <tcpflow:flow> attributes at their default
(src/report/FORMAT.md, "Left out when default").

On a run of one capture: no flow attribute holds its default, no flow lists
the run's single input, an attribute away from its default is written, and
python/tcpflow_report.py reads the same flows from report.xml as from
flows.jsonl, which writes every member.
"""

import os
import sys
import xml.etree.ElementTree as ET

from e2e_lib import conv, scenario, single

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
import tcpflow_report  # noqa: E402

D = "{%s}" % tcpflow_report.DFXML_NS
T = "{%s}" % tcpflow_report.TCPFLOW_NS
ZERO_DEFAULT = ("connection_count", "gap_count", "gap_bytes", "duplicate_bytes",
                "conflict_count", "conflict_bytes", "bad_checksum_segments",
                "bad_ip_checksum_segments", "bad_checksum_replaced", "before_start_segments",
                "capped_bytes", "spilled_blocks")


def _defaults_written(report):
    """Each default-valued attribute or <tcpflow:input> the report writes."""
    probs = []
    root = ET.parse(report).getroot()
    sources = [e.text for e in root.iter(D + "image_filename")]
    for fo in root.iter(D + "fileobject"):
        flow = fo.find(T + "flow")
        name = fo.findtext(D + "filename")
        attrs = flow.attrib
        written = [n for n in ZERO_DEFAULT if attrs.get(n) == "0"]
        written += [n for n, v in (("family", "ipv4"), ("close_reason", "fin"))
                    if attrs.get(n) == v]
        written += [n for n in ("flow_id", "end_time") if n in attrs]
        if attrs.get("bytes") == fo.findtext(D + "filesize"):
            written.append("bytes")
        if len(sources) == 1 and [e.text for e in flow.iter(T + "input")] == sources:
            written.append("<tcpflow:input>")
        if written:
            probs.append("%s: default values written: %s" % (name, ", ".join(written)))
    return probs


@scenario("report-defaults-left-out-and-read-back")
def _(ctx):
    os.makedirs(os.path.join(ctx.rundir, "out"))
    plain = conv(300, 900, seed=71)
    resent = conv(400, 1200, seed=72, client=("10.0.0.3", 40001))
    resent.retransmit(1, 0, 200)   # 200 duplicate bytes: bytes != filesize
    case = single(ctx, [plain, resent], args=["-S", "jsonl=out/index.jsonl"],
                  note="one input, a flow with duplicates: report.xml against flows.jsonl")
    case.some_files, case.files = case.files, None
    resent_server = resent.name(1)

    def check(outdir):
        report = os.path.join(outdir, "report.xml")
        probs = _defaults_written(report)
        from_xml = tcpflow_report.load(report)
        flows = {f.filename: f for f in from_xml.flows}
        jsonl = {f.filename: f for f in tcpflow_report.load(os.path.join(outdir,
                                                                          "index.jsonl")).flows}
        if sorted(flows) != sorted(jsonl):
            return probs + ["report.xml lists %s, flows.jsonl %s" % (sorted(flows), sorted(jsonl))]
        for name, x in flows.items():
            a, b = vars(x).copy(), vars(jsonl[name]).copy()
            for private in ("elements", "extra", "hashes"):
                a.pop(private)
                b.pop(private)
            diff = sorted(k for k in a if a[k] != b[k])
            if diff:
                probs.append("%s: report.xml and flows.jsonl differ in %s" % (name, diff))
        got = flows.get(resent_server)
        if got is None or (got.duplicate_bytes, got.bytes - got.filesize) != (200, 200):
            probs.append("%s: duplicate_bytes and bytes not read back: %s" % (
                resent_server, got and (got.duplicate_bytes, got.bytes, got.filesize)))
        single_input = [s["path"] for s in from_xml.sources]
        if len(single_input) != 1 or any(f.input_files != single_input for f in flows.values()):
            probs.append("input_files %s, expected the single <source> %s" % (
                [f.input_files for f in flows.values()], single_input))
        return probs
    case.check = check
    return case
