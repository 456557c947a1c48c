libtcpflow_a_SOURCES += src/flow/flow_info.cpp src/flow/connection.cpp src/flow/flow_table.cpp \
	src/flow/text_format.cpp
tests_unit_tests_SOURCES += tests/unit/flow_table_test.cpp tests/unit/connection_list_test.cpp \
	tests/unit/text_format_test.cpp
