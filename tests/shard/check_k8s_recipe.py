#!/usr/bin/env python3
"""The Kubernetes recipe (doc/recipes/tcpflow-shards-job.yaml) is valid YAML
of the shape Kubernetes needs (two batch/v1 Jobs, the first Indexed with as
many completions as SHARDS), and its containers' command lines, run here by
/bin/sh with the environment Kubernetes gives them (JOB_COMPLETION_INDEX for
each index, the env entries of the manifest pointed at a temporary
directory), produce exactly the flow files and report of a single run.

Usage: check_k8s_recipe.py TCPFLOW      prints "N passed, N failed"
Exit 77 (skipped) when python3-yaml is missing.
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
RECIPE = os.path.join(ROOT, "doc", "recipes", "tcpflow-shards-job.yaml")
sys.path.insert(0, os.path.join(ROOT, "tests", "gen"))
sys.dont_write_bytecode = True

try:
    import yaml
except ImportError:
    print("SKIP: python3-yaml is not installed (apt-get install python3-yaml)")
    sys.exit(77)

import conversation as cv  # noqa: E402
import pcapgen as pg  # noqa: E402

failures = []
passed = 0


def check(name, ok, detail=""):
    global passed
    if ok:
        passed += 1
        print("PASS", name)
    else:
        failures.append(name)
        print("FAIL %s%s" % (name, ": " + detail if detail else ""))


def container_env(container, data_dir):
    """The container's env entries, with the manifest's /data mount moved to data_dir."""
    env = {}
    for entry in container.get("env", []):
        env[entry["name"]] = str(entry["value"]).replace("/data", data_dir, 1)
    return env


def run_container(container, binary_dir, data_dir, extra_env):
    command = container["command"] + container["args"]
    env = dict(os.environ)
    env["PATH"] = binary_dir + os.pathsep + env.get("PATH", "")
    env.update(container_env(container, data_dir))
    env.update(extra_env)
    return subprocess.run(command, env=env, capture_output=True, timeout=120)


def tree(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


def fileobjects(report_path):
    with open(report_path, encoding="utf-8") as f:
        text = f.read()
    start = text.find("<fileobject")
    end = text.rfind("</fileobject>")
    body = text[start:end] if start >= 0 else ""
    # shard_seq numbers the merged entries; a single run has none
    import re
    return re.sub(r' tcpflow:shard_seq="\d+"', "", body)


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "./tcpflow")
    with open(RECIPE, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    check("two documents, both batch/v1 Jobs",
          len(docs) == 2 and all(d.get("apiVersion") == "batch/v1" and d.get("kind") == "Job"
                                 for d in docs))
    shards_job, merge_job = docs[0], docs[1]
    spec = shards_job["spec"]
    shard_container = spec["template"]["spec"]["containers"][0]
    shards = int(container_env(shard_container, "/data")["SHARDS"])
    check("the shard Job is Indexed with completions = parallelism = SHARDS",
          spec.get("completionMode") == "Indexed" and spec.get("completions") == shards
          and spec.get("parallelism") == shards, "%r, SHARDS=%d" % (spec, shards))
    check("restartPolicy Never in both", all(
        d["spec"]["template"]["spec"].get("restartPolicy") == "Never" for d in docs))

    # A capture with port reuse, so names and counters depend on every connection.
    convs = []
    for i in range(12):
        convs.append(cv.Conversation(client=("10.0.0.%d" % (1 + i % 3), 40000 + i % 4),
                                     server=("10.0.1.1", 80),
                                     client_data=bytes([65 + i]) * (300 + 17 * i),
                                     server_data=bytes([97 + i]) * (900 + 31 * i)))
    t = cv.DEFAULT_START_NS
    for c in convs:
        c.finalize(t, cv.DEFAULT_STEP_NS)
        t = max(p.last_ts for p in c.pkts) + 10 * cv.DEFAULT_STEP_NS
    packets = cv.merge(convs)
    top = tempfile.mkdtemp(prefix="tcpflow-k8s-")
    try:
        data = os.path.join(top, "data")
        os.makedirs(data)
        capture = os.path.join(data, "capture.pcap")
        with open(capture, "wb") as f:
            f.write(pg.pcap_bytes(cv.records(packets), pg.LINKTYPE_ETHERNET))
        single = os.path.join(top, "single")
        r = subprocess.run([binary, "-r", capture, "-o", single], capture_output=True)
        check("single run", r.returncode == 0, r.stderr.decode(errors="replace"))

        bindir = os.path.join(top, "bin")
        os.makedirs(bindir)
        os.symlink(binary, os.path.join(bindir, "tcpflow"))
        ok = True
        for k in range(shards):
            r = run_container(shard_container, bindir, data, {"JOB_COMPLETION_INDEX": str(k)})
            ok = ok and r.returncode == 0
        check("every index's container command exits 0", ok)
        init = merge_job["spec"]["template"]["spec"]["initContainers"][0]
        r = run_container(init, bindir, data, {})
        check("the merge Job's init container finds every shard report", r.returncode == 0,
              r.stderr.decode(errors="replace"))
        merge = merge_job["spec"]["template"]["spec"]["containers"][0]
        r = run_container(merge, bindir, data, {})
        check("the merge Job's command exits 0", r.returncode == 0,
              r.stderr.decode(errors="replace"))
        out = container_env(shard_container, data)["OUT"]
        got = {p: b for p, b in tree(out).items() if not p.startswith("report")}
        want = {p: b for p, b in tree(single).items() if not p.startswith("report")}
        check("the shards' flow files equal the single run's", got == want,
              "names differ: %s" % sorted(set(got) ^ set(want)))
        check("the merged report's fileobjects equal the single run's",
              fileobjects(os.path.join(out, "report.xml"))
              == fileobjects(os.path.join(single, "report.xml")))
    finally:
        shutil.rmtree(top, ignore_errors=True)
    print("%d passed, %d failed" % (passed, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
