#!/bin/bash
# The Slurm recipe of doc/SHARDING.md, run for real: installs slurm-wlm and
# munge (Debian) when missing, starts a private munged, slurmctld and slurmd
# as a one-node cluster on localhost (generated slurm.conf, free ports, all
# state in a temporary directory), submits doc/recipes/slurm-submit.sh's job
# array of 4 shards and its dependent merge job, waits for them, compares the
# result with a single run (flow files: names, bytes, mtimes; the merged
# report's fileobjects), and stops every daemon it started.
# Needs root (package installation, daemons); exits 77 (skipped) otherwise.
# Usage: tests/slurm/run_slurm.sh [TCPFLOW]   (default ./tcpflow)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
tcpflow=$(realpath "${1:-${TCPFLOW:-./tcpflow}}")
shards=4
connections=${SLURM_TEST_CONNECTIONS:-3000}

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: the Slurm test needs root (it installs slurm-wlm and munge and starts slurmctld, slurmd and munged)"
  exit 77
fi
[ -x "$tcpflow" ] || { echo "FAIL: $tcpflow not built"; exit 1; }
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  echo "installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends slurm-wlm munge >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends slurm-wlm munge >/dev/null; }
fi

work=$(mktemp -d /tmp/tcpflow-slurm.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  local rc=$?
  # Stop only what this script started, by process id, newest first.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ $rc -ne 0 ]; then
    for log in "$work"/*.log; do [ -f "$log" ] && { echo "--- $log"; tail -n 25 "$log"; }; done
  fi
  [ "${SLURM_TEST_KEEP:-0}" = 1 ] && echo "kept $work" || rm -rf "$work"
  exit $rc
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
host=$(hostname -s)
mkdir -p "$work/state" "$work/spool" "$work/munge"
chmod 755 "$work/munge"  # munged wants its socket directory searchable

# munge: a key and a socket of our own, so a system munged is left alone.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --foreground --key-file="$work/munge/munge.key" --socket="$work/munge/munge.sock" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munged.log" \
  --seed-file="$work/munge/munged.seed" --force >"$work/munged.out.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$work/munge/munge.sock" ] && break; sleep 0.1; done
[ -S "$work/munge/munge.sock" ] || { echo "FAIL: munged did not start"; exit 1; }

cpus=$(nproc)
cat >"$work/slurm.conf" <<CONF
ClusterName=tcpflowtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.sock
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -D -i -f "$SLURM_CONF" >"$work/slurmctld.out.log" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" >"$work/slurmd.out.log" 2>&1 &
pids+=($!)
state=""
for _ in $(seq 120); do
  state=$(sinfo -h -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.5
done
[ "$state" = idle ] || { echo "FAIL: the node did not become idle (state '$state')"; exit 1; }
echo "one-node Slurm cluster up on $host"

cd "$work"
python3 -c "
import sys; sys.path.insert(0, '$src/tests/shard'); sys.dont_write_bytecode = True
import shard_cases; shard_cases.big_capture('$work/capture.pcap', $connections)"
"$tcpflow" -r "$work/capture.pcap" -o "$work/single"

ids=$(TCPFLOW="$tcpflow" "$src/doc/recipes/slurm-submit.sh" "$shards" "$work/out" "$work/capture.pcap")
array=${ids% *} merge=${ids#* }
echo "submitted job array $array ($shards tasks) and merge job $merge"
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | sort -u | tr '\n' ' '; }
final=""
for _ in $(seq 600); do
  final=$(job_state "$merge")
  case "$final" in
    "COMPLETED ") break ;;
    *FAILED*|*CANCELLED*|*TIMEOUT*|*NODE_FAIL*|*OUT_OF_MEMORY*) break ;;
  esac
  sleep 0.5
done
echo "array tasks: $(job_state "$array")  merge job: $final"
[ "$final" = "COMPLETED " ] || { echo "FAIL: the merge job did not complete"; exit 1; }
[ "$(job_state "$array")" = "COMPLETED " ] || { echo "FAIL: not every array task completed"; exit 1; }
python3 - "$work" "$shards" <<PY
import os, sys
sys.path.insert(0, "$src/tests/shard"); sys.dont_write_bytecode = True
import shard_lib
work, n = sys.argv[1], int(sys.argv[2])
want = shard_lib.flow_outputs(os.path.join(work, "single"))
got = shard_lib.flow_outputs(os.path.join(work, "out"))
problems = []
if want != got:
    problems.append("flow files differ: %d in the single run, %d from the shards; first differing: %s"
                    % (len(want), len(got), sorted(set(want) ^ set(got))[:3] or
                       [k for k in want if want[k] != got.get(k)][:3]))
if shard_lib.fileobject_text(os.path.join(work, "out", "report.xml")) != \
   shard_lib.fileobject_text(os.path.join(work, "single", "report.xml")):
    problems.append("merged report's fileobjects differ from the single run's")
for k in range(n):
    if not os.path.exists(os.path.join(work, "out", "report.shard-%d-of-%d.xml" % (k, n))):
        problems.append("no report from shard %d" % k)
complaint = shard_lib.xmllint(os.path.join(work, "out", "report.xml"),
                              os.path.join("$src", "..", "shared", "dfxml-schema", "dfxml.xsd"))
if complaint:
    problems.append("merged report does not validate: " + complaint)
for p in problems:
    print("FAIL: " + p)
print("PASS: %d shards through Slurm, %d flow files equal to the single run's" % (n, len(want))
      if not problems else "")
sys.exit(1 if problems else 0)
PY
