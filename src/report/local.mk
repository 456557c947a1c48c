# sources of src/report: report.xml (DFXML) and flows.jsonl writers.
libtcpflow_a_SOURCES += \
	src/report/connection_format.cpp \
	src/report/connection_format.h \
	src/report/dfxml_fileobject.cpp \
	src/report/dfxml_fileobject.h \
	src/report/dfxml_writer.cpp \
	src/report/dfxml_writer.h \
	src/report/flow_format.cpp \
	src/report/flow_format.h \
	src/report/json_object.cpp \
	src/report/json_object.h \
	src/report/jsonl_writer.cpp \
	src/report/jsonl_writer.h \
	src/report/run_context.cpp \
	src/report/run_context.h \
	src/report/run_summary.h \
	src/report/text_escape.cpp \
	src/report/text_escape.h \
	src/report/xml_child.h \
	src/report/xml_emitter.cpp \
	src/report/xml_emitter.h

tests_unit_tests_SOURCES += \
	tests/unit/report_connection_test.cpp \
	tests/unit/tunnel_report_test.cpp \
	tests/unit/report_defaults_test.cpp \
	tests/unit/report_dfxml_schema_test.cpp \
	tests/unit/report_dfxml_test.cpp \
	tests/unit/report_jsonl_test.cpp \
	tests/unit/report_test_support.h \
	tests/unit/report_text_test.cpp \
	tests/unit/xml_emitter_test.cpp

EXTRA_DIST += src/report/FORMAT.md
# <tcpflow:summary status>: what happened to the run (issue 23).
libtcpflow_a_SOURCES += src/report/run_status.cpp src/report/run_status.h
tests_unit_tests_SOURCES += tests/unit/run_status_test.cpp
