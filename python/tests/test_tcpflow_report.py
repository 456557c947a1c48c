"""Tests for python/tcpflow_report.py against fixtures written by tcpflow's
own report writers (tests/unit/report_jsonl_test.cpp, ReportFixtures, with
TCPFLOW_WRITE_REPORT_FIXTURES=python/tests/fixtures)."""

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
import xml.etree.ElementTree as ET

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import tcpflow_report  # noqa: E402

FIXTURES = HERE / "fixtures"
REPORT_XML = str(FIXTURES / "report.xml")
FLOWS_JSONL = str(FIXTURES / "flows.jsonl")
# The same flows as REPORT_XML, as tcpflow wrote them before it left out
# attributes at their default: every attribute and <tcpflow:input> present.
REPORT_ALL_ATTRIBUTES = str(FIXTURES / "report-all-attributes.xml")
# Written by hand in the shape tcpflow 1.6.1 writes (not produced by it).
REPORT_161 = str(FIXTURES / "report-1.6.1.xml")
READER = str(HERE.parent / "tcpflow_report.py")
HOSTILE_BYTES = b"odd<&'\">\xff\xfe\x01\\caf\xc3\xa9"


class UnescapeTest(unittest.TestCase):
    def test_reverses_the_writers_escaping(self):
        self.assertEqual(tcpflow_report.unescape("plain"), b"plain")
        self.assertEqual(tcpflow_report.unescape("a\\\\b"), b"a\\b")
        self.assertEqual(tcpflow_report.unescape("\\xff\\x00"), b"\xff\x00")
        self.assertEqual(tcpflow_report.unescape("\\\\x41"), b"\\x41")
        self.assertEqual(tcpflow_report.unescape("caf\u00e9"), b"caf\xc3\xa9")

    def test_iso_times(self):
        self.assertEqual(tcpflow_report.iso_to_epoch("1970-01-01T00:00:01.500000Z"), 1.5)
        self.assertAlmostEqual(
            tcpflow_report.iso_to_epoch("2024-05-01T12:00:02.123456789Z"), 1714564802.123456789)
        with self.assertRaises(ValueError):
            tcpflow_report.iso_to_epoch("yesterday")


class XmlReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.report = tcpflow_report.load(REPORT_XML)

    def test_reads_every_flow(self):
        self.assertEqual([f.flow_id for f in self.report.flows], [0, 1, 2, 3])
        self.assertTrue(self.report.complete)
        self.assertFalse(self.report.truncated)

    def test_ipv4_client_flow(self):
        f = self.report.flows[0]
        self.assertEqual(f.filename, "192.168.000.010.51000-093.184.216.034.00080--100")
        self.assertEqual((f.family, f.src_ip, f.src_port, f.dst_ip, f.dst_port),
                         ("ipv4", "192.168.0.10", 51000, "93.184.216.34", 80))
        self.assertEqual(f.vlan, 100)
        self.assertEqual((f.src_mac, f.dst_mac), ("00:11:22:aa:bb:cc", "66:77:88:99:0a:0b"))
        self.assertEqual(f.direction, "client")
        self.assertEqual((f.packets, f.bytes, f.filesize), (5, 420, 420))
        self.assertEqual((f.first_packet, f.last_packet), (1, 9))
        self.assertEqual(f.start_time, "2024-05-01T12:00:00.250000Z")
        self.assertEqual(f.start_epoch, 1714564800.25)
        self.assertEqual(f.close_reason, "fin")
        self.assertEqual(f.hashes, {"md5": "d41d8cd98f00b204e9800998ecf8427e"})
        self.assertEqual(f.input_files, ["in.pcap"])
        self.assertIsNone(f.write_error)
        tags = [e.tag for e in f.elements]
        self.assertEqual(tags, ["{%s}http" % tcpflow_report.TCPFLOW_NS])

    def test_gaps_and_conflicts(self):
        f = self.report.flows[1]
        self.assertEqual(f.gaps, [(100, 20), (300, 50)])
        self.assertEqual(f.conflicts, [(10, 4)])
        self.assertEqual((f.gap_bytes, f.conflict_count, f.conflict_bytes), (70, 1, 4))
        self.assertEqual(list((g[0].flow_id, g[1], g[2]) for g in self.report.gaps()),
                         [(1, 100, 20), (1, 300, 50)])
        self.assertEqual([(c[1], c[2]) for c in self.report.conflicts()], [(10, 4)])

    def test_ipv6_flow_with_hostile_name(self):
        f = self.report.flows[2]
        self.assertEqual((f.family, f.src_ip, f.dst_ip), ("ipv6", "2001:db8::1", "2001:db8::2"))
        self.assertIsNone(f.vlan)
        self.assertIsNone(f.src_mac)
        self.assertEqual(f.filename_bytes(), HOSTILE_BYTES)
        self.assertEqual(os.fsencode(f.filename_fs()), HOSTILE_BYTES)
        self.assertEqual(tcpflow_report.unescape(f.input_files[1]),
                         b"second " + HOSTILE_BYTES + b".pcap")
        self.assertEqual(f.write_error, "No space left on device")
        self.assertEqual(f.end_time, "2024-05-01T12:00:03.000000005Z")

    def test_flow_without_file(self):
        f = self.report.flows[3]
        self.assertEqual((f.filename, f.filesize, f.close_reason), ("", 0, "end_of_input"))

    def test_connection_lookup_finds_both_directions(self):
        both = self.report.connection(1)
        self.assertEqual(sorted(f.direction for f in both), ["client", "server"])
        self.assertEqual(sorted(self.report.connections()), [1, 2, 3])
        self.assertEqual(self.report.connection(99), [])

    def test_summary_creator_configuration_sources(self):
        s = self.report.summary
        self.assertEqual(s.status, "complete")
        self.assertEqual(s.number("packets_read"), 15)
        self.assertEqual(s.counters["gaps"], 2)
        self.assertEqual(s.counters["seek_jumps"], 0)
        self.assertIn("holes", s.descriptions["gaps"])
        self.assertEqual(s.values, {"max_held_bytes": "268435456"})
        self.assertEqual(self.report.nonzero_counters()["gap_bytes"], 70)
        self.assertEqual(self.report.creator["program"], "tcpflow")
        self.assertEqual(self.report.creator["command_line"],
                         "tcpflow -r in.pcap -o out -S jsonl=flows.jsonl 'port 80'")
        self.assertEqual(self.report.creator["build_flags"], "-O2 -g")
        self.assertEqual(self.report.libraries["runtime"][0]["name"], "libpcap")
        self.assertEqual(self.report.configuration["max_seek"], "16777216")
        self.assertEqual(tcpflow_report.unescape(self.report.configuration["odd"]), HOSTILE_BYTES)
        self.assertEqual(self.report.sources, [{"path": "in.pcap", "size": "123456", "sha256": ""}])
        self.assertIn("clocktime", self.report.rusage)


class JsonlReportTest(unittest.TestCase):
    def test_jsonl_agrees_with_xml(self):
        xml_flows = tcpflow_report.load(REPORT_XML).flows
        json_report = tcpflow_report.load(FLOWS_JSONL)
        self.assertFalse(json_report.truncated)
        self.assertEqual(len(json_report.flows), len(xml_flows))
        for x, j in zip(xml_flows, json_report.flows):
            a, b = vars(x).copy(), vars(j).copy()
            for private in ("elements", "extra"):
                a.pop(private)
                b.pop(private)
            self.assertEqual(a, b)
        self.assertEqual(json_report.flows[0].extra, {"md5": "d41d8cd98f00b204e9800998ecf8427e"})


class DefaultsTest(unittest.TestCase):
    """report.xml leaves out <tcpflow:flow> attributes at their default
    (FORMAT.md, "Left out when default"); the reader fills them in."""

    ZERO_DEFAULT = ("connection_count", "gap_count", "gap_bytes", "duplicate_bytes",
                    "conflict_count", "conflict_bytes", "bad_checksum_segments",
                    "bad_ip_checksum_segments", "bad_checksum_replaced",
                    "before_start_segments", "capped_bytes", "spilled_blocks")

    def flow_elements(self, path):
        ns = {"d": tcpflow_report.DFXML_NS, "t": tcpflow_report.TCPFLOW_NS}
        root = ET.parse(path).getroot()
        return [(fo, fo.find("t:flow", ns)) for fo in root.findall("d:fileobject", ns)]

    def test_writer_leaves_out_every_default(self):
        for fo, flow in self.flow_elements(REPORT_XML):
            attrs = flow.attrib
            for name in self.ZERO_DEFAULT:
                self.assertNotEqual(attrs.get(name), "0", name)
            self.assertNotEqual(attrs.get("family"), "ipv4")
            self.assertNotEqual(attrs.get("close_reason"), "fin")
            self.assertNotIn("flow_id", attrs)
            self.assertNotIn("end_time", attrs)
            self.assertNotEqual(attrs.get("bytes"), fo.findtext("{%s}filesize" % tcpflow_report.DFXML_NS))
            inputs = [e.text for e in flow.iter("{%s}input" % tcpflow_report.TCPFLOW_NS)]
            self.assertNotEqual(inputs, ["in.pcap"])  # the report's only <source>

    def test_non_default_values_are_written_and_read(self):
        _, server = self.flow_elements(REPORT_XML)[1]
        self.assertEqual((server.get("bytes"), server.get("close_reason"), server.get("gap_count")),
                         ("960", "rst", "2"))
        f = tcpflow_report.load(REPORT_XML).flows[1]
        self.assertEqual((f.bytes, f.filesize, f.close_reason, f.duplicate_bytes),
                         (960, 1000, "rst", 30))
        self.assertEqual((f.bad_checksum_segments, f.bad_ip_checksum_segments,
                          f.bad_checksum_replaced), (2, 3, 1))
        v6 = tcpflow_report.load(REPORT_XML).flows[2]
        self.assertEqual((v6.family, v6.connection_count, v6.capped_bytes,
                          v6.before_start_segments, v6.spilled_blocks), ("ipv6", 1, 7, 1, 2))
        self.assertEqual(len(v6.input_files), 2)

    def test_left_out_and_written_out_read_the_same(self):
        slim = tcpflow_report.load(REPORT_XML).flows
        full = tcpflow_report.load(REPORT_ALL_ATTRIBUTES).flows
        self.assertEqual(len(slim), len(full))
        for a, b in zip(slim, full):
            a, b = vars(a).copy(), vars(b).copy()
            a.pop("elements")
            b.pop("elements")
            self.assertEqual(a, b)
        f = slim[0]
        self.assertEqual((f.flow_id, f.end_time, f.bytes, f.family, f.close_reason),
                         (0, "2024-05-01T12:00:01.000000Z", 420, "ipv4", "fin"))
        self.assertEqual(f.input_files, ["in.pcap"])

    def test_inputs_default_only_to_a_single_source(self):
        data = Path(REPORT_XML).read_bytes()
        source = b'<image_filename tcpflow:size="123456">in.pcap</image_filename>'
        self.assertIn(source, data)
        two = data.replace(source, source + b"\n" + source.replace(b"in.pcap", b"b.pcap"))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "report.xml")
            Path(path).write_bytes(two)
            flows = tcpflow_report.load(path).flows
        self.assertEqual(flows[0].input_files, [])
        self.assertEqual(len(flows[2].input_files), 2)  # listed: kept as written


class DamagedFilesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, data):
        path = os.path.join(self.tmp.name, name)
        with open(path, "wb") as out:
            out.write(data)
        return path

    def test_killed_run_keeps_complete_fileobjects(self):
        data = Path(REPORT_XML).read_bytes()
        third = data.index(b"<fileobject>", data.index(b"<fileobject>",
                                                        data.index(b"<fileobject>") + 1) + 1)
        path = self.write("report.xml", data[:third + 40])
        report = tcpflow_report.load(path)
        self.assertTrue(report.truncated)
        self.assertFalse(report.complete)
        self.assertEqual([f.flow_id for f in report.flows], [0, 1])
        self.assertIsNone(report.summary)
        self.assertEqual(report.creator["program"], "tcpflow")

    def test_unfinished_writer_is_marked_incomplete(self):
        data = Path(REPORT_XML).read_bytes()
        start = data.index(b"<rusage>")
        end = data.index(b"</dfxml>")
        patched = (data[:start] + b'<tcpflow:summary status="incomplete" fileobjects="4"/>\n'
                   + data[end:])
        report = tcpflow_report.load(self.write("report.xml", patched))
        self.assertFalse(report.truncated)
        self.assertFalse(report.complete)
        self.assertEqual(report.summary.status, "incomplete")
        self.assertEqual(len(report.flows), 4)

    def test_finished_run_with_a_truncated_input_is_whole(self):
        data = Path(REPORT_XML).read_bytes()
        self.assertIn(b'<tcpflow:summary status="complete"', data)
        patched = data.replace(b'<tcpflow:summary status="complete"',
                               b'<tcpflow:summary status="truncated"', 1)
        report = tcpflow_report.load(self.write("report.xml", patched))
        self.assertTrue(report.complete)  # the report is whole; the status tells about the run
        self.assertEqual(report.summary.status, "truncated")

    def test_partial_last_jsonl_line_is_ignored(self):
        lines = Path(FLOWS_JSONL).read_bytes().splitlines(keepends=True)
        flow_lines = [line for line in lines if b'"record"' not in line]
        # A run killed while writing its fourth flow's line.
        cut = b"".join(flow_lines[:3]) + flow_lines[3][:30]
        report = tcpflow_report.load(self.write("flows.jsonl", cut))
        self.assertTrue(report.truncated)
        self.assertEqual(len(report.flows), 3)


class CommandLineTest(unittest.TestCase):
    def run_cli(self, *args):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = tcpflow_report.main(list(args))
        return status, out.getvalue().splitlines()

    def test_one_line_per_flow(self):
        status, lines = self.run_cli(REPORT_XML)
        self.assertEqual(status, 0)
        self.assertEqual(len(lines), 4)
        self.assertTrue(lines[0].startswith("conn 1 flow 0 client 192.168.0.10:51000 -> "))
        self.assertIn("[2001:db8::1]:443", lines[2])

    def test_connection_filter_gaps_and_summary(self):
        _, lines = self.run_cli("--connection", "1", "--gaps", "--summary", REPORT_XML)
        self.assertEqual(sum(1 for line in lines if line.startswith("conn ")), 2)
        self.assertIn("    gap offset=300 length=50", lines)
        self.assertIn("gaps=2", lines)

    def test_json_output(self):
        _, lines = self.run_cli("--json", FLOWS_JSONL)
        self.assertEqual(len(lines), 4)
        self.assertIn('"connection_id": 1', lines[0])


class ConnectionRecordsTest(unittest.TestCase):
    def check(self, report):
        conns = report.connection_records
        self.assertEqual([c.connection_id for c in conns], [1, 2, 3, 4])
        first = report.connection_record(1)
        self.assertEqual((first.state, first.history), ("RSTR", "ShADadr"))
        self.assertEqual((first.orig_ip, first.orig_port), ("192.168.0.10", 51000))
        self.assertEqual((first.resp_ip, first.resp_port), ("93.184.216.34", 80))
        self.assertEqual(first.vlan, 100)
        self.assertEqual((first.orig_packets, first.orig_bytes), (5, 420))
        self.assertEqual((first.resp_packets, first.resp_bytes), (5, 960))
        self.assertEqual(first.flow_files, 2)
        self.assertEqual(first.close_reason, "rst")
        self.assertAlmostEqual(first.duration, 0.75)
        self.assertEqual(first.start_epoch, 1714564800.25)
        # The connection's flows carry its id.
        self.assertEqual(len(report.connection(1)), 2)
        unanswered = report.connection_record(4)
        self.assertEqual((unanswered.state, unanswered.history, unanswered.flow_files),
                         ("S0", "S", 0))
        self.assertEqual(report.connection(4), [])
        self.assertIsNone(report.connection_record(99))

    def test_from_report_xml(self):
        report = tcpflow_report.load(REPORT_XML)
        self.assertEqual(report.format, "tcpflow")
        self.check(report)
        self.assertEqual(report.summary.number("connection_records"), 4)

    def test_from_jsonl_and_flows_unchanged(self):
        report = tcpflow_report.load(FLOWS_JSONL)
        self.assertEqual(report.format, "jsonl")
        self.check(report)
        self.assertEqual(len(report.flows), 4)

    def test_http_messages_from_jsonl(self):
        report = tcpflow_report.load(FLOWS_JSONL)
        self.assertEqual(len(report.http_messages), 1)
        message = report.http_messages[0]
        self.assertEqual(message["request_url"], "/index.html")
        self.assertEqual(message["request_method"], "GET")
        self.assertEqual(message["time"], "2024-05-01T12:00:00.250000Z")
        self.assertEqual(message["flow_id"], 1)

    def test_cli_lists_connections(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = tcpflow_report.main(["--connections", REPORT_XML])
        lines = out.getvalue().splitlines()
        self.assertEqual(status, 0)
        self.assertEqual(len(lines), 4)
        self.assertTrue(lines[0].startswith(
            "conn 1 RSTR ShADadr 192.168.0.10:51000 -> 93.184.216.34:80 duration=0.750000 "
            "orig=5/420 resp=5/960 close=rst"), lines[0])
        self.assertTrue(lines[3].startswith("conn 4 S0 S 10.0.0.1:1 -> 10.0.0.2:2 "), lines[3])


class Tcpflow161Test(unittest.TestCase):
    def setUp(self):
        self.report = tcpflow_report.load(REPORT_161)

    def test_flows_and_their_facts(self):
        r = self.report
        self.assertEqual(r.format, "tcpflow-1.6.1")
        self.assertEqual(len(r.flows), 3)  # the HTTPBODY entry is not a flow
        client, server, v6 = r.flows
        self.assertEqual(client.filename, "out/172.016.001.005.33000-172.016.001.009.00080")
        self.assertEqual((client.src_ip, client.src_port, client.dst_ip, client.dst_port),
                         ("172.16.1.5", 33000, "172.16.1.9", 80))
        self.assertEqual((client.family, client.packets, client.filesize), ("ipv4", 4, 120))
        self.assertEqual(client.hashes, {"md5": "0123456789abcdef0123456789abcdef"})
        self.assertEqual(client.src_mac, "0a:00:00:00:00:05")
        self.assertEqual(client.start_epoch, 1714564800.0)
        self.assertEqual(client.end_epoch, 1714564800.5)
        self.assertEqual(client.extra["len"], "336")
        self.assertEqual(server.extra["out_of_order_count"], "1")
        self.assertEqual((v6.family, v6.src_ip, v6.dst_port), ("ipv6", "fd00::1", 5000))
        self.assertEqual(client.connection_id, 0)

    def test_totals_creator_and_no_connection_records(self):
        r = self.report
        self.assertEqual(r.summary.attributes["total_packets"], "9")
        self.assertEqual(r.summary.attributes["total_flows"], "3")
        self.assertEqual(r.creator["version"], "1.6.1")
        self.assertEqual(r.rusage["clocktime"], "0.020000")
        self.assertEqual(r.connection_records, [])
        self.assertFalse(r.truncated)


class NotAReportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, data):
        path = os.path.join(self.tmp.name, name)
        with open(path, "wb") as out:
            out.write(data)
        return path

    def cli(self, *args):
        return subprocess.run([sys.executable, READER] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60)

    def test_other_files_raise(self):
        for name, data in [("page.html", b"<html><body>x</body></html>"),
                           ("capture.pcap", b"\xd4\xc3\xb2\xa1\x02\x00\x04\x00" + bytes(40)),
                           ("list.json", b'[1, 2, 3]\n'),
                           ("other.jsonl", b'{"name": "x"}\n'),
                           ("empty", b""),
                           ("text.txt", b"hello world\n")]:
            with self.subTest(name=name):
                with self.assertRaises(tcpflow_report.NotAReport):
                    tcpflow_report.load(self.write(name, data))

    def test_cli_says_so_in_one_line_and_exits_1(self):
        path = self.write("page.html", b"<html></html>")
        result = self.cli(path)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, b"")
        lines = result.stderr.decode().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("not a tcpflow report", lines[0])
        self.assertIn(path, lines[0])
        missing = self.cli(os.path.join(self.tmp.name, "missing.xml"))
        self.assertEqual(missing.returncode, 1)
        self.assertEqual(len(missing.stderr.decode().splitlines()), 1)
        self.assertNotIn(b"Traceback", missing.stderr)

    def test_piped_into_head_no_traceback(self):
        line = Path(FLOWS_JSONL).read_bytes().splitlines()[0] + b"\n"
        path = self.write("big.jsonl", line * 20000)
        shell = "%s %s %s | head -n 1" % (sys.executable, READER, path)
        result = subprocess.run(["sh", "-c", shell], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(len(result.stdout.splitlines()), 1)
        self.assertEqual(result.stderr, b"", result.stderr[:500])
        out = io.StringIO()

        class ClosedPipe(io.StringIO):
            def write(self, text):
                raise BrokenPipeError(32, "Broken pipe")

        # Called as a function (no SIGPIPE default): still no traceback, status 0.
        with contextlib.redirect_stdout(ClosedPipe()), contextlib.redirect_stderr(out):
            with mock_silence():
                status = tcpflow_report.main([path])
        self.assertEqual(status, 0)
        self.assertEqual(out.getvalue(), "")


@contextlib.contextmanager
def mock_silence():
    saved = tcpflow_report._silence_stdout
    tcpflow_report._silence_stdout = lambda: None
    try:
        yield
    finally:
        tcpflow_report._silence_stdout = saved


if __name__ == "__main__":
    unittest.main()
