# libFuzzer targets (tests/fuzz/README.md). Not part of `make` or `make check`:
#   make fuzz                    build tests/fuzz/fuzz_{decode,reassembler,filename,http} with clang++
#   make fuzz-run [FUZZ_SECONDS=60]  seed the corpora and run each target for FUZZ_SECONDS
# The normal (g++) build never needs clang: these rules compile the library
# sources directly with $(FUZZ_CXX).
FUZZ_CXX = clang++
FUZZ_SECONDS = 60
FUZZ_TARGETS = fuzz_decode fuzz_reassembler fuzz_filename fuzz_http
# Scanner sources the targets need (fuzz_http: the HTTP parser and zlib path).
FUZZ_SCANNER_SRCS = scanners/http_parser.cpp scanners/http_chunked.cpp scanners/http_inflate.cpp

fuzz:
	FUZZ_CXX='$(FUZZ_CXX)' FUZZ_DEP_CFLAGS='$(PCAP_CFLAGS) $(ZLIB_CFLAGS) $(ZSTD_CFLAGS) $(LZMA_CFLAGS) $(CRYPTO_CFLAGS) $(TINYXML2_CFLAGS) $(CAIRO_CFLAGS)' \
	  $(SHELL) $(top_srcdir)/tests/fuzz/build.sh '$(top_srcdir)' '$(top_builddir)' \
	  '$(libtcpflow_a_SOURCES) $(FUZZ_SCANNER_SRCS)' '$(PCAP_LIBS) $(ZLIB_LIBS) $(ZSTD_LIBS) $(LZMA_LIBS) $(BZ2_LIBS) $(CRYPTO_LIBS) $(TINYXML2_LIBS)'

fuzz-run: fuzz
	python3 $(top_srcdir)/tests/fuzz/run_fuzz.py --bin-dir tests/fuzz --seconds $(FUZZ_SECONDS) \
	  $(FUZZ_TARGETS)

fuzz-clean:
	rm -rf tests/fuzz/obj tests/fuzz/work $(addprefix tests/fuzz/,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-run fuzz-clean
EXTRA_DIST += tests/fuzz/build.sh tests/fuzz/run_fuzz.py tests/fuzz/make_seeds.py \
	tests/fuzz/fuzz_decode.cpp tests/fuzz/fuzz_reassembler.cpp tests/fuzz/fuzz_filename.cpp \
	tests/fuzz/fuzz_http.cpp \
	tests/fuzz/regressions/fuzz_http/resync-after-chunk-line-too-long \
	tests/fuzz/regressions/fuzz_http/resync-start-line-cut \
	tests/fuzz/README.md
