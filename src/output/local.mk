# sources of src/output
libtcpflow_a_SOURCES += src/output/background_writer.cpp src/output/fd_cache.cpp src/output/flow_file_sink.cpp \
	src/output/name_counter.cpp src/output/file_io.cpp
tests_unit_tests_SOURCES += tests/unit/output_test.cpp
libtcpflow_a_SOURCES += src/output/console_sink.cpp src/output/file_namer.cpp
libtcpflow_a_SOURCES += src/output/filename_template.cpp
tests_unit_tests_SOURCES += tests/unit/filename_template_test.cpp
tests_unit_tests_SOURCES += tests/unit/tunnel_naming_test.cpp
