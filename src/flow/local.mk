libtcpflow_a_SOURCES += src/flow/conn_history.cpp src/flow/flow_info.cpp src/flow/connection.cpp \
	src/flow/flow_table.cpp src/flow/text_format.cpp src/flow/write_times.cpp \
	src/flow/tunnel_interner.cpp src/flow/connection_table.cpp
tests_unit_tests_SOURCES += tests/unit/flow_table_test.cpp tests/unit/conn_history_test.cpp \
	tests/unit/write_times_test.cpp tests/unit/connection_list_test.cpp tests/unit/text_format_test.cpp \
	tests/unit/connection_table_test.cpp

# Headers (listed so that `make dist` ships them; add new ones here).
noinst_HEADERS += src/flow/connection.h \
	src/flow/connection_list.h \
	src/flow/flow_handler.h \
	src/flow/flow_info.h \
	src/flow/flow_key.h \
	src/flow/flow_table.h
noinst_HEADERS += src/flow/connection_table.h src/flow/flow_table_config.h src/flow/text_format.h src/flow/tunnel_interner.h
noinst_HEADERS += src/flow/conn_history.h src/flow/connection_record.h src/flow/write_times.h \
	src/flow/reassembly_counters.h
libtcpflow_a_SOURCES += src/flow/shard.cpp src/flow/shard.h
tests_unit_tests_SOURCES += tests/unit/shard_test.cpp
