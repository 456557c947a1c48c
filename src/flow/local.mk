libtcpflow_a_SOURCES += src/flow/flow_info.cpp src/flow/connection.cpp src/flow/flow_table.cpp
tests_unit_tests_SOURCES += tests/unit/flow_table_test.cpp tests/unit/connection_list_test.cpp

# Headers (listed so that `make dist` ships them; add new ones here).
noinst_HEADERS += src/flow/connection.h \
	src/flow/connection_list.h \
	src/flow/flow_handler.h \
	src/flow/flow_info.h \
	src/flow/flow_key.h \
	src/flow/flow_table.h
noinst_HEADERS += src/flow/flow_table_config.h
