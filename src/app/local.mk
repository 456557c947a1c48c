# sources of src/app
libtcpflow_a_SOURCES += src/app/flow_recorder.cpp src/app/pipeline.cpp src/app/report_setup.cpp \
	src/app/signals.cpp src/app/connection_pcaps.cpp \
	src/app/closed_flow_queue.cpp
libtcpflow_a_SOURCES += src/app/options.cpp src/app/settings.cpp src/app/flow_hooks.cpp \
	src/app/paths.cpp src/app/input_progress.cpp src/app/end_of_run.cpp src/app/unprocessed_pcap.cpp \
	src/app/writer_setup.cpp src/app/shard_options.cpp src/app/merge_command.cpp
tests_unit_tests_SOURCES += tests/unit/options_test.cpp tests/unit/settings_test.cpp tests/unit/flow_hooks_test.cpp \
	tests/unit/paths_test.cpp
