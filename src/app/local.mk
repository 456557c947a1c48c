# sources of src/app
libtcpflow_a_SOURCES += src/app/flow_recorder.cpp src/app/pipeline.cpp src/app/report_setup.cpp \
	src/app/signals.cpp src/app/connection_pcaps.cpp \
	src/app/closed_flow_queue.cpp
libtcpflow_a_SOURCES += src/app/options.cpp src/app/settings.cpp src/app/flow_hooks.cpp \
	src/app/paths.cpp src/app/end_of_run.cpp src/app/unprocessed_pcap.cpp \
	src/app/writer_setup.cpp
tests_unit_tests_SOURCES += tests/unit/options_test.cpp tests/unit/settings_test.cpp tests/unit/flow_hooks_test.cpp \
	tests/unit/paths_test.cpp
# issue 23: progress lines, live capture notices, reruns into the same -o.
libtcpflow_a_SOURCES += src/app/progress.cpp src/app/progress.h \
	src/app/live_notices.cpp src/app/live_notices.h \
	src/app/earlier_run.cpp src/app/earlier_run.h \
	src/app/run_feedback.cpp src/app/run_feedback.h
tests_unit_tests_SOURCES += tests/unit/progress_test.cpp tests/unit/live_notices_test.cpp \
	tests/unit/earlier_run_test.cpp tests/unit/run_feedback_test.cpp
