libtcpflow_a_SOURCES += src/util/bounded_queue.h src/util/command_words.cpp src/util/child_runner.cpp \
	src/util/alert_fd.cpp
tests_unit_tests_SOURCES += tests/unit/util_test.cpp tests/unit/util_command_test.cpp tests/unit/timestamp_test.cpp
libtcpflow_a_SOURCES += src/util/siphash.cpp src/util/siphash.h
