#!/bin/sh
# make check entry for --shard K/N, --merge-reports and --merge-inputs
# (tests/shard/run_shard.py): plain-file e2e scenarios split into 1, 2, 3
# and 7 shards and merged, --merge-inputs, -w, the console and bad input.
# The 100,000-connection capture with port reuse (about 5 minutes and
# gigabytes of scratch) runs in .ci/run's resource step instead, unless
# TCPFLOW_SHARD_ARGS says otherwise.
. "$(dirname "$0")/../python_test.sh"
# shellcheck disable=SC2086 # TCPFLOW_SHARD_ARGS is a list of words
run_python_test tests/shard/run_shard.py "$tcpflow" ${TCPFLOW_SHARD_ARGS---big-connections 0}
