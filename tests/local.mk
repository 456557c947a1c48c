# Unit tests are listed by each module's local.mk (tests_unit_tests_SOURCES).

# End-to-end tests: generated captures with known truth (tests/e2e/run_e2e.py,
# generator in tests/gen/), and the shared real-capture corpus
# (tests/corpus/run_corpus.py; skipped when ../shared/corpus is absent).
# Both run ./tcpflow from the build directory unless TCPFLOW is set.
TESTS += tests/e2e/run.sh tests/corpus/run.sh tests/corpus/tunnel_corpus.sh
EXTRA_DIST += tests/python_test.sh tests/e2e/run.sh tests/e2e/run_e2e.py tests/e2e/e2e_lib.py \
	tests/e2e/scenarios_link.py tests/e2e/scenarios_ip.py \
	tests/e2e/scenarios_tcp.py tests/e2e/scenarios_cli.py \
	tests/e2e/scenarios_testdata.py tests/e2e/scenarios_console.py \
	tests/e2e/scenarios_options.py tests/e2e/scenarios_scanners.py \
	tests/e2e/options_lib.py tests/e2e/scenarios_pcap_outputs.py \
	tests/e2e/scenarios_run_options.py \
	tests/e2e/scenarios_http.py tests/e2e/scenarios_perf.py \
	tests/e2e/scenarios_corrupt.py tests/e2e/scenarios_unprocessed.py \
	tests/e2e/scenarios_netviz.py tests/e2e/scenarios_tunnel.py \
	tests/e2e/README.md \
	tests/corpus/run.sh tests/corpus/run_corpus.py \
	tests/corpus/tunnel_corpus.sh tests/corpus/tunnel_corpus.py \
	tests/gen/pcapgen.py tests/gen/conversation.py tests/gen/make_testdata.py \
	tests/gen/selftest.py \
	testdata/README.md testdata/http-demo.pcap testdata/reassembly.pcap \
	testdata/ipv6-vlan-frag.pcapng testdata/mixed-linktypes.pcapng \
	testdata/port-reuse.pcap
# issue 23: notices, report status, progress (scenarios_run_notices.py).
EXTRA_DIST += tests/e2e/scenarios_run_notices.py
# Connection records and HTTP message times (issue 23.6, 23.8).
EXTRA_DIST += tests/e2e/scenarios_connections.py
EXTRA_DIST += tests/e2e/scenarios_attrib.py
# report.xml leaves out attributes at their default (issue 18.7).
EXTRA_DIST += tests/e2e/scenarios_report.py tests/e2e/scenarios_md5.py
# A capture picked up mid-connection: the hold window (issues 19.3, 22.3).
EXTRA_DIST += tests/e2e/scenarios_midstream.py
# Captures compressed with zstd, bzip2 or xz (issue 15.2).
EXTRA_DIST += tests/e2e/scenarios_compressed_input.py
