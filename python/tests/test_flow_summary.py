"""Tests for the sample python-scanner plugin python/plugins/flow_summary.py
(tcpflow's e2e scenario py-flow-summary-in-report-and-jsonl runs it inside
tcpflow)."""

import os
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "plugins"))

import flow_summary  # noqa: E402


class FlowSummaryTest(unittest.TestCase):
    def summary_of(self, data):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "flow")
            with open(path, "wb") as f:
                f.write(data)
            return flow_summary.summary(path)

    def test_text_flow(self):
        self.assertEqual(self.summary_of(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
                         "bytes=27 printable=1.000 first_line=GET / HTTP/1.1")

    def test_binary_flow_is_shown_with_dots(self):
        self.assertEqual(self.summary_of(b"\x00\x01ab\xff"),
                         "bytes=5 printable=0.400 first_line=..ab.")

    def test_empty_file(self):
        self.assertEqual(self.summary_of(b""), "bytes=0 printable=0.000 first_line=")

    def test_only_the_first_mib_is_read_but_the_size_is_whole(self):
        data = b"x" * (flow_summary.READ_LIMIT + 10) + b"\x00" * 100
        self.assertTrue(self.summary_of(data).startswith(
            "bytes=%d printable=1.000 " % len(data)))

    def test_first_line_is_cut(self):
        line = "a" * 100
        self.assertEqual(self.summary_of(line.encode() + b"\nrest"),
                         "bytes=105 printable=1.000 first_line=" + "a" * flow_summary.LINE_LIMIT)


if __name__ == "__main__":
    unittest.main()
