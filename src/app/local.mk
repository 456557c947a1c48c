# sources of src/app
libtcpflow_a_SOURCES += src/app/flow_recorder.cpp src/app/pipeline.cpp src/app/report_setup.cpp \
	src/app/signals.cpp src/app/connection_pcaps.cpp \
	src/app/closed_flow_queue.cpp
libtcpflow_a_SOURCES += src/app/options.cpp src/app/settings.cpp src/app/flow_hooks.cpp
tests_unit_tests_SOURCES += tests/unit/options_test.cpp tests/unit/settings_test.cpp tests/unit/flow_hooks_test.cpp

# Headers (listed so that `make dist` ships them; add new ones here).
noinst_HEADERS += src/app/closed_flow_queue.h \
	src/app/config.h \
	src/app/connection_pcaps.h \
	src/app/flow_hooks.h \
	src/app/flow_recorder.h \
	src/app/options.h \
	src/app/pipeline.h \
	src/app/report_setup.h \
	src/app/settings.h \
	src/app/signals.h
