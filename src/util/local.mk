libtcpflow_a_SOURCES += src/util/bounded_queue.h src/util/command_words.cpp src/util/child_runner.cpp \
	src/util/alert_fd.cpp src/util/heap_huge_pages.cpp \
	src/util/lazy_library.cpp
tests_unit_tests_SOURCES += tests/unit/util_test.cpp tests/unit/util_command_test.cpp tests/unit/timestamp_test.cpp \
	tests/unit/md5_lanes_test.cpp tests/unit/heap_huge_pages_test.cpp tests/unit/lazy_library_test.cpp
libtcpflow_a_SOURCES += src/util/siphash.cpp src/util/siphash.h src/util/stream_decoder.cpp \
	src/util/md5.cpp src/util/md5.h src/util/md5_lanes.cpp src/util/md5_lanes.h

# Headers (listed so that `make dist` ships them; add new ones here).
noinst_HEADERS += src/util/alert_fd.h src/util/unique_fd.h src/util/stream_decoder.h \
	src/util/byte_view.h \
	src/util/byte_entropy.h \
	src/util/child_runner.h \
	src/util/command_words.h \
	src/util/cpu_features.h \
	src/util/error.h \
	src/util/hash.h \
	src/util/heap_huge_pages.h \
	src/util/hex.h \
	src/util/lazy_library.h \
	src/util/reader.h \
	src/util/ring_queue.h \
	src/util/seq32.h \
	src/util/stats.h \
	src/util/timestamp.h
