"""Connection records (issue 23.6) and HTTP message times and pairing (23.8).

conn-states-all: one capture with a connection in each of the thirteen Zeek
conn_state values tcpflow claims (S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH
SH SHR OTH), most of them without a payload byte. Each must get exactly one
{"record":"connection"} line in flows.jsonl and one <tcpflow:connection> in
report.xml, with the state and history written by hand below and the
packets, payload bytes and first/last packet times computed from the
generated packets; the connection_id of a connection with data matches its
flow records; report.xml validates against the DFXML schema.

http-message-times-and-pairing: a keep-alive connection with three requests
(GET, HEAD, POST); each <tcpflow:http> and {"record":"http"} line carries the
packet time of the message's first byte, and each response names the method
and URL of the request it answers.
"""

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

from e2e_lib import Case, Run, cv, finalize_all, pg, scenario, truth
from options_lib import exact_set
from pcapgen import ACK, FIN, RST

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "dfxml-schema",
                                       "dfxml.xsd"))
NS = "{http://tcpflow.org/dfxml/2}"
SERVER = ("10.3.0.2", 80)


def _conv(i, **kw):
    kw.setdefault("close", "none")
    kw.setdefault("mss", 400)
    return cv.Conversation(client=("10.3.0.1", 41000 + i), server=SERVER, **kw)


def _seg(c, d, kind, flags, seq=None):
    """A payload-free packet of direction d (client 0, server 1)."""
    return cv.Seg(c, d, kind, c.isn[d] + 1 if seq is None else seq, c.isn[1 - d] + 1, flags)


def _only_syn(c):
    return [p for p in c.pkts if p.kind == "syn"]


def _only_synack(c):
    return [p for p in c.pkts if p.kind == "synack"]


def _build_states():
    """[(state, history, conversation)], the client as the originator."""
    out = []

    c = _conv(0)
    c.pkts = _only_syn(c) + [_only_syn(c)[0].copy("retrans")]
    out.append(("S0", "S", c))

    out.append(("S1", "ShA", _conv(1)))  # handshake, then nothing

    out.append(("SF", "ShAFf", _conv(2, close="fin")))  # handshake and close, no data

    out.append(("SF", "ShADadFf", _conv(3, client_data=b"hello", server_data=b"world!",
                                        close="fin")))

    c = _conv(4)
    c.pkts = _only_syn(c) + [_seg(c, 1, "rst", RST | ACK, seq=0)]
    out.append(("REJ", "Sr", c))

    c = _conv(5)
    c.pkts += [_seg(c, 0, "fin", FIN | ACK), _seg(c, 1, "ack", ACK)]
    out.append(("S2", "ShAFa", c))

    c = _conv(6)
    c.pkts += [_seg(c, 1, "fin", FIN | ACK), _seg(c, 0, "ack", ACK)]
    out.append(("S3", "ShAf", c))

    out.append(("RSTO", "ShADaR", _conv(7, client_data=b"abc", close="rst")))

    c = _conv(8, client_data=b"abc")
    c.pkts.append(_seg(c, 1, "rst", RST | ACK))
    out.append(("RSTR", "ShADar", c))

    c = _conv(9)
    c.pkts = _only_syn(c) + [_seg(c, 0, "rst", RST)]
    out.append(("RSTOS0", "SR", c))

    c = _conv(10)
    c.pkts = _only_synack(c) + [_seg(c, 1, "rst", RST)]
    out.append(("RSTRH", "^hr", c))

    c = _conv(11)
    c.pkts = _only_syn(c) + [_seg(c, 0, "fin", FIN | ACK)]
    out.append(("SH", "SF", c))

    c = _conv(12)
    c.pkts = _only_synack(c) + [_seg(c, 1, "fin", FIN | ACK)]
    out.append(("SHR", "^hf", c))

    out.append(("OTH", "Da", _conv(13, client_data=bytes(range(1, 250)) * 4, handshake=False)))
    return out


def _epoch(ns):
    """The epoch decimal tcpflow writes for a microsecond pcap timestamp."""
    return "%d.%06d" % (ns // 10**9, ns % 10**9 // 1000)


def _xmllint(report):
    if not shutil.which("xmllint") or not os.path.exists(SCHEMA):
        return []
    r = subprocess.run(["xmllint", "--noout", "--schema", SCHEMA, report],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        return ["report.xml does not validate: %s" % r.stderr.decode(errors="replace")[:300]]
    return []


def _jsonl(outdir, name="flows.jsonl"):
    with open(os.path.join(outdir, name), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _check_connection(tag, got, want):
    probs = []
    for key, value in want.items():
        if str(got.get(key)) != str(value):
            probs.append("%s: %s=%r, expected %r" % (tag, key, got.get(key), value))
    return probs


@scenario("conn-states-all")
def _(ctx):
    built = _build_states()
    packets = finalize_all([c for _, _, c in built])
    path = ctx.write("states.pcap", pg.pcap_bytes(cv.records(packets), pg.LINKTYPE_ETHERNET))
    files, mtimes = truth(packets)
    os.makedirs(os.path.join(ctx.rundir, "out"))

    wants = {}
    for state, history, c in built:
        mine = [p for p in packets if p.conv is c]
        orig = [p for p in mine if p.dir == 0]
        resp = [p for p in mine if p.dir == 1]
        wants[c.ends[0][1]] = dict(
            state=state, history=history, orig_ip=c.ends[0][0], orig_port=c.ends[0][1],
            resp_ip=SERVER[0], resp_port=SERVER[1], orig_packets=len(orig),
            resp_packets=len(resp), orig_bytes=sum(len(p.payload) for p in orig),
            resp_bytes=sum(len(p.payload) for p in resp),
            start_epoch=_epoch(min(p.ts_ns for p in mine)),
            end_epoch=_epoch(max(p.ts_ns for p in mine)),
            flow_files=sum(1 for d in (0, 1) if c.name(d) in files))

    def check(outdir):
        probs = exact_set(outdir, set(files) | {"flows.jsonl"})
        report = os.path.join(outdir, "report.xml")
        probs += _xmllint(report)
        lines = _jsonl(outdir)
        conns = [d for d in lines if d.get("record") == "connection"]
        flows = [d for d in lines if "record" not in d]
        by_port = {}
        for d in conns:
            if d.get("orig_port") in by_port:
                probs.append("two connection records for port %s" % d.get("orig_port"))
            by_port[d.get("orig_port")] = d
        if sorted(by_port) != sorted(wants):
            probs.append("connection records for ports %s, expected %s" % (
                sorted(by_port), sorted(wants)))
        for port, want in sorted(wants.items()):
            got = by_port.get(port)
            if got is None:
                continue
            want_json = dict(want)
            want_json["start_epoch"] = float(want["start_epoch"])
            want_json["end_epoch"] = float(want["end_epoch"])
            probs += _check_connection("jsonl %s %d" % (want["state"], port), got,
                                       {k: v for k, v in want_json.items()})
            mine = [f for f in flows if f.get("connection_id") == got.get("connection_id")]
            if len(mine) != want["flow_files"]:
                probs.append("%d: %d flow records with connection_id %s, expected %d" % (
                    port, len(mine), got.get("connection_id"), want["flow_files"]))
            for f in mine:
                if port not in (f.get("src_port"), f.get("dst_port")):
                    probs.append("%d: flow record %s has another connection's id" % (
                        port, f.get("filename")))
        root = ET.parse(report).getroot()
        elements = {}
        for el in root.findall(NS + "connection"):
            elements[int(el.get("orig_port"))] = el.attrib
        for port, want in sorted(wants.items()):
            got = elements.get(port)
            if got is None:
                probs.append("report.xml: no <tcpflow:connection> for port %d" % port)
                continue
            xml_want = {k: v for k, v in want.items() if not k.endswith("_epoch")}
            probs += _check_connection("report.xml %s %d" % (want["state"], port), got, xml_want)
            if got.get("connection_id") != str(by_port.get(port, {}).get("connection_id")):
                probs.append("report.xml %d: connection_id differs from flows.jsonl" % port)
        summary = root.find(NS + "summary")
        if summary is None or summary.get("connection_records") != str(len(wants)):
            probs.append("summary connection_records=%r, expected %d" % (
                None if summary is None else summary.get("connection_records"), len(wants)))
        return probs

    case = Case([Run(["-r", path, "-o", "out", "-S", "jsonl=out/flows.jsonl"])], None, {})
    case.some_files = files
    case.check = check
    return case


# -- HTTP --------------------------------------------------------------------------------
REQUESTS = [
    (b"GET", b"/first?a=1", b""),
    (b"HEAD", b"/second", b""),
    (b"POST", b"/third", b"name=value"),
]


def _http_streams():
    client, server = bytearray(), bytearray()
    client_offsets, server_offsets = [], []
    for i, (method, url, body) in enumerate(REQUESTS):
        client_offsets.append(len(client))
        # Padding fields put each message's first byte in a packet of its own
        # (mss 300), mostly in the middle of it.
        client += b"%s %s HTTP/1.1\r\nHost: h.test\r\nX-Pad: %s\r\n" % (method, url, b"p" * 300)
        if body:
            client += b"Content-Length: %d\r\n" % len(body)
        client += b"\r\n" + body
        server_offsets.append(len(server))
        payload = (b"response %d " % i) * 150
        server += b"HTTP/1.1 200 OK\r\nX-Pad: %s\r\nContent-Length: %d\r\n\r\n" % (
            b"q" * 300, len(payload))
        if method != b"HEAD":
            server += payload
    return bytes(client), bytes(server), client_offsets, server_offsets


@scenario("http-message-times-and-pairing")
def _(ctx):
    client, server, client_offsets, server_offsets = _http_streams()
    c = cv.Conversation(client=("10.3.1.1", 42000), server=SERVER, client_data=client,
                        server_data=server, mss=300, close="fin", interleave=True)
    packets = finalize_all([c])
    path = ctx.write("http.pcap", pg.pcap_bytes(cv.records(packets), pg.LINKTYPE_ETHERNET))
    files, _ = truth(packets)
    os.makedirs(os.path.join(ctx.rundir, "out"))

    def first_byte_time(d, offset):
        for p in packets:
            if p.dir == d and p.is_data and p.off <= offset < p.off + len(p.payload):
                return p.ts_ns
        raise AssertionError("no packet holds offset %d" % offset)

    def iso(ns):
        import datetime
        t = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc)
        return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % (ns % 10**9 // 1000)

    want = {}  # (direction, offset) -> expected attributes
    for i, (method, url, _) in enumerate(REQUESTS):
        want[(0, client_offsets[i])] = dict(
            kind="request", method=method.decode(), url=url.decode(),
            time=iso(first_byte_time(0, client_offsets[i])))
        want[(1, server_offsets[i])] = dict(
            kind="response", status="200", request_method=method.decode(),
            request_url=url.decode(), time=iso(first_byte_time(1, server_offsets[i])))
    if len({w["time"] for w in want.values()}) < len(want):
        raise AssertionError("the scenario needs messages in different packets")

    def check(outdir):
        probs = []
        names = {c.name(0): 0, c.name(1): 1}
        root = ET.parse(os.path.join(outdir, "report.xml")).getroot()
        seen = set()
        for fo in root.iter("{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}"
                            "fileobject"):
            name = fo.findtext("{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_"
                               "XML}filename")
            for el in fo.findall(NS + "http"):
                key = (names.get(name), int(el.get("offset")))
                seen.add(key)
                probs += _check_connection("report.xml %s" % (key,), el.attrib, want.get(key, {}))
        if seen != set(want):
            probs.append("report.xml http messages at %s, expected %s" % (
                sorted(seen), sorted(want)))
        records = [d for d in _jsonl(outdir) if d.get("record") == "http"]
        got = {(names.get(d.get("filename")), d.get("offset")): d for d in records}
        if set(got) != set(want) or len(records) != len(want):
            probs.append("jsonl http records at %s, expected %s" % (sorted(got), sorted(want)))
        for key, attrs in want.items():
            if key in got:
                json_want = dict(attrs)
                if "status" in json_want:
                    json_want["status"] = int(json_want["status"])
                probs += _check_connection("jsonl %s" % (key,), got[key], json_want)
        return probs

    case = Case([Run(["-r", path, "-o", "out", "-e", "http", "-S", "jsonl=out/flows.jsonl"])],
                None, {})
    case.some_files = files
    case.check = check
    return case
