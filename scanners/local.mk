libscanners_a_SOURCES += scanners/scan_md5.cpp scanners/registry.cpp \
	scanners/scan_netviz.cpp scanners/scan_netviz.h scanners/legacy_names.cpp
# The python scanner embeds CPython when configure found python3-embed;
# otherwise a stand-in tells -e python users to install python3-dev.
if HAVE_PYTHON_EMBED
libscanners_a_SOURCES += scanners/scan_python.cpp scanners/python_api.cpp
else
libscanners_a_SOURCES += scanners/scan_python_missing.cpp
endif
EXTRA_DIST += scanners/scan_python.cpp scanners/scan_python_missing.cpp scanners/python_api.cpp
# Python's headers as system headers: their warnings are not ours.
libscanners_a_CPPFLAGS = $(AM_CPPFLAGS) $(PYTHON_EMBED_CFLAGS:-I%=-isystem %)
tests_unit_tests_SOURCES += tests/unit/scanners_test.cpp
libscanners_a_SOURCES += scanners/scan_http.cpp scanners/http_parser.cpp \
	scanners/http_chunked.cpp scanners/http_inflate.cpp scanners/http_body.cpp \
	scanners/http_command.cpp scanners/http_record.cpp
tests_unit_tests_SOURCES += tests/unit/http_parser_test.cpp tests/unit/http_body_test.cpp \
	tests/unit/http_record_test.cpp
tests_unit_tests_SOURCES += tests/unit/legacy_names_test.cpp

# Headers (listed so that `make dist` ships them; add new ones here).
noinst_HEADERS += scanners/http_body.h \
	scanners/http_chunked.h \
	scanners/http_command.h \
	scanners/http_inflate.h \
	scanners/http_line.h \
	scanners/http_parser.h \
	scanners/http_record.h \
	scanners/registry.h \
	scanners/scan_http.h \
	scanners/scan_md5.h \
	scanners/python_api.h \
	scanners/scan_python.h \
	scanners/scanner.h
noinst_HEADERS += scanners/scanner_options.h
noinst_HEADERS += scanners/legacy_names.h
