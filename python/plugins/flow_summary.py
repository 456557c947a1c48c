"""Sample plugin for tcpflow's python scanner.

    tcpflow -r capture.pcap -o out -e python \\
        -S py_path=python/plugins -S py_module=flow_summary -S py_function=summary

tcpflow calls summary(path) once for every flow file it has closed; the
string returned goes into that flow's report entry as <tcpflow:python> (and
into flows.jsonl as "python" with -S jsonl=FILE). Returning None adds
nothing; an exception is reported for that flow and the run goes on.
"""

READ_LIMIT = 1 << 20   # look at the first MiB only: flows can be huge
LINE_LIMIT = 60        # characters of the first line kept


def summarize_bytes(data, size):
    """'bytes=N printable=P.PPP first_line=...' for the file's first bytes."""
    printable = sum(1 for b in data if 32 <= b < 127 or b in (9, 10, 13))
    ratio = printable / len(data) if data else 0.0
    first = data.split(b"\n", 1)[0].rstrip(b"\r")[:LINE_LIMIT]
    line = "".join(chr(b) if 32 <= b < 127 else "." for b in first)
    return "bytes=%d printable=%.3f first_line=%s" % (size, ratio, line)


def summary(path):
    with open(path, "rb") as f:
        data = f.read(READ_LIMIT)
        f.seek(0, 2)
        size = f.tell()
    return summarize_bytes(data, size)
