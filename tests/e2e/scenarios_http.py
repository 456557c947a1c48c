"""The http scanner end to end (-e http): generated HTTP/1.x conversations
whose bodies are known by construction.

Each scenario builds the client stream (requests) and the server stream
(responses) message by message with ``Side``, which records where every
message and body starts and what its body file must contain. Checks:

* the exact set of files in out/: the flow files (from the TCP truth) plus
  FLOW-HTTPBODY-NNN[.ext] for every message with a non-empty body, each
  compared byte for byte;
* report.xml: one <tcpflow:http> per message, in order, with the expected
  kind, offset, body_offset, body file, body_size, body_md5 and flags; every
  offset is checked against the flow file (a start line begins there, and the
  head ends right before body_offset); one <tcpflow:http_stream> per HTTP
  flow with the expected end reason; no http element for other flows;
* the report validates against ../shared/dfxml-schema/dfxml.xsd (xmllint),
  when xmllint and the schema are present.
"""

import gzip
import hashlib
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zlib

from e2e_lib import Case, Run, cv, finalize_all, pg, scenario, stream, text_stream, truth

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "dfxml-schema",
                                       "dfxml.xsd"))
if not os.path.exists(SCHEMA):
    print("note: %s absent (no ../shared beside the source tree): the http "
          "scenarios do not validate report.xml against the DFXML schema" % SCHEMA)
NS = "{http://tcpflow.org/dfxml/2}"
CLIENT, SERVER = ("10.1.0.1", 50000), ("10.1.0.2", 80)


def gz(data):
    return gzip.compress(data, mtime=0)


def zlib_deflate(data):
    return zlib.compress(data, 9)


def raw_deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def chunk(data, size=700, trailers=b""):
    out = b""
    for i in range(0, len(data), size):
        part = data[i:i + size]
        out += b"%x\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\n" + trailers + b"\r\n"


class Side:
    """One direction's byte stream and the report/body files it must give."""

    def __init__(self):
        self.data = bytearray()
        self.msgs = []      # expected <tcpflow:http> attributes (subset)
        self.bodies = []    # (extension, bytes) in order: -HTTPBODY-001, 002, ...

    def add(self, head, wire=b"", body=None, ext="", framed=True, flags=(), **attrs):
        """head: the start line and fields (without the blank line); wire:
        the body as sent; body: the expected file content (default: wire);
        framed: the message has a body framing (body_offset reported)."""
        head = head + b"\r\n"
        msg = dict(offset=len(self.data), flags=",".join(flags), **attrs)
        if framed:
            msg["body_offset"] = len(self.data) + len(head)
        self.data += head + wire
        body = wire if body is None else body
        if body:
            self.bodies.append((ext, body))
            msg["body_index"] = len(self.bodies)
            msg["body_size"] = len(body)
            msg["body_md5"] = hashlib.md5(body).hexdigest()
        self.msgs.append(msg)
        return self

    def raw(self, data):
        self.data += data
        return self


def request(method, url, fields=(), host="www.example.test"):
    lines = [b"%s %s HTTP/1.1" % (method.encode(), url.encode()), b"Host: " + host.encode()]
    return b"\r\n".join(lines + [f.encode() if isinstance(f, str) else f for f in fields]) + b"\r\n"


def response(status, fields=(), version="1.1"):
    lines = [b"HTTP/%s %d Status" % (version.encode(), status)]
    return b"\r\n".join(lines + [f.encode() if isinstance(f, str) else f for f in fields]) + b"\r\n"


def _xmllint(report):
    if not shutil.which("xmllint") or not os.path.exists(SCHEMA):
        return []
    r = subprocess.run(["xmllint", "--noout", "--schema", SCHEMA, report],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        return ["report.xml does not validate: %s" % r.stderr.decode(errors="replace")[:300]]
    return []


def _check_report(outdir, sides, ends):
    """sides: {flow file name: Side}; ends: {flow file name: end reason}."""
    report = os.path.join(outdir, "report.xml")
    if not os.path.exists(report):
        return ["report.xml missing"]
    probs = _xmllint(report)
    root = ET.parse(report).getroot()
    seen = set()
    for fo in root.iter("{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}"
                        "fileobject"):
        name = None
        msgs, streams = [], []
        for el in fo:
            if el.tag.endswith("}filename"):
                name = el.text
            elif el.tag == NS + "http":
                msgs.append(el.attrib)
            elif el.tag == NS + "http_stream":
                streams.append(el.attrib)
        seen.add(name)
        side = sides.get(name)
        if side is None:
            if msgs or streams:
                probs.append("%s: http elements for a flow without HTTP" % name)
            continue
        with open(os.path.join(outdir, name), "rb") as f:
            flow = f.read()
        if len(msgs) != len(side.msgs):
            probs.append("%s: %d http messages reported, expected %d" % (
                name, len(msgs), len(side.msgs)))
        for i, (got, want) in enumerate(zip(msgs, side.msgs)):
            tag = "%s message %d" % (name, i + 1)
            for key in ("offset", "body_offset", "body_size", "body_md5", "status", "method",
                        "url", "kind", "request_method", "content_encoding", "host"):
                if key in want and got.get(key) != str(want[key]):
                    probs.append("%s: %s=%r, expected %r" % (tag, key, got.get(key), want[key]))
            if "body_offset" not in want and "body_offset" in got:
                probs.append("%s: body_offset reported for a message without a body" % tag)
            if got.get("flags", "") != want["flags"]:
                probs.append("%s: flags %r, expected %r" % (tag, got.get("flags", ""),
                                                            want["flags"]))
            if "body_index" in want:
                ext = side.bodies[want["body_index"] - 1][0]
                exp = "%s-HTTPBODY-%03d%s" % (name, want["body_index"], ext)
                if got.get("body") != exp:
                    probs.append("%s: body %r, expected %r" % (tag, got.get("body"), exp))
            elif "body" in got:
                probs.append("%s: body file %r reported, none expected" % (tag, got["body"]))
            off = int(got.get("offset", "-1"))
            start = b"HTTP/1." if got.get("kind") == "response" else (
                got.get("method", "?") + " ").encode()
            if flow[off:off + len(start)] != start:
                probs.append("%s: no start line at offset %d" % (tag, off))
            if "body_offset" in got:
                bo = int(got["body_offset"])
                if flow[bo - 2:bo] != b"\r\n" or flow[off:bo].count(b"\r\n\r\n") != 1:
                    probs.append("%s: body_offset %d is not right after the head" % (tag, bo))
        if len(streams) != 1:
            probs.append("%s: %d http_stream elements, expected 1" % (name, len(streams)))
        elif streams[0].get("end") != ends.get(name, "end"):
            probs.append("%s: http_stream end=%r, expected %r" % (
                name, streams[0].get("end"), ends.get(name, "end")))
    for name in sides:
        if name not in seen:
            probs.append("%s: no fileobject in the report" % name)
    return probs


def _case(ctx, triples, ends=None, args=(), run_kw=None):
    """triples: [(Conversation, client Side, server Side)]; ends: {(conv,
    direction): expected http_stream end}. Runs tcpflow -e http plus args."""
    packets = finalize_all([t[0] for t in triples])
    path = ctx.write("http.pcap", pg.pcap_bytes(cv.records(packets, pg.LINKTYPE_ETHERNET),
                                                pg.LINKTYPE_ETHERNET))
    files, mtimes = truth(packets)
    sides, end_names = {}, {}
    for c, cl, sv in triples:
        for d, side in ((0, cl), (1, sv)):
            name = c.name(d)
            if name not in files:
                continue
            sides[name] = side
            for i, (ext, body) in enumerate(side.bodies, 1):
                files["%s-HTTPBODY-%03d%s" % (name, i, ext)] = body
            if (c, d) in (ends or {}):
                end_names[name] = ends[(c, d)]
    case = Case([Run(["-r", path, "-o", "out", "-e", "http"] + list(args), **(run_kw or {}))],
                files, mtimes)
    case.check = lambda outdir: _check_report(outdir, sides, end_names) if outdir else []
    return case


def _conv(cl, sv, i=0):
    return cv.Conversation(client=("10.1.0.%d" % (i + 1), 50000 + i), server=SERVER,
                           client_data=bytes(cl.data), server_data=bytes(sv.data), mss=1200)


def http_case(ctx, cl, sv, args=(), ends=None, run_kw=None):
    """One connection: client Side -> server Side. ends: {direction: end}."""
    c = _conv(cl, sv)
    return _case(ctx, [(c, cl, sv)], {(c, d): e for d, e in (ends or {}).items()}, args, run_kw)


# -- scenarios -------------------------------------------------------------------------
@scenario("http-keepalive-pipelined")
def _(ctx):
    cl, sv = Side(), Side()
    pages = [(b"/index.html", b"text/html; charset=utf-8", ".html", text_stream(5000, "page")),
             (b"/style.css", b"text/css", ".css", text_stream(900, "css")),
             (b"/logo.png", b"image/png", ".png", stream(7000, 3)),
             (b"/data", b"application/x-unknown", "", stream(3000, 4))]
    for url, ctype, ext, body in pages:
        cl.add(request("GET", url.decode()), framed=False, kind="request", method="GET",
               url=url.decode(), host="www.example.test")
        sv.add(response(200, [b"Content-Type: " + ctype, b"Content-Length: %d" % len(body)]),
               body, ext=ext, kind="response", status=200, request_method="GET")
    return http_case(ctx, cl, sv)


@scenario("http-chunked-trailers")
def _(ctx):
    cl, sv = Side(), Side()
    up = stream(2500, 11)
    cl.add(request("PUT", "/upload", ["Transfer-Encoding: chunked", "Content-Type: image/gif"]),
           chunk(up, 999), body=up, ext=".gif", method="PUT")
    cl.add(request("GET", "/next"), framed=False)
    a, b = text_stream(4000, "chunked"), b"second body"
    sv.add(response(201, ["Transfer-Encoding: chunked", "Content-Type: application/json"]),
           chunk(a, 333, trailers=b"X-Checksum: 1\r\nExpires: 0\r\n"), body=a, ext=".json")
    sv.add(response(200, ["Transfer-Encoding: chunked"]), chunk(b, 5), body=b)
    return http_case(ctx, cl, sv)


def _codings(ctx, args, decode):
    cl, sv = Side(), Side()
    text = text_stream(30000, "coded")
    for enc, fn in (("gzip", gz), ("x-gzip", gz), ("deflate", zlib_deflate),
                    ("deflate", raw_deflate)):
        wire = fn(text)
        cl.add(request("GET", "/" + enc), framed=False)
        sv.add(response(200, ["Content-Type: text/plain", "Content-Encoding: " + enc,
                              "Content-Length: %d" % len(wire)]),
               wire, body=text if decode else wire, ext=".txt", content_encoding=enc)
    wire = gz(text)
    cl.add(request("GET", "/chunked-gzip"), framed=False)
    sv.add(response(200, ["Content-Type: text/html", "Content-Encoding: gzip",
                          "Transfer-Encoding: chunked"]),
           chunk(wire, 1000), body=text if decode else wire, ext=".html")
    # A transfer coding other than chunked codes the body too.
    cl.add(request("GET", "/te-gzip"), framed=False)
    sv.add(response(200, ["Content-Type: text/plain", "Transfer-Encoding: gzip, chunked",
                          "Content-Length: 5"]),
           chunk(wire, 777), body=text if decode else wire, ext=".txt")
    # Bytes after the gzip member (one that even looks like a gzip header).
    junk = b"\x1f\x8b\x08garbage\r\n"
    cl.add(request("GET", "/gzip-trailing"), framed=False)
    sv.add(response(200, ["Content-Type: text/plain", "Content-Encoding: gzip",
                          "Content-Length: %d" % (len(wire) + len(junk))]),
           wire + junk, body=text if decode else wire + junk, ext=".txt")
    return http_case(ctx, cl, sv, args)


@scenario("http-gzip-deflate-decoded")
def _(ctx):
    return _codings(ctx, [], True)


@scenario("http-gzip-deflate-kept-with-Z")
def _(ctx):
    return _codings(ctx, ["-Z"], False)


@scenario("http-post-put-bodies")
def _(ctx):
    cl, sv = Side(), Side()
    form = b"name=value&other=" + b"x" * 3000
    js = b'{"key": [1, 2, 3]}'
    cl.add(request("POST", "/form", ["Content-Type: application/x-www-form-urlencoded",
                                     "Content-Length: %d" % len(form)]), form, method="POST")
    cl.add(request("PUT", "/doc.json", ["Content-Type: application/json",
                                        "Content-Length: %d" % len(js)]), js, ext=".json")
    cl.add(request("POST", "/empty", ["Content-Length: 0"]), framed=False)
    for _ in range(3):
        sv.add(response(204, []), framed=False, status=204)
    return http_case(ctx, cl, sv)


@scenario("http-head-304-204-1xx")
def _(ctx):
    cl, sv = Side(), Side()
    body = text_stream(1500, "after")
    for m in ("HEAD", "GET", "GET", "POST", "GET"):
        cl.add(request(m, "/x", ["Content-Length: 4"] if m == "POST" else []),
               b"data" if m == "POST" else b"", framed=m == "POST")
    sv.add(response(200, ["Content-Length: 123456", "Content-Type: text/html"]), framed=False,
           request_method="HEAD")
    sv.add(response(304, ["Content-Length: 99"]), framed=False, status=304)
    sv.add(response(204, ["Content-Length: 99"]), framed=False, status=204)
    sv.add(response(100, []), framed=False, status=100)
    sv.add(response(200, ["Content-Length: 2"]), b"ok", request_method="POST")
    sv.add(response(200, ["Content-Length: %d" % len(body), "Content-Type: text/plain"]), body,
           ext=".txt", request_method="GET")
    return http_case(ctx, cl, sv)


@scenario("http-gzip-bomb-capped")
def _(ctx):
    cl, sv = Side(), Side()
    cap = 1_000_000
    wire = gz(bytes(40 << 20))
    cl.add(request("GET", "/bomb"), framed=False)
    sv.add(response(200, ["Content-Encoding: gzip", "Content-Length: %d" % len(wire),
                          "Content-Type: text/html"]),
           wire, body=bytes(cap), ext=".html", flags=["body_capped"])
    raw = text_stream(cap + 200_000, "raw")     # not encoded: the same cap applies
    cl.add(request("GET", "/raw"), framed=False)
    sv.add(response(200, ["Content-Length: %d" % len(raw)]), raw, body=raw[:cap],
           flags=["body_capped"])
    return _with_counters(http_case(ctx, cl, sv, ["-S", "http_max_body=%d" % cap]),
                          {"http_bodies_capped": 2, "http_body_files": 2, "http_messages": 4})


def _with_counters(case, want):
    """Adds a check of <tcpflow:summary> counters ({name: value})."""
    base = case.check

    def check(outdir):
        probs = base(outdir)
        report = os.path.join(outdir, "report.xml")
        if os.path.exists(report):
            got = {c.get("name"): c.get("value") for c in ET.parse(report).getroot().iter(
                NS + "counter")}
            for name, value in want.items():
                if got.get(name) != str(value):
                    probs.append("counter %s=%s, expected %s" % (name, got.get(name), value))
        return probs
    case.check = check
    return case


@scenario("http-decompress-failed-kept")
def _(ctx):
    cl, sv = Side(), Side()
    bad = b"this body says gzip but is not " * 50
    cut = gz(text_stream(20000, "cut"))[:3000]
    for wire in (bad, cut):
        cl.add(request("GET", "/bad"), framed=False)
        sv.add(response(200, ["Content-Encoding: gzip", "Content-Length: %d" % len(wire)]),
               wire, flags=["decompress_failed"])
    return _with_counters(http_case(ctx, cl, sv), {"http_decompress_failed": 2})


@scenario("http-close-delimited-and-truncated")
def _(ctx):
    cl, sv = Side(), Side()
    body = text_stream(4000, "close")
    cl.add(request("GET", "/a"), framed=False)
    cl.add(request("GET", "/b"), framed=False)
    sv.add(response(200, ["Content-Length: 10"]), b"0123456789")
    sv.add(response(200, ["Content-Type: text/plain"], version="1.0"), body, ext=".txt")
    # A second connection cut short: Content-Length promises more than was sent.
    cl2, sv2 = Side(), Side()
    part = text_stream(2000, "part")
    cl2.add(request("GET", "/c"), framed=False)
    sv2.add(response(200, ["Content-Length: 9000", "Content-Type: text/css"]), part, ext=".css",
            flags=["truncated"])
    return _case(ctx, [(_conv(cl, sv, 0), cl, sv), (_conv(cl2, sv2, 1), cl2, sv2)])


@scenario("http-malformed-heads-stop")
def _(ctx):
    cl, sv = Side(), Side()
    cl.add(request("POST", "/ok", ["Content-Length: 5"]), b"first")
    cl.raw(b"GET /long HTTP/1.1\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n")
    cl.raw(b"POST /never HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc")
    sv.add(response(200, ["Content-Length: 3"]), b"one")
    many = ["X-F%d: v" % i for i in range(300)]
    sv.raw(response(200, many + ["Content-Length: 3"]) + b"\r\ntwo")
    return _with_counters(http_case(ctx, cl, sv, ends={0: "malformed", 1: "malformed"}),
                          {"http_malformed_flows": 2})


@scenario("http-upgrade-and-connect")
def _(ctx):
    # After 101 the server sends bytes that look like HTTP: they must not be parsed.
    cl, sv = Side(), Side()
    cl.add(request("GET", "/chat", ["Upgrade: websocket", "Connection: Upgrade"]), framed=False)
    cl.raw(b"\x81\x85\x00\x00\x00\x00hello")
    sv.add(response(101, ["Upgrade: websocket", "Connection: Upgrade"]), framed=False, status=101)
    sv.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfake!")
    cl2, sv2 = Side(), Side()
    cl2.add(request("CONNECT", "secure.test:443"), framed=False, method="CONNECT")
    cl2.raw(b"\x16\x03\x01\x00\x05hello")
    sv2.add(response(200, []), framed=False, request_method="CONNECT")
    sv2.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfake!")
    c1, c2 = _conv(cl, sv, 0), _conv(cl2, sv2, 1)
    ends = {(c1, 0): "upgrade", (c1, 1): "upgrade", (c2, 0): "tunnel", (c2, 1): "tunnel"}
    return _case(ctx, [(c1, cl, sv), (c2, cl2, sv2)], ends)


@scenario("http-not-http-ignored")
def _(ctx):
    c = cv.Conversation(client=CLIENT, server=SERVER, client_data=stream(3000, 21),
                        server_data=b"SSH-2.0-OpenSSH_9.2\r\n" + stream(2000, 22))
    packets = finalize_all([c])
    path = ctx.write("http.pcap", pg.pcap_bytes(cv.records(packets, pg.LINKTYPE_ETHERNET),
                                                pg.LINKTYPE_ETHERNET))
    files, mtimes = truth(packets)
    case = Case([Run(["-r", path, "-o", "out", "-e", "http"])], files, mtimes)
    case.check = lambda outdir: _check_report(outdir, {}, {}) if outdir else []
    return case


@scenario("http-cmd-and-alert-fd")
def _(ctx):
    cl, sv = Side(), Side()
    for b in (text_stream(1000, "one"), text_stream(2000, "two")):
        cl.add(request("GET", "/"), framed=False)
        sv.add(response(200, ["Content-Type: text/plain", "Content-Length: %d" % len(b)]), b,
               ext=".txt")
    case = http_case(ctx, cl, sv, ["-S", "http_cmd=gzip -k -n", "-S", "http_alert_fd=1"])
    bodies = {k: v for k, v in case.files.items() if "-HTTPBODY-" in k}
    # gzip -k leaves BODY.gz next to each body; its bytes depend on the gzip
    # version, so check() decompresses it instead of the runner comparing it.
    case.some_files, case.files = case.files, None
    report_check = case.check

    def check(outdir):
        probs = report_check(outdir)
        present = set(os.listdir(outdir))
        want = set(case.some_files) | {n + ".gz" for n in bodies} | {"report.xml"}
        if present != want:
            probs.append("files %s, expected %s" % (sorted(present), sorted(want)))
        for n, body in bodies.items():
            try:
                with gzip.open(os.path.join(outdir, n + ".gz"), "rb") as f:
                    if f.read() != body:
                        probs.append("%s.gz does not hold the body" % n)
            except OSError as e:
                probs.append("http_cmd output %s.gz: %s" % (n, e))
        return probs
    case.check = check

    def check_stdout(out):
        want = ["out/%s\t%d\t%s" % (n, len(b), hashlib.md5(b).hexdigest())
                for n, b in sorted(bodies.items())]
        got = out.decode(errors="replace").splitlines()
        return [] if got == want else ["http_alert_fd lines %r, expected %r" % (got, want)]
    case.runs[0].check_stdout = check_stdout
    return case


@scenario("http-cmd-failure-is-not-fatal")
def _(ctx):
    cl, sv = Side(), Side()
    cl.add(request("GET", "/"), framed=False)
    sv.add(response(200, ["Content-Length: 4"]), b"body")
    return http_case(ctx, cl, sv, ["-S", "http_cmd=false"],
                     run_kw=dict(stderr=[["false"], ["http_cmd"], ["status 1"]]))


@scenario("http-alert-fd-not-open-exit-1")
def _(ctx):
    cl, sv = Side(), Side()
    cl.add(request("GET", "/"), framed=False)
    sv.add(response(200, ["Content-Length: 4"]), b"body")
    case = http_case(ctx, cl, sv, ["-S", "http_alert_fd=9"],
                     run_kw=dict(exit=1, stderr=[["http_alert_fd"], ["not open"]]))
    case.outdir, case.report, case.files, case.check = None, False, None, None
    return case
