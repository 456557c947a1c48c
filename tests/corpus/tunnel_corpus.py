#!/usr/bin/env python3
"""Tunnelled captures of the shared corpus: each now yields its inner flows.

Usage: tunnel_corpus.py [TCPFLOW] [--corpus DIR]

For every capture in CASES, runs ``tcpflow -r CAPTURE -o out`` in a fresh
directory and checks the sizes of the flow files (sorted; so their number
too) and the non-zero tunnel_* counters of report.xml. The sizes were
checked against ``tshark -q -z follow,tcp,raw,N``: every flow file equals
what tshark follows, except where the stream has holes, which tshark leaves
out and tcpflow writes as zeros (the file is then tshark's bytes plus the
report's gap_bytes). Exits 77 (skip) when the corpus folder is absent.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
NS = "{http://tcpflow.org/dfxml/2}"

# (capture, sorted flow file sizes, non-zero tunnel counters, extra args)
CASES = [
    ("suricata-verify/tests/bug-4571-04/ipv6_over_ipv4.pcap", [12], {"tunnel_ip6_in_ip": 1}),
    ("pcapplusplus/Tests/Packet++Test/PacketExamples/IPv4-encapsulated-IPv6.pcap", [30],
     {"tunnel_ip6_in_ip": 1}),
    ("suricata-verify/tests/bug-5633-gre-02/gre-sample.pcap", [952, 1671], {"tunnel_gre": 40}),
    ("pcapplusplus/Tests/Pcap++Test/PcapExamples/GrePackets.cap", [188, 324],
     {"tunnel_gre": 2, "tunnel_truncated": 2, "tunnel_unknown_next": 13}),
    ("tcpdump-tests/wccp_redirect_gre.pcap", [188], {"tunnel_gre": 1}),
    ("zeek-traces/tunnels/gre-over-udp-4754.pcap", [72, 379], {"tunnel_gre": 14}),
    ("zeek-traces/tunnels/tunnel-direct-bypass.pcap", [19, 19], {"tunnel_gre": 10}),
    ("zeek-traces/erspan.pcap",
     [306, 1839, 2116, 2191, 3542, 5794, 25530, 31138, 53687, 119703], {"tunnel_gre": 248}),
    ("zeek-traces/tunnels/gre-aruba.pcap", [], {"tunnel_unknown_next": 2407}),  # 802.11 in GRE
    ("zeek-traces/tunnels/Teredo.pcap", [171, 469, 790, 3916], {"tunnel_teredo": 4}),
    ("suricata-verify/tests/vxlan-decoder-03/vxlan.pcap",
     [1601, 1601, 1601, 1601, 1701, 1785, 1785, 1785], {"tunnel_vxlan": 100}),
    ("suricata-verify/tests/vxlan-non-zero-reserved-fields/input.pcap", [166, 587],
     {"tunnel_vxlan": 10}),
    ("tcpdump-tests/gso-ipv6-vxlan-ipv6.pcap", [4074], {"tunnel_vxlan": 1}),
    ("zeek-traces/tunnels/vxlan-encapsulated-http.pcap", [87, 9212], {"tunnel_vxlan": 12}),
    ("tcpdump-tests/geneve.pcap", [1829, 2567], {"tunnel_geneve": 39}),
    ("tcpdump-tests/gso-ipv4-geneve-ipv4.pcap", [6990], {"tunnel_geneve": 1}),
    ("zeek-traces/tunnels/geneve-47101.pcap", [781, 23111], {"tunnel_geneve": 24}),
    ("zeek-traces/tunnels/geneve-many-options.pcap", [81, 577], {"tunnel_geneve": 10}),
    ("zeek-traces/tunnels/gtp/gtp1_gn_normal_incl_fragmentation.pcap", [2100, 56702],
     {"tunnel_gtpu": 68}),
    ("zeek-traces/tunnels/gtp/gtp2_different_udp_port.pcap", [1138, 63424], {"tunnel_gtpu": 78}),
    ("zeek-traces/tunnels/gtp/gtp6_gtp_0x32.pcap", [704, 1026], {"tunnel_gtpu": 31}),
    ("zeek-traces/tunnels/gtp/gtp_ext_header.pcap", [1448], {"tunnel_gtpu": 1}),
]


def counters(report):
    out = {}
    for c in ET.parse(report).getroot().iter(NS + "counter"):
        if c.get("name", "").startswith("tunnel_") and int(c.get("value")):
            out[c.get("name")] = int(c.get("value"))
    return out


def run_case(binary, corpus, case):
    capture, want_sizes, want_counters = case[:3]
    args = list(case[3]) if len(case) > 3 else []
    path = os.path.join(corpus, capture)
    if not os.path.isfile(path):
        return ["capture missing from the corpus"]
    work = tempfile.mkdtemp(prefix="tcpflow-tunnel-corpus-")
    try:
        p = subprocess.run([binary] + args + ["-r", path, "-o", "out"], cwd=work,
                           capture_output=True, timeout=60)
        if p.returncode != 0:
            return ["exit status %d: %s" % (p.returncode, p.stderr.decode(errors="replace")[:200])]
        out = os.path.join(work, "out")
        files = [f for f in os.listdir(out) if f != "report.xml"]
        sizes = sorted(os.path.getsize(os.path.join(out, f)) for f in files)
        problems = []
        if sizes != sorted(want_sizes):
            problems.append("flow file sizes %s, expected %s" % (sizes, sorted(want_sizes)))
        got = counters(os.path.join(out, "report.xml"))
        if got != want_counters:
            problems.append("tunnel counters %s, expected %s" % (got, want_counters))
        return problems
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tcpflow", nargs="?", default=os.environ.get("TCPFLOW", "./tcpflow"))
    ap.add_argument("--corpus", default=os.environ.get(
        "TCPFLOW_CORPUS", os.path.join(HERE, "..", "..", "..", "shared", "corpus")))
    args = ap.parse_args()
    if not os.path.isfile(os.path.join(args.corpus, "MANIFEST.tsv")):
        print("SKIP: no corpus at %s" % args.corpus)
        return 77
    binary = os.path.abspath(args.tcpflow)
    failed = 0
    for case in CASES:
        problems = run_case(binary, args.corpus, case)
        print("%s %s%s" % ("FAIL" if problems else "PASS", case[0],
                           (": " + "; ".join(problems)) if problems else ""))
        failed += bool(problems)
    print("%d passed, %d failed" % (len(CASES) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
