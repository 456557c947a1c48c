# sources of src/app
libtcpflow_a_SOURCES += src/app/flow_recorder.cpp src/app/pipeline.cpp src/app/report_setup.cpp \
	src/app/signals.cpp src/app/connection_pcaps.cpp \
	src/app/closed_flows.cpp src/app/flow_reporter.cpp
libtcpflow_a_SOURCES += src/app/options.cpp src/app/settings.cpp src/app/flow_hooks.cpp \
	src/app/paths.cpp src/app/input_progress.cpp src/app/end_of_run.cpp src/app/unprocessed_pcap.cpp \
	src/app/writer_setup.cpp
# -e netviz and --netviz-from
libtcpflow_a_SOURCES += src/app/netviz_page.cpp src/app/netviz_page.h
tests_unit_tests_SOURCES += tests/unit/options_test.cpp tests/unit/settings_test.cpp tests/unit/flow_hooks_test.cpp \
	tests/unit/paths_test.cpp tests/unit/closed_flows_test.cpp

# Headers (listed so that `make dist` ships them; add new ones here).
noinst_HEADERS += src/app/closed_flows.h \
	src/app/config.h \
	src/app/connection_pcaps.h \
	src/app/end_of_run.h \
	src/app/flow_hooks.h \
	src/app/flow_recorder.h \
	src/app/flow_reporter.h \
	src/app/input_progress.h \
	src/app/options.h \
	src/app/paths.h \
	src/app/pipeline.h \
	src/app/report_setup.h \
	src/app/settings.h \
	src/app/signals.h \
	src/app/unprocessed_pcap.h \
	src/app/writer_setup.h
