# Resource-limit and fault tests (tests/limits/run_limits.py): SYN flood with
# max_flows, out-of-order budget, -f fd limit, fragment limits, full disk,
# SIGTERM, truncated capture. About a minute on an idle 2-core machine; the
# 1,000,000-flow SYN flood runs only from .ci/run (TCPFLOW_LIMITS_BIG=1).
TESTS += tests/limits/run.sh
EXTRA_DIST += tests/limits/run.sh tests/limits/run_limits.py tests/limits/gen_limits.py
