#!/bin/sh
# make check entry for the Kubernetes recipe (tests/shard/check_k8s_recipe.py):
# valid YAML of the right shape, and its container commands, run by /bin/sh
# with each JOB_COMPLETION_INDEX, give a single run's output.
. "$(dirname "$0")/../python_test.sh"
run_python_test tests/shard/check_k8s_recipe.py "$tcpflow"
