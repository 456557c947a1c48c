"""The --shard test cases beyond the e2e sweep (run_shard.py runs them).
Each case is fn(binary, root, schema, big_connections) -> list of problems."""
import os
import random
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "limits"))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "gen"))
sys.path.insert(0, HERE)

import conversation as cv  # noqa: E402
import e2e_lib             # noqa: E402
import gen_limits as gl    # noqa: E402
import pcapgen as pg       # noqa: E402
import shard_lib           # noqa: E402
import shardhash           # noqa: E402

CASES = []


def case(name):
    def deco(fn):
        CASES.append((name, fn))
        return fn
    return deco


# ---------------------------------------------------------------------------
def big_capture(path, connections, concurrent=32, seed=17):
    """`connections` TCP connections, `concurrent` at a time, over a third as
    many 4-tuples, so most tuples are reused (c1, c2 names); a few end with
    RST, a few are still open at the end. Frames of a group interleave."""
    rng = random.Random(seed)
    tuples = max(1, connections // 3)
    w = gl.Writer(path)
    for group in range(0, connections, concurrent):
        frames = []
        for i in range(group, min(group + concurrent, connections)):
            t = i % tuples
            c = gl.ip4(0x0A010000 + (t >> 8))
            s = gl.ip4(0x0AC80001 + (t & 3))
            cport, sport = 20000 + (t & 0xFF), 80
            cseq, sseq = rng.randrange(1 << 32), rng.randrange(1 << 32)
            cdata = b"q%07d;" % i * rng.randrange(1, 4)
            sdata = b"r%07d:" % i * rng.randrange(0, 5)
            conn = [gl.tcp_frame(c, s, cport, sport, cseq, 0, gl.SYN),
                    gl.tcp_frame(s, c, sport, cport, sseq, cseq + 1, gl.SYN | gl.ACK),
                    gl.tcp_frame(c, s, cport, sport, cseq + 1, sseq + 1, gl.ACK | gl.PSH, cdata)]
            if sdata:
                conn.append(gl.tcp_frame(s, c, sport, cport, sseq + 1, cseq + 1 + len(cdata),
                                         gl.ACK | gl.PSH, sdata))
            cend, send = cseq + 1 + len(cdata), sseq + 1 + len(sdata)
            ending = rng.random()
            last_group = group + concurrent >= connections
            if ending < 0.05:
                conn.append(gl.tcp_frame(c, s, cport, sport, cend, send, gl.RST))
            elif ending >= 0.05 or not last_group:
                conn += [gl.tcp_frame(c, s, cport, sport, cend, send, gl.FIN | gl.ACK),
                         gl.tcp_frame(s, c, sport, cport, send, cend + 1, gl.FIN | gl.ACK),
                         gl.tcp_frame(c, s, cport, sport, cend + 1, send + 1, gl.ACK)]
            frames.append(conn)
        step = 0
        while any(step < len(f) for f in frames):
            for f in frames:
                if step < len(f):
                    w.add(f[step])
            step += 1
    w.close()


@case("big-port-reuse")
def big_port_reuse(binary, root, schema, connections):
    cap = os.path.join(root, "big.pcap")
    big_capture(cap, connections)
    args = ["-r", cap, "-o", "out", "-S", "jsonl=flows.jsonl"]
    # 3 and 7 shards: 1 and 2 are swept on every e2e scenario already, and
    # this case is about scale and port reuse (it runs in CI's resource step).
    problems = shard_lib.compare_sharded(binary, root, args, (3, 7), schema)
    # The capture must really exercise port reuse and its size.
    names = os.listdir(os.path.join(root, "single", "out"))
    reused = sum(1 for n in names if re.search(r"c\d+$", n))
    if len(names) < connections or reused < connections // 2:
        problems.append("capture too tame: %d files, %d with a connection count" %
                        (len(names), reused))
    return problems


# ---------------------------------------------------------------------------
def some_conversations(count=12, seed=3):
    convs = []
    for i in range(count):
        convs.append(e2e_lib.conv(client_len=700 + 97 * i, server_len=1500 + 31 * i, seed=seed + i,
                                  client=("10.0.%d.1" % i, 41000 + i), server=("10.9.0.2", 80)))
    # Two reuses of one tuple, for the connection count.
    for j in range(2):
        convs.append(e2e_lib.conv(client_len=300, server_len=400, seed=90 + j,
                                  client=("10.0.0.1", 41000), server=("10.9.0.2", 80),
                                  isn=(7000 + j * 99991, 9000 + j * 77773)))
    return e2e_lib.finalize_all(convs, spacing_ns=3_000_000)


def write_pcap(root, name, recs):
    path = os.path.join(root, name)
    with open(path, "wb") as f:
        f.write(pg.pcap_bytes(recs, pg.LINKTYPE_ETHERNET, nsec=True))
    return path


def without_inputs(text):
    """`text` without its <tcpflow:input> lines. A run of one input leaves
    them out and closes an empty <tcpflow:flow .../> on its line; a run of
    two lists them: an element emptied here is closed the same way."""
    out = []
    for line in text.split("\n"):
        if "<tcpflow:input>" in line:
            continue
        if (line.strip() == "</tcpflow:flow>" and out and
                out[-1].lstrip().startswith("<tcpflow:flow ") and not out[-1].endswith("/>")):
            out[-1] = out[-1][:-1] + "/>"
            continue
        out.append(line)
    return "\n".join(out)


def distinct_times(recs):
    """The records re-stamped 1 us apart, in their order: packets of two taps
    rarely share a time, and equal times would be merged in input order."""
    start = recs[0].ts_ns
    for i, r in enumerate(recs):
        r.ts_ns = start + i * 1000
    return recs


@case("merge-inputs")
def merge_inputs(binary, root, schema, _):
    problems = []
    recs = distinct_times(cv.records(some_conversations()))
    whole = write_pcap(root, "whole.pcap", recs)
    os.makedirs(os.path.join(root, "single"))
    rc, _, err = shard_lib.run(binary, ["-r", whole, "-o", "out"], os.path.join(root, "single"))
    if rc != 0:
        return ["single run: exit %d: %s" % (rc, err)]
    want = shard_lib.flow_outputs(os.path.join(root, "single", "out"))
    want_objects = without_inputs(shard_lib.fileobject_text(
        os.path.join(root, "single", "out", "report.xml")))
    splits = {
        # Two taps, one per direction (source MAC).
        "by-direction": lambda i, r: r.data[11] == 1,
        # Every other packet on each tap.
        "alternate": lambda i, r: i % 2 == 0,
    }
    for label, first in splits.items():
        a = write_pcap(root, label + "-a.pcap", [r for i, r in enumerate(recs) if first(i, r)])
        b = write_pcap(root, label + "-b.pcap", [r for i, r in enumerate(recs) if not first(i, r)])
        cwd = os.path.join(root, label)
        os.makedirs(cwd)
        rc, _, err = shard_lib.run(binary, ["--merge-inputs", "-r", b, "-r", a, "-o", "out"], cwd)
        if rc != 0:
            problems.append("%s: exit %d: %s" % (label, rc, err))
            continue
        got = shard_lib.flow_outputs(os.path.join(cwd, "out"))
        if got != want:
            problems.append("%s: flow files differ from the single capture's (%d vs %d files)" %
                            (label, len(got), len(want)))
        objects = without_inputs(shard_lib.fileobject_text(os.path.join(cwd, "out", "report.xml")))
        if objects != want_objects:
            problems.append("%s: report fileobjects differ from the single capture's" % label)
        # Without --merge-inputs the files are read one after the other: with
        # alternate packets, not the same (per direction, it may well be).
        rc, _, _ = shard_lib.run(binary, ["-r", b, "-r", a, "-o", "seq"], cwd)
        if label == "alternate" and shard_lib.flow_outputs(os.path.join(cwd, "seq")) == want:
            problems.append("%s: sequential reading gave the same output; the test proves "
                            "nothing" % label)
    # Sharded and merged inputs together.
    a = os.path.join(root, "by-direction-a.pcap")
    b = os.path.join(root, "by-direction-b.pcap")
    problems += shard_lib.compare_sharded(binary, os.path.join(root, "sharded"),
                                          ["--merge-inputs", "-r", a, "-r", b, "-o", "out"],
                                          (2, 3), schema)
    return problems


# ---------------------------------------------------------------------------
def mixed_capture(root):
    """TCP conversations plus UDP packets (which -w keeps)."""
    recs = cv.records(some_conversations(count=6, seed=40))
    udp = []
    for i, r in enumerate(recs[::7]):
        frame = gl.ETH + gl.ipv4_packet(gl.ip4("10.5.0.1"), gl.ip4("10.5.0.2"),
                                        struct.pack("!HHHH", 5000 + i, 53, 12, 0) + b"abcd",
                                        proto=17)
        udp.append(pg.Record(r.ts_ns + 1, pg.LINKTYPE_ETHERNET, frame))
    return write_pcap(root, "mixed.pcap", sorted(recs + udp, key=lambda r: r.ts_ns))


@case("unprocessed-w-from-shard-0")
def unprocessed(binary, root, schema, _):
    problems = []
    cap = mixed_capture(root)
    os.makedirs(os.path.join(root, "single"))
    shard_lib.run(binary, ["-r", cap, "-o", "out", "-w", "udp.pcap"], os.path.join(root, "single"))
    with open(os.path.join(root, "single", "udp.pcap"), "rb") as f:
        want = f.read()
    cwd = os.path.join(root, "shards")
    os.makedirs(cwd)
    for k in range(3):
        os.makedirs(os.path.join(cwd, str(k)))
        rc, _, err = shard_lib.run(binary, ["--shard", "%d/3" % k, "-r", cap, "-o", "../out",
                                            "-w", "udp.pcap"], os.path.join(cwd, str(k)))
        if rc != 0:
            problems.append("shard %d: exit %d: %s" % (k, rc, err))
        present = os.path.exists(os.path.join(cwd, str(k), "udp.pcap"))
        if k == 0:
            with open(os.path.join(cwd, "0", "udp.pcap"), "rb") as f:
                if f.read() != want:
                    problems.append("shard 0's -w file differs from the single run's")
        elif present:
            problems.append("shard %d wrote a -w file (only shard 0 should)" % k)
    if len(want) <= 24:
        problems.append("the capture has no unprocessed packets; the test proves nothing")
    return problems


@case("console-shows-own-connections")
def console(binary, root, schema, _):
    problems = []
    cap = write_pcap(root, "c.pcap", cv.records(some_conversations(count=8, seed=60)))
    rc, want, err = shard_lib.run(binary, ["-r", cap, "-c"], root)
    if rc != 0:
        return ["single -c: exit %d: %s" % (rc, err)]
    label = re.compile(rb"^(\d+)\.(\d+)\.(\d+)\.(\d+)\.(\d+)-(\d+)\.(\d+)\.(\d+)\.(\d+)\.(\d+): ")

    def shard_of_chunk(chunk, n):
        m = label.match(chunk)
        g = [int(x) for x in m.groups()]
        return shardhash.shard_of(n, "%d.%d.%d.%d" % tuple(g[0:4]), g[4],
                                  "%d.%d.%d.%d" % tuple(g[5:9]), g[9])

    chunks = [c for c in re.split(rb"\n(?=\d+\.\d+\.\d+\.\d+\.\d+-)", want.rstrip(b"\n")) if c]
    for k in range(3):
        rc, got, err = shard_lib.run(binary, ["--shard", "%d/3" % k, "-r", cap, "-c"], root)
        if rc != 0:
            problems.append("shard %d -c: exit %d: %s" % (k, rc, err))
            continue
        mine = [c for c in chunks if shard_of_chunk(c, 3) == k]
        expect = b"\n".join(mine) + (b"\n" if mine else b"")
        if got != expect:
            problems.append("shard %d printed %d bytes; the single run's chunks of its "
                            "connections are %d bytes" % (k, len(got), len(expect)))
    return problems


# ---------------------------------------------------------------------------
def expect_error(binary, args, cwd, words, problems, what):
    rc, _, err = shard_lib.run(binary, args, cwd)
    if rc == 0 or rc >= 128 or rc < 0:
        problems.append("%s: exit %d, expected an error" % (what, rc))
    for w in words:
        if w.lower() not in err.lower():
            problems.append("%s: stderr lacks %r: %s" % (what, w, err.strip()[:200]))


@case("bad-input")
def bad_input(binary, root, schema, _):
    problems = []
    cap = write_pcap(root, "b.pcap", cv.records(some_conversations(count=4, seed=80)))
    expect_error(binary, ["--shard", "3/3", "-r", cap, "-o", "o1"], root,
                 ["--shard", "K must be below N"], problems, "--shard 3/3")
    expect_error(binary, ["--shard", "x", "-r", cap, "-o", "o1"], root,
                 ["--shard", "'x'"], problems, "--shard x")
    expect_error(binary, ["--shard", "1/0", "-r", cap, "-o", "o1"], root, ["--shard"], problems,
                 "--shard 1/0")
    if os.path.exists(os.path.join(root, "o1")):
        problems.append("a refused --shard run created its output directory")
    # A missing shard.
    for k in (0, 2):
        shard_lib.run(binary, ["--shard", "%d/3" % k, "-r", cap, "-o", "m"], root)
    expect_error(binary, ["--merge-reports", "-o", "m"], root,
                 ["missing", "report.shard-1-of-3.xml"], problems, "missing shard")
    if os.path.exists(os.path.join(root, "m", "report.xml")):
        problems.append("a refused merge wrote report.xml")
    # Shards of different N side by side.
    shard_lib.run(binary, ["--shard", "1/3", "-r", cap, "-o", "m"], root)
    shard_lib.run(binary, ["--shard", "0/2", "-r", cap, "-o", "m"], root)
    expect_error(binary, ["--merge-reports", "-o", "m"], root, ["different shard counts"],
                 problems, "different N")
    # Shards of different options.
    shard_lib.run(binary, ["--shard", "0/2", "-r", cap, "-o", "d"], root)
    shard_lib.run(binary, ["--shard", "1/2", "-r", cap, "-o", "d", "-b", "100"], root)
    expect_error(binary, ["--merge-reports", "-o", "d"], root, ["differ", "shard_options"],
                 problems, "different options")
    # Shards of different inputs.
    other = write_pcap(root, "other.pcap", cv.records(some_conversations(count=3, seed=81)))
    shard_lib.run(binary, ["--shard", "0/2", "-r", cap, "-o", "e"], root)
    os.rename(os.path.join(root, "e", "report.shard-0-of-2.xml"), os.path.join(root, "keep.xml"))
    shard_lib.run(binary, ["--shard", "1/2", "-r", other, "-o", "e"], root)
    shard_lib.run(binary, ["--shard", "0/2", "-r", other, "-o", "e"], root)
    os.rename(os.path.join(root, "keep.xml"), os.path.join(root, "e", "report.shard-0-of-2.xml"))
    expect_error(binary, ["--merge-reports", "-o", "e"], root, ["differ"], problems,
                 "different inputs")
    # Nothing to merge.
    os.makedirs(os.path.join(root, "empty"))
    expect_error(binary, ["--merge-reports", "-o", "empty"], root, ["no shard reports"], problems,
                 "no shards")
    # --merge-reports takes no input; --merge-inputs needs files.
    expect_error(binary, ["--merge-reports", "-r", cap, "-o", "m"], root, ["--merge-reports"],
                 problems, "--merge-reports with -r")
    expect_error(binary, ["--merge-inputs", "-i", "lo"], root, ["--merge-inputs"], problems,
                 "--merge-inputs live")
    return problems
