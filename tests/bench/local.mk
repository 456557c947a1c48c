# Benchmark: `make bench` (see tests/bench/README.md). The generator and the
# floor programs are EXTRA_PROGRAMS, built only for this target.
BENCH_BINS = tests/bench/benchgen$(EXEEXT) tests/bench/benchrun$(EXEEXT) \
	tests/bench/readfloor$(EXEEXT) tests/bench/writefloor$(EXEEXT)
EXTRA_PROGRAMS = tests/bench/benchgen tests/bench/benchrun tests/bench/readfloor \
	tests/bench/writefloor

tests_bench_benchgen_SOURCES = tests/bench/benchgen.cpp \
	src/util/md5_lanes.cpp \
	tests/bench/pcap_out.cpp tests/bench/pcap_out.h \
	tests/bench/random.h \
	tests/bench/simulator.cpp tests/bench/simulator.h \
	tests/bench/workload.cpp tests/bench/workload.h
tests_bench_benchgen_LDADD =
tests_bench_benchrun_SOURCES = tests/bench/benchrun.cpp
tests_bench_benchrun_LDADD =
tests_bench_readfloor_SOURCES = tests/bench/readfloor.cpp
tests_bench_readfloor_LDADD = $(PCAP_LIBS)
tests_bench_writefloor_SOURCES = tests/bench/writefloor.cpp
tests_bench_writefloor_LDADD =

EXTRA_DIST += tests/bench/run tests/bench/fresh_ext4.py tests/bench/bench_machine.py \
	tests/bench/bench_report.py tests/bench/README.md \
	tests/bench/proxy_bench.py tests/bench/live_bench.py
CLEANFILES += $(BENCH_BINS)

# Options go through BENCH_ARGS, e.g. make bench BENCH_ARGS="--quick";
# TCPFLOW=/path/to/tcpflow overrides the binary under test.
bench: $(BENCH_BINS) tcpflow$(EXEEXT)
	py='$(PYTHON3)'; \
	BENCHGEN=tests/bench/benchgen$(EXEEXT) \
	BENCHRUN=tests/bench/benchrun$(EXEEXT) \
	READFLOOR=tests/bench/readfloor$(EXEEXT) \
	WRITEFLOOR=tests/bench/writefloor$(EXEEXT) \
	TCPFLOW="$${TCPFLOW:-./tcpflow$(EXEEXT)}" \
	$${py:-python3} $(srcdir)/tests/bench/run $(BENCH_ARGS)

# Only the bench programs, without tcpflow (for working on the benchmark).
bench-programs: $(BENCH_BINS)

# The recording proxy against socat (issue 15): make bench-proxy
# BENCH_ARGS="--quick" for a smoke check.
bench-proxy: tcpflow$(EXEEXT)
	py='$(PYTHON3)'; $${py:-python3} $(srcdir)/tests/bench/proxy_bench.py \
	"$${TCPFLOW:-./tcpflow$(EXEEXT)}" $(BENCH_ARGS)

# Live capture under load (issue 18): tcpreplay into a veth pair in a
# namespace of its own, rising rates; needs root and tcpreplay.
bench-live: tcpflow$(EXEEXT) tests/bench/benchgen$(EXEEXT)
	py='$(PYTHON3)'; $${py:-python3} $(srcdir)/tests/bench/live_bench.py \
	--tcpflow "$${TCPFLOW:-./tcpflow$(EXEEXT)}" --benchgen tests/bench/benchgen$(EXEEXT) $(BENCH_ARGS)

.PHONY: bench bench-programs bench-proxy bench-live
