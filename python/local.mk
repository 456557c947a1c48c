# Tests of the Python report reader (python/tcpflow_report.py), run with
# python3 when it is installed and skipped (exit 77) otherwise.
TESTS += python/run_tests.sh
EXTRA_DIST += python/run_tests.sh python/tcpflow_report.py \
	python/tests/test_tcpflow_report.py python/tests/test_flow_summary.py \
	python/plugins/flow_summary.py \
	python/tests/fixtures/report.xml python/tests/fixtures/flows.jsonl \
	python/tests/fixtures/report-1.6.1.xml python/tests/fixtures/report-all-attributes.xml

# Installed: the reader as a module (import tcpflow_report; python3 -m
# tcpflow_report), the sample plugins under $(pkgdatadir)/plugins.
python_PYTHON = python/tcpflow_report.py
pluginsdir = $(pkgdatadir)/plugins
dist_plugins_DATA = python/plugins/flow_summary.py
