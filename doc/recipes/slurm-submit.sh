#!/bin/bash
# Usage: slurm-submit.sh N OUTDIR CAPTURE...
# Submits a Slurm job array of N tasks (task K runs tcpflow --shard K/N over
# every capture, writing into OUTDIR) and a merge job that starts once all
# N tasks succeeded. Prints the two job ids (array, merge).
# OUTDIR and the captures must be on a file system every node sees.
# TCPFLOW and TCPFLOW_OPTS are passed on (see tcpflow-shard.sbatch); extra
# sbatch options (partition, time limit) go in SBATCH_OPTS.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 N OUTDIR CAPTURE..." >&2
  exit 2
fi
shards=$1 out=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
export OUT="$out" TCPFLOW="${TCPFLOW:-tcpflow}" TCPFLOW_OPTS="${TCPFLOW_OPTS:-}"
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_OPTS:-} --export=ALL --array="0-$((shards - 1))" \
  "$here/tcpflow-shard.sbatch" "$@")
array=${array%%;*}  # --parsable prints "id;cluster" on multi-cluster setups
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_OPTS:-} --export=ALL --dependency="afterok:$array" \
  "$here/tcpflow-merge.sbatch")
echo "$array ${merge%%;*}"
