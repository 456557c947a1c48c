#!/bin/sh
# make check entry for the Kubernetes recipe (tests/shard/check_k8s_recipe.py):
# valid YAML of the right shape, and its container commands, run by /bin/sh
# with each JOB_COMPLETION_INDEX, give a single run's output.
here=$(dirname "$0")
srcdir=${srcdir:-$here/../..}
tcpflow=${TCPFLOW:-./tcpflow}
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE
exec python3 "$srcdir/tests/shard/check_k8s_recipe.py" "$tcpflow"
