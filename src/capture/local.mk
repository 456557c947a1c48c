# sources of src/capture
libtcpflow_a_SOURCES += \
	src/capture/bpf_filter.h \
	src/capture/byte_order.h \
	src/capture/file_source.h \
	src/capture/input_stream.h \
	src/capture/link_type.h \
	src/capture/live_source.h \
	src/capture/merged_source.h \
	src/capture/packet_source.h \
	src/capture/pcap_file_source.h \
	src/capture/pcap_writer.h \
	src/capture/pcapng_interface.h \
	src/capture/pcapng_source.h \
	src/capture/read_ahead.h \
	src/capture/bpf_filter.cpp \
	src/capture/file_source.cpp \
	src/capture/input_stream.cpp \
	src/capture/link_type.cpp \
	src/capture/live_source.cpp \
	src/capture/merged_source.cpp \
	src/capture/open_capture.cpp \
	src/capture/pcap_file_source.cpp \
	src/capture/pcap_writer.cpp \
	src/capture/pcapng_interface.cpp \
	src/capture/pcapng_source.cpp \
	src/capture/read_ahead.cpp

tests_unit_tests_SOURCES += \
	tests/unit/capture_test_util.h \
	tests/unit/capture_live_test.cpp \
	tests/unit/capture_merged_test.cpp \
	tests/unit/capture_pcap_test.cpp \
	tests/unit/capture_pcapng_test.cpp \
	tests/unit/capture_read_ahead_test.cpp \
	tests/unit/capture_stream_decoder_test.cpp \
	tests/unit/capture_writer_test.cpp
