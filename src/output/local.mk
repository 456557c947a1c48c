# sources of src/output
libtcpflow_a_SOURCES += src/output/fd_cache.cpp src/output/flow_file_sink.cpp \
	src/output/name_counter.cpp
tests_unit_tests_SOURCES += tests/unit/output_test.cpp
