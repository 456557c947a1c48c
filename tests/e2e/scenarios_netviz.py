"""-e netviz and --netviz-from end to end: the page is read back with
poppler-utils (pdfinfo, pdftotext) and its numbers are compared with what
this file computes from the generated capture itself.

Decisions checked here (doc/tcpflow.1):
* -e netviz and -a write report.pdf and report.png (A4, one page; the PNG is
  1190 x 1684 pixels) in the output directory; -S netviz_formats picks any
  of pdf, png, svg; an unknown format: exit 2 before any output.
* The header gives packets and bytes on the wire (original lengths), TCP
  connections and flows written; the top talkers list each address with
  the bytes it sent / received (whole frames), the port tables the server
  port's bytes (both directions) and connection count, with service names.
* Gaps are counted on the page; IPv6 addresses are listed like IPv4 ones.
* The same input twice gives the same PNG pixels.
* --netviz-from DIR draws from DIR/report.xml alone: byte counts are TCP
  payload bytes of the flows, and the packet-size panel says it is not
  available.
"""

import datetime
import ipaddress
import os
import struct
import subprocess
import zlib

from e2e_lib import Case, Run, conv, cv, finalize_all, pg, scenario

PNG_SIZE = (1190, 1684)


def commas(n):
    return "{:,}".format(n)


def _wire_facts(records, server_ports):
    """Per-address and per-server-port byte counts of Ethernet records."""
    facts = {"packets": 0, "bytes": 0, "sent": {}, "received": {}, "port_bytes": {}}
    for r in records:
        facts["packets"] += 1
        facts["bytes"] += r.orig_len
        d = r.data
        ethertype = struct.unpack("!H", d[12:14])[0]
        if ethertype == 0x0800:
            ihl = (d[14] & 15) * 4
            src, dst = d[26:30], d[30:34]
            tcp = 14 + ihl
            src, dst = str(ipaddress.IPv4Address(src)), str(ipaddress.IPv4Address(dst))
        else:
            src, dst = str(ipaddress.IPv6Address(d[22:38])), str(ipaddress.IPv6Address(d[38:54]))
            tcp = 54
        sport, dport = struct.unpack("!HH", d[tcp:tcp + 4])
        facts["sent"][src] = facts["sent"].get(src, 0) + r.orig_len
        facts["received"][dst] = facts["received"].get(dst, 0) + r.orig_len
        port = sport if sport in server_ports else dport
        facts["port_bytes"][port] = facts["port_bytes"].get(port, 0) + r.orig_len
    return facts


def _utc(ns):
    t = datetime.datetime.fromtimestamp(ns // 10**9, tz=datetime.timezone.utc)
    return t.strftime("%Y-%m-%d %H:%M:%S") + ".%03d UTC" % ((ns % 10**9) // 10**6)


def _pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True,
                          check=True).stdout.decode("utf-8", "replace")


def _pdf_pages(path):
    out = subprocess.run(["pdfinfo", path], capture_output=True, check=True).stdout.decode()
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def _png(path):
    """(width, height, decompressed image data) of a PNG file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, width, height, idat = 8, None, None, b""
    while pos < len(data):
        length, kind = struct.unpack("!I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack("!II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, zlib.decompress(idat)


def _line_with(text, *words):
    return any(all(w in line for w in words) for line in text.splitlines())


def _page_problems(outdir, expect_words=(), expect_lines=(), png=True, pdf=True):
    probs = []
    pdf_path, png_path = os.path.join(outdir, "report.pdf"), os.path.join(outdir, "report.png")
    if pdf:
        if not os.path.exists(pdf_path):
            return ["no report.pdf in %s" % outdir]
        pages = _pdf_pages(pdf_path)
        if pages != 1:
            probs.append("report.pdf has %s pages" % pages)
        text = _pdf_text(pdf_path)
        for w in expect_words:
            if w not in text:
                probs.append("page lacks %r" % w)
        for words in expect_lines:
            if not _line_with(text, *words):
                probs.append("no line of the page holds all of %r" % (words,))
        if probs:
            probs.append("page text:\n" + text)
    if png:
        if not os.path.exists(png_path):
            return probs + ["no report.png in %s" % outdir]
        width, height, _ = _png(png_path)
        if (width, height) != PNG_SIZE:
            probs.append("report.png is %dx%d, expected %dx%d" % ((width, height) + PNG_SIZE))
    return probs


def _three_services(ctx):
    convs = [
        conv(3000, 20000, seed=1, client=("10.0.0.1", 40001), server=("10.0.0.2", 80)),
        conv(700, 1500, seed=2, client=("10.0.0.3", 40002), server=("10.0.0.2", 22)),
        conv(400, 9000, seed=3, client=("10.0.0.4", 40003), server=("10.0.0.5", 443)),
    ]
    packets = finalize_all(convs)
    records = cv.records(packets)
    path = ctx.write("cap.pcap", pg.pcap_bytes(records, pg.LINKTYPE_ETHERNET))
    return convs, packets, records, path


def _expected_lines(facts):
    """Lines the page must hold: each talker with its bytes, each port with its bytes."""
    lines = [("Packets: " + commas(facts["packets"]), "Bytes: " + commas(facts["bytes"]))]
    for addr, n in facts["sent"].items():
        lines.append((addr, commas(n)))
    for addr, n in facts["received"].items():
        lines.append((addr, commas(n)))
    return lines


@scenario("netviz-known-talkers-ports-and-totals")
def _(ctx):
    convs, packets, records, path = _three_services(ctx)
    facts = _wire_facts(records, {80, 22, 443})
    first, last = min(r.ts_ns for r in records), max(r.ts_ns for r in records)

    def check(outdir):
        lines = _expected_lines(facts)
        for port, name in ((80, "http"), (22, "ssh"), (443, "https")):
            lines.append(("%d (%s)" % (port, name), commas(facts["port_bytes"][port])))
        # the top sender is listed first with its share of all IP bytes
        top = max(facts["sent"].items(), key=lambda kv: kv[1])
        share = "%.1f%%" % (100.0 * top[1] / facts["bytes"])
        lines.append(("1.", top[0], commas(top[1]), share))
        words = ["TCP connections: 3", "Flows written: 6", "First packet: " + _utc(first),
                 "Last packet: " + _utc(last), "Non-TCP packets: 0", "Malformed: 0",
                 "Top sources", "Top destinations", "Traffic over time", "Packet sizes",
                 "Connections: duration vs bytes"]
        return _page_problems(outdir, words, lines)
    case = Case([Run(["-r", path, "-o", "out", "-e", "netviz"])], None, None)
    case.check = check
    return case


@scenario("netviz-same-input-same-pixels")
def _(ctx):
    convs, packets, records, path = _three_services(ctx)

    def check(outdir):
        a = _png(os.path.join(outdir, "a", "report.png"))
        b = _png(os.path.join(outdir, "b", "report.png"))
        return [] if a == b else ["the two runs drew different pixels"]
    case = Case([Run(["-r", path, "-o", "out/a", "-e", "netviz"]),
                 Run(["-r", path, "-o", "out/b", "-e", "netviz"])], None, None, report=False)
    case.check = check
    return case


@scenario("netviz-gap-is-marked")
def _(ctx):
    c = conv(4000, 6000, seed=5, client=("10.0.0.1", 40010), server=("10.0.0.2", 80),
             jump={1: (2000, 1000)})
    packets = finalize_all([c])
    records = cv.records(packets)
    path = ctx.write("gap.pcap", pg.pcap_bytes(records, pg.LINKTYPE_ETHERNET))
    facts = _wire_facts(records, {80})

    def check(outdir):
        return _page_problems(outdir, ["gaps + conflicts: 1"], _expected_lines(facts))
    case = Case([Run(["-r", path, "-o", "out", "-e", "netviz"])], None, None)
    case.check = check
    return case


@scenario("netviz-ipv6-talkers")
def _(ctx):
    convs = [conv(1200, 5000, seed=7, client=("2001:db8::1", 40020), server=("2001:db8::2", 443)),
             conv(300, 800, seed=8, client=("10.1.1.1", 40021), server=("10.1.1.2", 80))]
    packets = finalize_all(convs)
    records = cv.records(packets)
    path = ctx.write("v6.pcap", pg.pcap_bytes(records, pg.LINKTYPE_ETHERNET))
    facts = _wire_facts(records, {443, 80})
    v6 = sum(n for a, n in facts["sent"].items() if ":" in a)
    v6_share = "IPv6 %.1f%%" % (100.0 * v6 / facts["bytes"])

    def check(outdir):
        return _page_problems(outdir, [v6_share, "443 (https)"], _expected_lines(facts))
    case = Case([Run(["-r", path, "-o", "out", "-a"])], None, None, note="-a draws the page too")
    case.check = check
    return case


@scenario("netviz-single-packet")
def _(ctx):
    syn = pg.tcp("10.0.0.1", "10.0.0.2", 40030, 80, 1000, 0, pg.SYN)
    rec = pg.Record(cv.DEFAULT_START_NS, pg.LINKTYPE_ETHERNET,
                    pg.frame(pg.LINKTYPE_ETHERNET, pg.ipv4("10.0.0.1", "10.0.0.2", syn)))
    path = ctx.write("one.pcap", pg.pcap_bytes([rec], pg.LINKTYPE_ETHERNET))

    def check(outdir):
        return _page_problems(outdir, ["Packets: 1", "Bytes: " + commas(rec.orig_len),
                                       "First packet: " + _utc(rec.ts_ns), "Duration: 0 us"],
                              [("10.0.0.1", commas(rec.orig_len))])
    case = Case([Run(["-r", path, "-o", "out", "-e", "netviz"])], None, None)
    case.check = check
    return case


@scenario("netviz-empty-capture")
def _(ctx):
    path = ctx.write("empty.pcap", pg.pcap_bytes([], pg.LINKTYPE_ETHERNET))

    def check(outdir):
        return _page_problems(outdir, ["Packets: 0", "TCP connections: 0", "no packets",
                                       "no connections"])
    case = Case([Run(["-r", path, "-o", "out", "-e", "netviz"])], None, None)
    case.check = check
    return case


@scenario("netviz-formats-setting")
def _(ctx):
    convs, packets, records, path = _three_services(ctx)

    def check(outdir):
        probs = []
        names = sorted(n for n in os.listdir(outdir) if n.startswith("report."))
        if names != ["report.svg", "report.xml"]:
            probs.append("with netviz_formats=svg: %s" % names)
        with open(os.path.join(outdir, "report.svg"), "rb") as f:
            if b"<svg" not in f.read(4096):
                probs.append("report.svg is not SVG")
        return probs
    case = Case([Run(["-r", path, "-o", "out", "-e", "netviz", "-S", "netviz_formats=svg"])],
                None, None)
    case.check = check
    return case


@scenario("netviz-bad-format-is-usage-error")
def _(ctx):
    convs, packets, records, path = _three_services(ctx)
    return Case([Run(["-r", path, "-o", "out", "-e", "netviz", "-S", "netviz_formats=pdf,gif"],
                     exit=2, stderr=[["netviz_formats"], ["gif"]])], outdir=None, report=False)


@scenario("netviz-from-report")
def _(ctx):
    convs, packets, records, path = _three_services(ctx)
    payload_sent = {}
    for c in convs:
        (client, _), (server, _) = c.ends
        payload_sent[client] = payload_sent.get(client, 0) + len(c.data[0])
        payload_sent[server] = payload_sent.get(server, 0) + len(c.data[1])

    def check(outdir):
        lines = [(addr, commas(n)) for addr, n in payload_sent.items()]
        lines.append(("80 (http)", commas(3000 + 20000)))
        words = ["report.xml", "not available", "TCP connections: 3",
                 "Packets: " + commas(len(records))]
        return _page_problems(outdir, words, lines)
    case = Case([Run(["-r", path, "-o", "out"]), Run(["--netviz-from", "out"])], None, None)
    case.check = check
    return case


@scenario("netviz-from-missing-report")
def _(ctx):
    os.makedirs(os.path.join(ctx.rundir, "nothing"))
    return Case([Run(["--netviz-from", "nothing"], exit=1, stderr=[["report.xml"]])],
                outdir=None, report=False)
