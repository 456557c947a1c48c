# sources of src/app: libapp.a (see Makefile.am), never libtcpflow.a
libapp_a_SOURCES += src/app/flow_recorder.cpp src/app/pipeline.cpp src/app/report_setup.cpp \
	src/app/signals.cpp src/app/connection_pcaps.cpp \
	src/app/closed_flows.cpp src/app/flow_reporter.cpp
libapp_a_SOURCES += src/app/options.cpp src/app/help_text.cpp src/app/settings.cpp src/app/flow_hooks.cpp \
	src/app/paths.cpp src/app/end_of_run.cpp src/app/unprocessed_pcap.cpp \
	src/app/writer_setup.cpp src/app/tunnel_settings.cpp \
	src/app/shard_options.cpp src/app/merge_command.cpp \
	src/app/attrib_options.cpp src/app/connection_filter.cpp src/app/connection_log.cpp \
	src/app/snoop_printer.cpp src/app/process_attribution.cpp
# -e netviz and --netviz-from
libapp_a_SOURCES += src/app/netviz_page.cpp src/app/netviz_page.h
tests_unit_tests_SOURCES += tests/unit/options_test.cpp tests/unit/settings_test.cpp tests/unit/flow_hooks_test.cpp \
	tests/unit/paths_test.cpp tests/unit/closed_flows_test.cpp tests/unit/tunnel_settings_test.cpp

# Headers (listed so that `make dist` ships them; add new ones here).
noinst_HEADERS += src/app/closed_flows.h \
	src/app/config.h \
	src/app/connection_pcaps.h \
	src/app/end_of_run.h \
	src/app/flow_hooks.h \
	src/app/flow_recorder.h \
	src/app/flow_reporter.h \
	src/app/options.h \
	src/app/paths.h \
	src/app/pipeline.h \
	src/app/report_setup.h \
	src/app/settings.h \
	src/app/signals.h \
	src/app/tunnel_settings.h \
	src/app/unprocessed_pcap.h \
	src/app/writer_setup.h
# issue 23: progress lines, live capture notices, reruns into the same -o.
libapp_a_SOURCES += src/app/progress.cpp src/app/progress.h \
	src/app/live_notices.cpp src/app/live_notices.h \
	src/app/earlier_run.cpp src/app/earlier_run.h \
	src/app/run_feedback.cpp src/app/run_feedback.h
tests_unit_tests_SOURCES += tests/unit/attrib_consumers_test.cpp tests/unit/progress_test.cpp tests/unit/live_notices_test.cpp \
	tests/unit/earlier_run_test.cpp tests/unit/run_feedback_test.cpp
noinst_HEADERS += src/app/option_table.h src/app/shard_options.h src/app/merge_command.h \
	src/app/attrib_config.h src/app/attrib_options.h src/app/connection_filter.h \
	src/app/connection_log.h src/app/consumer_tee.h src/app/snoop_printer.h \
	src/app/process_attribution.h
# --proxy (issue 15): the recording proxy's wiring; the proxy itself is src/proxy.
libapp_a_SOURCES += src/app/proxy_flags.cpp src/app/proxy_flags.h \
	src/app/proxy_recorder.cpp src/app/proxy_recorder.h \
	src/app/proxy_run.cpp src/app/proxy_run.h
