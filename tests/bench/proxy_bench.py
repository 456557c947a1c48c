#!/usr/bin/env python3
"""Recording proxy benchmark: tcpflow --proxy against socat on loopback.

For each forwarder (socat; tcpflow --proxy recording both directions into a
tmpfs directory; tcpflow --proxy-record none) it measures
  - throughput: one connection sending SIZE MiB to a discarding server;
  - connections/s: CONNS short request/response exchanges from 8 clients.
Prints one line per forwarder and the ratios to socat. Run by
`make bench-proxy` (BENCH_ARGS="--quick" for a smoke check); needs socat.
Usage: proxy_bench.py TCPFLOW [--quick] [--size MIB] [--conns N]
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

CHUNK = 1 << 20


def discard_server():
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)

    def serve(conn):
        buf = bytearray(CHUNK)
        with conn:
            first = True
            while True:
                n = conn.recv_into(buf)
                if not n:
                    break
                if first and buf[:4] == b"PING":
                    conn.sendall(b"PONG" * 64)
                first = False

    def accept():
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return sock, sock.getsockname()[1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_forwarder(kind, tcpflow, target_port, outdir):
    if kind == "socat":
        port = free_port()
        proc = subprocess.Popen(["socat", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork",
                                 f"TCP:127.0.0.1:{target_port}"])
        deadline = time.time() + 5
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.02)
        return proc, port, None
    args = [tcpflow, "--proxy", "127.0.0.1:0", "--proxy-to", f"127.0.0.1:{target_port}",
            "-o", outdir]
    if kind == "tcpflow-none":
        args += ["--proxy-record", "none"]
    err = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(args, stderr=err)
    deadline = time.time() + 5
    while time.time() < deadline:
        err.seek(0)
        found = re.search(r"listening on .*:(\d+),", err.read())
        if found:
            return proc, int(found.group(1)), err
        time.sleep(0.02)
    raise SystemExit("tcpflow did not start")


def throughput(port, size_mib):
    data = os.urandom(CHUNK)
    sock = socket.create_connection(("127.0.0.1", port))
    started = time.perf_counter()
    for _ in range(size_mib):
        sock.sendall(data)
    sock.shutdown(socket.SHUT_WR)
    sock.recv(1)  # the server closes once it has read everything
    elapsed = time.perf_counter() - started
    sock.close()
    return size_mib / elapsed


def connection_rate(port, total, workers=8):
    def worker(count):
        for _ in range(count):
            with socket.create_connection(("127.0.0.1", port)) as s:
                s.sendall(b"PING")
                got = 0
                while got < 256:
                    chunk = s.recv(256)
                    if not chunk:
                        break
                    got += len(chunk)
                s.shutdown(socket.SHUT_WR)
    threads = [threading.Thread(target=worker, args=(total // workers,)) for _ in range(workers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (total // workers * workers) / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tcpflow")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--size", type=int, default=2048, help="MiB for the throughput test")
    parser.add_argument("--conns", type=int, default=4000)
    args = parser.parse_args()
    if args.quick:
        args.size, args.conns = 64, 200
    if shutil.which("socat") is None:
        print("SKIP: socat is not installed (apt-get install socat)")
        return 77
    scratch_root = "/dev/shm" if os.path.isdir("/dev/shm") else None
    server, server_port = discard_server()
    results = {}
    for kind in ("socat", "tcpflow", "tcpflow-none"):
        outdir = tempfile.mkdtemp(prefix="tcpflow-proxy-bench-", dir=scratch_root)
        try:
            proc, port, err = start_forwarder(kind, os.path.abspath(args.tcpflow), server_port, outdir)
            try:
                mib_s = throughput(port, args.size)
                rate = connection_rate(port, args.conns)
            finally:
                proc.terminate()
                proc.wait(60)
            results[kind] = (mib_s, rate)
            print(f"{kind:14s} {mib_s:9.1f} MiB/s {rate:9.1f} connections/s", flush=True)
        finally:
            shutil.rmtree(outdir, ignore_errors=True)  # tmpfs is memory
    base = results["socat"]
    for kind in ("tcpflow", "tcpflow-none"):
        print(f"{kind} / socat: throughput {results[kind][0] / base[0]:.2f}x, "
              f"connections/s {results[kind][1] / base[1]:.2f}x")
    server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
