# Who made a connection: tcpspy's rules, socket diagnostics, the /proc index,
# and how a connection end is written to the connection log.
libtcpflow_a_SOURCES += src/attrib/rules.cpp src/attrib/rules.h \
	src/attrib/sock_diag.cpp src/attrib/sock_diag.h \
	src/attrib/process_index.cpp src/attrib/process_index.h \
	src/attrib/attributor.cpp src/attrib/attributor.h \
	src/attrib/proc_access.cpp src/attrib/proc_access.h \
	src/attrib/local_addresses.cpp src/attrib/local_addresses.h \
	src/flow/process_info.h \
	src/report/connection_log_format.cpp src/report/connection_log_format.h \
	src/report/process_format.cpp src/report/process_format.h
tests_unit_tests_SOURCES += tests/unit/attrib_rules_test.cpp tests/unit/attrib_process_test.cpp \
	tests/unit/connection_log_format_test.cpp tests/unit/attrib_attributor_test.cpp \
	tests/unit/attrib_options_test.cpp
