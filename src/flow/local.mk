libtcpflow_a_SOURCES += src/flow/flow_info.cpp src/flow/connection.cpp src/flow/flow_table.cpp
tests_unit_tests_SOURCES += tests/unit/flow_table_test.cpp tests/unit/connection_list_test.cpp
libtcpflow_a_SOURCES += src/flow/shard.cpp src/flow/shard.h
tests_unit_tests_SOURCES += tests/unit/shard_test.cpp
