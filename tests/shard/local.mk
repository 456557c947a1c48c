# Sharded runs and the report merge (issue 17): tests/shard/run_shard.py.
# tests/slurm/run_slurm.sh runs the Slurm recipe on a one-node cluster; it
# needs root and installs slurm-wlm and munge, so .ci/run calls it, not make check.
TESTS += tests/shard/run.sh tests/shard/run_k8s.sh
EXTRA_DIST += tests/shard/run.sh tests/shard/run_k8s.sh tests/shard/check_k8s_recipe.py tests/shard/run_shard.py tests/shard/shard_cases.py \
	tests/shard/shard_lib.py tests/shard/shardhash.py tests/slurm/run_slurm.sh \
	doc/SHARDING.md doc/recipes/slurm-submit.sh doc/recipes/tcpflow-merge.sbatch \
	doc/recipes/tcpflow-shard.sbatch doc/recipes/tcpflow-shards-job.yaml
