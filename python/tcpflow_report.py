#!/usr/bin/env python3
"""Read tcpflow's report.xml (DFXML 2.0 plus the tcpflow namespace) and
flows.jsonl, using only the standard library.

    import tcpflow_report
    report = tcpflow_report.load("out/report.xml")      # or "flows.jsonl"
    for flow in report.flows:
        print(flow.connection_id, flow.src_ip, flow.gaps)
    both_directions = report.connection(1)
    report.summary.counters["gaps"]

For reports too large to hold, iter_flows(path) yields one Flow at a time.

Every connection, with data or not, has a Connection record (Zeek-style
state and history, packets and bytes each way) in report.connection_records;
with -e http, report.http_messages lists each HTTP message (its time, and
for a response the method and URL of the request it answers).

report.xml leaves out the <tcpflow:flow> attributes that hold their default
(src/report/FORMAT.md, "Left out when default"), and a flow read from the
run's only input lists no <tcpflow:input>; a Flow has the values either way.

tcpflow 1.6.1's report.xml (<tcpflow src_ipn=...> elements, no namespace) is
read too (report.format == "tcpflow-1.6.1"): its flows have what 1.6.1
recorded (addresses, ports, times, packets, MD5) and connection_id 0. Any
other file raises NotAReport.

A report from a run that was killed is unterminated XML; it is read up to
its last complete <fileobject> and Report.truncated is set. Names (file
names, paths) are stored as the report writes them: valid UTF-8 in which a
backslash is doubled and every other byte that is not UTF-8 text is written
as \\xNN. unescape() gives the original bytes back; Flow.filename_fs() gives a
str usable with open().

Command line: python3 tcpflow_report.py [--summary] [--gaps] [--json]
[--connection ID] [--connections] FILE prints one line per flow (or per
connection with --connections); a file that is not a report gives one line
on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import re
import signal
import sys
from dataclasses import asdict, dataclass, field
from typing import Dict, Iterator, List, Optional, Tuple
import xml.etree.ElementTree as ET

DFXML_NS = "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML"
TCPFLOW_NS = "http://tcpflow.org/dfxml/2"
DC_NS = "http://purl.org/dc/elements/1.1/"
_D = "{%s}" % DFXML_NS
_T = "{%s}" % TCPFLOW_NS

_ESCAPE = re.compile(r"\\(\\|x[0-9a-fA-F]{2})")
_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z$")
_CHUNK = 1 << 16

Range = Tuple[int, int]


class NotAReport(ValueError):
    """The file is neither a tcpflow report.xml (ours or 1.6.1's) nor a flows.jsonl."""


def unescape(text: str) -> bytes:
    """The original bytes of a name written by the report writers."""
    out = bytearray()
    pos = 0
    for match in _ESCAPE.finditer(text):
        out += text[pos:match.start()].encode("utf-8")
        token = match.group(1)
        out += b"\\" if token == "\\" else bytes([int(token[1:], 16)])
        pos = match.end()
    out += text[pos:].encode("utf-8")
    return bytes(out)


def iso_to_epoch(text: str) -> float:
    """Seconds since the epoch for the writers' ISO 8601 UTC times."""
    match = _ISO.match(text or "")
    if not match:
        raise ValueError("not an ISO 8601 UTC time: %r" % text)
    parts = [int(g) for g in match.groups()[:6]]
    # Parsed as one decimal literal, so it equals the JSONL epoch exactly.
    return float("%d.%s" % (calendar.timegm(tuple(parts)), match.group(7) or "0"))


@dataclass
class Flow:
    """One flow direction: one output file, one <fileobject>, one JSON line."""
    filename: str = ""          # escaped form, see unescape()
    filesize: int = 0
    flow_id: int = 0
    connection_id: int = 0
    connection_count: int = 0
    direction: str = "unknown"  # client, server or unknown
    family: str = ""
    src_ip: str = ""
    src_port: int = 0
    dst_ip: str = ""
    dst_port: int = 0
    vlan: Optional[int] = None
    src_mac: Optional[str] = None
    dst_mac: Optional[str] = None
    tunnels: Optional[str] = None  # encapsulation chain, e.g. "vxlan:vni=100 outer=a>b"
    start_time: str = ""
    end_time: str = ""
    start_epoch: float = 0.0
    end_epoch: float = 0.0
    packets: int = 0
    first_packet: int = 0
    last_packet: int = 0
    segments: int = 0
    bytes: int = 0
    input_files: List[str] = field(default_factory=list)
    close_reason: str = ""
    gaps: List[Range] = field(default_factory=list)
    gap_bytes: int = 0
    conflicts: List[Range] = field(default_factory=list)
    conflict_count: int = 0
    conflict_bytes: int = 0
    duplicate_bytes: int = 0
    bad_checksum_segments: int = 0
    bad_ip_checksum_segments: int = 0
    bad_checksum_replaced: int = 0
    before_start_segments: int = 0
    capped_bytes: int = 0
    spilled_blocks: int = 0
    write_error: Optional[str] = None
    hashes: Dict[str, str] = field(default_factory=dict)  # e.g. {"md5": hex}
    extra: Dict[str, str] = field(default_factory=dict)   # JSONL extra string members
    elements: List[ET.Element] = field(default_factory=list, repr=False)  # XML extensions

    def filename_bytes(self) -> bytes:
        return unescape(self.filename)

    def filename_fs(self) -> str:
        return os.fsdecode(self.filename_bytes())

    def endpoint(self, which: str) -> str:
        ip, port = (self.src_ip, self.src_port) if which == "src" else (self.dst_ip, self.dst_port)
        return "[%s]:%d" % (ip, port) if ":" in ip else "%s:%d" % (ip, port)


@dataclass
class Connection:
    """One TCP connection, with or without data: one <tcpflow:connection>, one
    {"record":"connection"} line. orig_ is the side that opened it."""
    connection_id: int = 0
    family: str = ""
    orig_ip: str = ""
    orig_port: int = 0
    resp_ip: str = ""
    resp_port: int = 0
    vlan: Optional[int] = None
    start_time: str = ""
    end_time: str = ""
    start_epoch: float = 0.0
    end_epoch: float = 0.0
    duration: float = 0.0
    state: str = ""      # Zeek conn_state: S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH
    history: str = ""    # Zeek-style letters, upper case for the originator
    orig_packets: int = 0
    orig_bytes: int = 0
    resp_packets: int = 0
    resp_bytes: int = 0
    flow_files: int = 0
    close_reason: str = ""


_CONNECTION_INTS = ("connection_id", "orig_port", "resp_port", "orig_packets", "orig_bytes",
                    "resp_packets", "resp_bytes", "flow_files")
_CONNECTION_STRINGS = ("family", "orig_ip", "resp_ip", "start_time", "end_time", "state",
                       "history", "close_reason")


@dataclass
class Summary:
    # What happened to the run (FORMAT.md): complete, truncated, interrupted,
    # inputs_failed, output_failed; "incomplete" if the writer never finished.
    status: str = ""
    attributes: Dict[str, str] = field(default_factory=dict)
    counters: Dict[str, int] = field(default_factory=dict)
    descriptions: Dict[str, str] = field(default_factory=dict)
    values: Dict[str, str] = field(default_factory=dict)
    late_sources: List[Dict[str, str]] = field(default_factory=list)

    def number(self, name: str) -> int:
        return int(self.attributes.get(name, 0))


@dataclass
class Report:
    flows: List[Flow] = field(default_factory=list)
    creator: Dict[str, str] = field(default_factory=dict)
    libraries: Dict[str, List[Dict[str, str]]] = field(default_factory=dict)
    configuration: Dict[str, str] = field(default_factory=dict)
    sources: List[Dict[str, str]] = field(default_factory=list)
    rusage: Dict[str, str] = field(default_factory=dict)
    summary: Optional[Summary] = None
    truncated: bool = False  # the file ended early (killed run, partial copy)
    format: str = ""         # "tcpflow" (report.xml), "jsonl" or "tcpflow-1.6.1"
    connection_records: List[Connection] = field(default_factory=list)
    http_messages: List[Dict[str, object]] = field(default_factory=list)

    def connection_record(self, connection_id: int) -> Optional[Connection]:
        for c in self.connection_records:
            if c.connection_id == connection_id:
                return c
        return None

    @property
    def complete(self) -> bool:
        """The report is whole: the run reached its end and wrote its summary
        (whatever summary.status says about the inputs)."""
        return (not self.truncated and self.summary is not None
                and self.summary.status != "incomplete")

    def connection(self, connection_id: int) -> List[Flow]:
        """Both directions (and any later files) of one connection."""
        return [f for f in self.flows if f.connection_id == connection_id]

    def connections(self) -> Dict[int, List[Flow]]:
        grouped: Dict[int, List[Flow]] = {}
        for f in self.flows:
            grouped.setdefault(f.connection_id, []).append(f)
        return grouped

    def gaps(self) -> Iterator[Tuple[Flow, int, int]]:
        for f in self.flows:
            for offset, length in f.gaps:
                yield f, offset, length

    def conflicts(self) -> Iterator[Tuple[Flow, int, int]]:
        for f in self.flows:
            for offset, length in f.conflicts:
                yield f, offset, length

    def nonzero_counters(self) -> Dict[str, int]:
        counters = self.summary.counters if self.summary else {}
        return {k: v for k, v in counters.items() if v}


# ---------------------------------------------------------------- report.xml

_FLOW_INTS = ("src_port", "dst_port", "connection_id", "connection_count",
              "packets", "first_packet", "last_packet", "segments", "gap_bytes",
              "duplicate_bytes", "conflict_count", "conflict_bytes", "bad_checksum_segments",
              "bad_ip_checksum_segments", "bad_checksum_replaced", "before_start_segments",
              "capped_bytes",
              "spilled_blocks")
_FLOW_STRINGS = ("src_ip", "dst_ip", "src_mac", "dst_mac", "tunnels", "direction",
                 "start_time")
# report.xml leaves out the <tcpflow:flow> attributes that hold their default
# (FORMAT.md, "Left out when default"): the integers above default to 0,
# these to a constant, and flow_id, end_time and bytes to the fileobject's
# <id>, <mtime> and <filesize>.
_FLOW_DEFAULTS = {"family": "ipv4", "close_reason": "fin"}


def _ranges(parent: ET.Element, tag: str) -> List[Range]:
    return [(int(e.get("offset")), int(e.get("length"))) for e in parent.iter(_T + tag)]


def _flow_from_xml(fileobject: ET.Element, sources: List[Dict[str, str]]) -> Flow:
    """`sources`: the report's <source> list, which a flow without
    <tcpflow:input> came from when it names a single input."""
    flow = Flow(filename=fileobject.findtext(_D + "filename", ""),
                filesize=int(fileobject.findtext(_D + "filesize", "0")))
    error = fileobject.find(_D + "error")
    if error is not None:
        flow.write_error = error.text or ""
    for digest in fileobject.iter(_D + "hashdigest"):
        flow.hashes[(digest.get("type") or "other").lower()] = digest.text or ""
    info = fileobject.find(_T + "flow")
    if info is not None:
        for name in _FLOW_INTS:
            setattr(flow, name, int(info.get(name, "0")))
        for name in _FLOW_STRINGS:
            if info.get(name) is not None:
                setattr(flow, name, info.get(name))
        for name, default in _FLOW_DEFAULTS.items():
            setattr(flow, name, info.get(name, default))
        flow.flow_id = int(info.get("flow_id", fileobject.findtext(_D + "id", "0")))
        flow.end_time = info.get("end_time", fileobject.findtext(_D + "mtime", ""))
        flow.bytes = int(info.get("bytes", flow.filesize))
        if info.get("vlan") is not None:
            flow.vlan = int(info.get("vlan"))
        flow.input_files = [e.text or "" for e in info.iter(_T + "input")]
        if not flow.input_files and len(sources) == 1:
            flow.input_files = [sources[0]["path"]]
        flow.gaps = _ranges(info, "gap")
        flow.conflicts = _ranges(info, "conflict")
        flow.start_epoch = iso_to_epoch(flow.start_time)
        flow.end_epoch = iso_to_epoch(flow.end_time)
    flow.elements = [e for e in fileobject
                     if e.tag.startswith("{") and not e.tag.startswith(_D) and e is not info]
    return flow


def _connection_from_attributes(attributes: Dict[str, object]) -> Connection:
    conn = Connection()
    for name in _CONNECTION_INTS:
        setattr(conn, name, int(attributes.get(name, 0)))
    for name in _CONNECTION_STRINGS:
        if attributes.get(name) is not None:
            setattr(conn, name, str(attributes.get(name)))
    if attributes.get("vlan") is not None:
        conn.vlan = int(attributes["vlan"])
    conn.duration = float(attributes.get("duration", 0) or 0)
    if conn.start_time:
        conn.start_epoch = iso_to_epoch(conn.start_time)
    if conn.end_time:
        conn.end_epoch = iso_to_epoch(conn.end_time)
    return conn


def _http_from_xml(flow: Flow) -> List[Dict[str, object]]:
    out = []
    for e in flow.elements:
        if e.tag != _T + "http":
            continue
        message: Dict[str, object] = {"connection_id": flow.connection_id,
                                      "flow_id": flow.flow_id, "filename": flow.filename}
        for name, value in e.attrib.items():
            message[name] = int(value) if name in _HTTP_INTS and value.isdigit() else value
        out.append(message)
    return out


_HTTP_INTS = ("offset", "status", "url_length", "body_offset", "body_length", "body_size")
_FAMILY_161 = {"2": "ipv4", "10": "ipv6"}


def _flow_from_161(fileobject: ET.Element, info: ET.Element) -> Flow:
    """A 1.6.1 <fileobject>: <filename> (as 1.6.1 wrote it, -o included),
    <filesize>, <tcpflow startime= src_ipn= srcport= len= .../>, <hashdigest>."""
    flow = Flow(filename=fileobject.findtext("filename", ""),
                filesize=int(fileobject.findtext("filesize", "0") or 0))
    flow.family = _FAMILY_161.get(info.get("family", ""), info.get("family", ""))
    flow.src_ip = info.get("src_ipn", "")
    flow.dst_ip = info.get("dst_ipn", "")
    flow.src_port = int(info.get("srcport", "0"))
    flow.dst_port = int(info.get("dstport", "0"))
    flow.src_mac = info.get("mac_saddr")
    flow.dst_mac = info.get("mac_daddr")
    flow.packets = int(info.get("packets", "0"))
    flow.start_time = info.get("startime", "")
    flow.end_time = info.get("endtime", "")
    if flow.start_time:
        flow.start_epoch = iso_to_epoch(flow.start_time)
    if flow.end_time:
        flow.end_epoch = iso_to_epoch(flow.end_time)
    for digest in fileobject.findall("hashdigest"):
        flow.hashes[(digest.get("type") or "other").lower()] = digest.text or ""
    flow.extra = {k: v for k, v in info.attrib.items()
                  if k not in ("family", "src_ipn", "dst_ipn", "srcport", "dstport", "mac_saddr",
                               "mac_daddr", "packets", "startime", "endtime")}
    return flow


def _library(e: ET.Element) -> Dict[str, str]:
    return {"name": e.get("name", ""), "version": e.get("version", "")}


def _read_creator(creator: ET.Element, report: Report) -> None:
    for e in creator.iter():
        if e.tag.startswith(_D) and e.text and e.text.strip() and len(e) == 0:
            report.creator[e.tag[len(_D):]] = e.text
    build = creator.find(_D + "build_environment")
    if build is not None and build.get(_T + "flags"):
        report.creator["build_flags"] = build.get(_T + "flags")
    report.libraries = {
        "build": [_library(e) for e in build.findall(_D + "library")] if build is not None else [],
        "runtime": [_library(e) for e in creator.findall(_D + "library")],
    }


def _source(e: ET.Element) -> Dict[str, str]:
    return {"path": e.text or "", "size": e.get(_T + "size", ""), "sha256": e.get(_T + "sha256", "")}


def _read_summary(e: ET.Element) -> Summary:
    summary = Summary(status=e.get("status", ""), attributes=dict(e.attrib))
    for counter in e.iter(_T + "counter"):
        summary.counters[counter.get("name")] = int(counter.get("value", "0"))
        summary.descriptions[counter.get("name")] = counter.get("description", "")
    for value in e.iter(_T + "value"):
        summary.values[value.get("name")] = value.get("value", "")
    summary.late_sources = [_source(s) for s in e.iter(_T + "late_source")]
    return summary


def _read_top_level(e: ET.Element, report: Report) -> None:
    if e.tag == _D + "metadata":
        for setting in e.iter(_T + "setting"):
            report.configuration[setting.get("name")] = setting.get("value", "")
    elif e.tag == _D + "creator":
        _read_creator(e, report)
    elif e.tag == _D + "source":
        report.sources = [_source(s) for s in e.iter(_D + "image_filename")]
    elif e.tag == _D + "rusage":
        report.rusage = {c.tag[len(_D):]: c.text or "" for c in e}
    elif e.tag == _T + "connection":
        report.connection_records.append(_connection_from_attributes(dict(e.attrib)))
    elif e.tag == _T + "summary":
        report.summary = _read_summary(e)


def _read_top_level_161(e: ET.Element, report: Report) -> None:
    """1.6.1 keeps its totals in leaf elements of <dfxml> (total_flows, ...)."""
    if e.tag == "rusage":
        report.rusage = {c.tag: c.text or "" for c in e}
    elif e.tag == "creator":
        for c in e.iter():
            if c.text and c.text.strip() and len(c) == 0:
                report.creator[c.tag] = c.text
    elif len(e) == 0 and e.text and e.text.strip():
        if report.summary is None:
            report.summary = Summary()
        report.summary.attributes[e.tag] = e.text.strip()


def _check_root(root: ET.Element, path: str, report: Report) -> None:
    if root.tag == _D + "dfxml":
        report.format = "tcpflow"
    elif root.tag == "dfxml":
        report.format = "tcpflow-1.6.1"
    else:
        raise NotAReport("%s: not a tcpflow report (root element <%s>)" % (path, root.tag))


def _handle_end(elem: ET.Element, stack: List[ET.Element], report: Report) -> Optional[Flow]:
    """The flow an element that just ended completes, if any; drops what was read."""
    parent = stack[-1] if stack else None
    flow = None
    if report.format == "tcpflow":
        if parent is not None and len(stack) == 1:
            if elem.tag == _D + "fileobject":
                flow = _flow_from_xml(elem, report.sources)
                report.http_messages.extend(_http_from_xml(flow))
            else:
                _read_top_level(elem, report)
            parent.remove(elem)  # keep memory flat on large reports
        return flow
    info = elem.find("tcpflow") if elem.tag == "fileobject" else None
    if info is not None:
        flow = _flow_from_161(elem, info)
        parent.remove(elem)
    elif parent is not None and len(stack) == 1 and elem.tag != "configuration":
        _read_top_level_161(elem, report)
        parent.remove(elem)
    return flow


def _iter_xml(path: str, report: Report) -> Iterator[Flow]:
    """Yields flows while filling `report`'s other fields; tolerates truncation."""
    parser = ET.XMLPullParser(events=("start", "end"))
    stack: List[ET.Element] = []
    with open(path, "rb") as stream:
        while True:
            chunk = stream.read(_CHUNK)
            try:
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()
                for event, elem in parser.read_events():
                    if event == "start":
                        if not stack and not report.format:
                            _check_root(elem, path, report)
                        stack.append(elem)
                        continue
                    stack.pop()
                    flow = _handle_end(elem, stack, report)
                    if flow is not None:
                        yield flow
            except ET.ParseError as e:
                if not report.format:
                    raise NotAReport("%s: not a tcpflow report (%s)" % (path, e)) from None
                report.truncated = True
                return
            if not chunk:
                return


# -------------------------------------------------------------- flows.jsonl

_HASH_NAMES = ("md5", "sha1", "sha256", "sha512")


def _flow_from_json(obj: dict) -> Flow:
    flow = Flow()
    known = set(Flow.__dataclass_fields__) - {"hashes", "extra", "elements"}
    for key, value in obj.items():
        if key in ("gaps", "conflicts"):
            setattr(flow, key, [tuple(pair) for pair in value])
        elif key in known:
            setattr(flow, key, float(value) if key.endswith("_epoch") else value)
        elif key not in ("gap_count",):
            flow.extra[key] = value
            if key in _HASH_NAMES:
                flow.hashes[key] = value
    return flow


def _iter_jsonl(path: str, report: Report) -> Iterator[Flow]:
    with open(path, "rb") as stream:
        for raw in stream:
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
            except ValueError:
                if not report.format:
                    raise NotAReport("%s: not a tcpflow report (neither XML nor JSON lines)"
                                     % path) from None
                # Only a killed run's last, partly written line can be broken.
                report.truncated = True
                return
            if not report.format:
                if not isinstance(obj, dict) or not ("filename" in obj or "record" in obj):
                    raise NotAReport("%s: not a tcpflow report (a JSON line that is not a "
                                     "tcpflow record)" % path)
                report.format = "jsonl"
            kind = obj.get("record") if isinstance(obj, dict) else None
            if kind is None:
                yield _flow_from_json(obj)
            elif kind == "connection":
                report.connection_records.append(_connection_from_attributes(obj))
            elif kind == "http":
                report.http_messages.append({k: v for k, v in obj.items() if k != "record"})
            # Other record kinds (added later) are skipped.


# --------------------------------------------------------------------- API

def _is_xml(path: str) -> bool:
    with open(path, "rb") as stream:
        head = stream.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def iter_flows(path: str, report: Optional[Report] = None) -> Iterator[Flow]:
    """Yields each flow of a report.xml or flows.jsonl file, one at a time."""
    report = report if report is not None else Report()
    return _iter_xml(path, report) if _is_xml(path) else _iter_jsonl(path, report)


def load(path: str) -> Report:
    """Raises NotAReport for a file that is no report, OSError if unreadable."""
    report = Report()
    report.flows = list(iter_flows(path, report))
    if not report.format:
        raise NotAReport("%s: not a tcpflow report (empty)" % path)
    return report


# --------------------------------------------------------------------- CLI

def _flow_line(f: Flow) -> str:
    return ("conn %d flow %d %s %s -> %s packets=%d bytes=%d close=%s gaps=%d/%d "
            "conflicts=%d %s" % (f.connection_id, f.flow_id, f.direction, f.endpoint("src"),
                                 f.endpoint("dst"), f.packets, f.bytes, f.close_reason,
                                 len(f.gaps), f.gap_bytes, f.conflict_count,
                                 f.filename or "-"))


def _connection_line(c: Connection) -> str:
    def end(ip: str, port: int) -> str:
        return "[%s]:%d" % (ip, port) if ":" in ip else "%s:%d" % (ip, port)
    return ("conn %d %s %s %s -> %s duration=%.6f orig=%d/%d resp=%d/%d close=%s" % (
        c.connection_id, c.state, c.history or "-", end(c.orig_ip, c.orig_port),
        end(c.resp_ip, c.resp_port), c.duration, c.orig_packets, c.orig_bytes,
        c.resp_packets, c.resp_bytes, c.close_reason))


def _json_line(f: Flow) -> str:
    data = asdict(f)
    data.pop("elements")
    return json.dumps(data, ensure_ascii=False)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="List the flows in a tcpflow report.")
    parser.add_argument("report", help="report.xml or flows.jsonl")
    parser.add_argument("--connection", type=int, help="only this connection id")
    parser.add_argument("--gaps", action="store_true", help="also list gaps and conflicts")
    parser.add_argument("--json", action="store_true", help="one JSON object per flow")
    parser.add_argument("--summary", action="store_true", help="print non-zero counters")
    parser.add_argument("--connections", action="store_true",
                        help="one line per connection (state, history, packets/bytes each way)"
                             " instead of one per flow")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    try:
        return _list(args)
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, as a C tool would.
        _silence_stdout()
        return 0
    except (NotAReport, OSError) as e:
        print("tcpflow_report: %s" % (e if isinstance(e, NotAReport) else
                                      "%s: %s" % (args.report, e.strerror or e)),
              file=sys.stderr)
        return 1


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _list(args: argparse.Namespace) -> int:
    report = Report()
    for f in iter_flows(args.report, report):
        if args.connection is not None and f.connection_id != args.connection:
            continue
        if args.connections:
            continue
        print(_json_line(f) if args.json else _flow_line(f))
        if args.gaps and not args.json:
            for offset, length in f.gaps:
                print("    gap offset=%d length=%d" % (offset, length))
            for offset, length in f.conflicts:
                print("    conflict offset=%d length=%d" % (offset, length))
    if not report.format:
        raise NotAReport("%s: not a tcpflow report (empty)" % args.report)
    if args.connections:
        for c in report.connection_records:
            if args.connection is None or c.connection_id == args.connection:
                print(json.dumps(asdict(c)) if args.json else _connection_line(c))
    if args.summary and report.summary is not None and report.format == "tcpflow-1.6.1":
        for name, value in report.summary.attributes.items():
            print("%s=%s" % (name, value))
    elif args.summary and report.summary is not None:
        print("status=%s packets_read=%d flows=%d" % (report.summary.status,
              report.summary.number("packets_read"), report.summary.number("flows")))
        for name, value in report.nonzero_counters().items():
            print("%s=%d" % (name, value))
    if report.truncated:
        print("warning: %s ends early (interrupted run?); flows up to that point are listed"
              % args.report, file=sys.stderr)
    return 0


if __name__ == "__main__":
    # Output piped into head: end quietly on SIGPIPE like other command-line tools.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
